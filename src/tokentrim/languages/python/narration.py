"""Which comments narrate the code (``comments=narration`` removes those) and which inform.

A comment *informs* when it tells the reader something the code does not: a reason, a caveat or
warning, an assumption, a TODO/FIXME/NOTE, a URL or reference, a unit, a complexity, the name of
the algorithm or rule behind the code, or a placeholder the user must fill in. It *narrates* when it
restates what the next line plainly does, marks a step or a section ("# Example usage", "# Step 2"),
shows example output ("# Output: 14"), is commented-out code, or is a separator line.

:func:`classify_comment` is deterministic and explainable: the first rule that matches decides and
gives its reason. Informative rules are tried first; a comment no rule claims as informative is
narration (most comments in model replies are), so the default reason says so.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize

from tokentrim import pyast

__all__ = ["CommentDecision", "NarrationPlan", "classify_comment", "comment_decisions", "plan"]


@dataclasses.dataclass(frozen=True)
class CommentDecision:
    """``narration``: the comment goes under ``comments=narration``; ``reason``: why."""

    narration: bool
    reason: str


@dataclasses.dataclass(frozen=True)
class NarrationPlan:
    """The texts of the comments to remove, and one line per decision saying why."""

    remove: frozenset[str]
    reasons: tuple[str, ...]


def plan(code: str) -> NarrationPlan:
    """What ``comments=narration`` removes from ``code``. A text that narrates in one place but
    informs in another stays everywhere (comments are removed by text)."""
    decisions = comment_decisions(code)
    by_text: dict[str, list[CommentDecision]] = {}
    texts: dict[int, str] = dict(_comment_texts(code))
    for line, decision in decisions.items():
        by_text.setdefault(texts[line], []).append(decision)
    remove = frozenset(text for text, found in by_text.items() if all(d.narration for d in found))
    reasons = tuple(
        f"line {line}: {'removed' if texts[line] in remove else 'kept'} ({decision.reason})"
        for line, decision in sorted(decisions.items())
    )
    return NarrationPlan(remove, reasons)


def _comment_texts(code: str) -> list[tuple[int, str]]:
    comments, _ = _scan(code)
    return [(c.line, c.text) for c in comments]


def comment_decisions(code: str) -> dict[int, CommentDecision]:
    """The decision for every comment of a block, by 1-based line (empty if it does not tokenize).

    Consecutive full-line comments at one indentation form a paragraph: when one line of it
    informs, the paragraph stays whole (a reason often runs over two or three lines). A term in
    capitals that the code never spells (``LCS``, ``SNP``) is domain knowledge: it informs.
    """
    comments, words = _scan(code)
    decisions: dict[int, CommentDecision] = {}
    for paragraph in _paragraphs(comments):
        own = [classify_comment(c.text, inline=c.inline, code_words=words) for c in paragraph]
        informative = next((i for i, d in enumerate(own) if not d.narration), None)
        for item, decision in zip(paragraph, own, strict=True):
            if decision.narration and informative is not None:
                line = paragraph[informative].line
                decision = CommentDecision(False, f"continues the comment of line {line}")
            decisions[item.line] = decision
    return decisions


@dataclasses.dataclass(frozen=True)
class _Comment:
    line: int
    column: int
    text: str
    inline: bool


def _scan(code: str) -> tuple[list[_Comment], frozenset[str]]:
    comments: list[_Comment] = []
    words: set[str] = set()
    last_code_line = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                inline = token.start[0] == last_code_line
                comments.append(_Comment(token.start[0], token.start[1], token.string, inline))
            elif token.type in (tokenize.NAME, tokenize.STRING):
                words.update(w.lower() for w in _WORD.findall(token.string))
                last_code_line = token.end[0]
            elif token.type not in _LAYOUT:
                last_code_line = token.end[0]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return [], frozenset()
    return comments, frozenset(words)


_LAYOUT = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z0-9]+(?![a-z])|[A-Za-z0-9]+")


def _paragraphs(comments: list[_Comment]) -> list[list[_Comment]]:
    groups: list[list[_Comment]] = []
    for comment in comments:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and not comment.inline
            and not last.inline
            and comment.line == last.line + 1
            and comment.column == last.column
        ):
            groups[-1].append(comment)
        else:
            groups.append([comment])
    return groups


def classify_comment(
    comment: str, *, inline: bool = False, code_words: frozenset[str] | None = None
) -> CommentDecision:
    """Decide one comment (its text with the ``#``); ``inline``: it follows code on its line."""
    text = comment.lstrip("#").strip()
    if not text:
        return CommentDecision(True, "empty comment")
    if _SEPARATOR.fullmatch(text):
        return CommentDecision(True, "separator line")
    for pattern, reason in _INFORMATIVE:
        if pattern.search(text):
            if reason.startswith("placeholder") and _EXAMPLE_OUTPUT.match(text):
                break
            return CommentDecision(False, reason)
    if inline and _UNIT_ONLY.fullmatch(text):
        return CommentDecision(False, "unit of the value")
    if _EXAMPLE_OUTPUT.match(text):
        return CommentDecision(True, "example output")
    if _is_code(text):
        return CommentDecision(True, "commented-out code")
    if code_words is not None:
        for term in _TERM.findall(text):
            if term.lower() not in code_words and term not in _COMMON_TERMS:
                return CommentDecision(False, f"domain term the code does not spell: {term}")
        novel = _novel_words(text, code_words)
        if len(novel) >= _NOVEL_WORDS:
            return CommentDecision(False, f"says what the code does not: {' '.join(novel[:4])}")
    if _SECTION.fullmatch(text):
        return CommentDecision(True, "section label or step marker")
    return CommentDecision(True, "restates the code")


# fmt: off
_INFORMATIVE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(TODO|FIXME|XXX|HACK|BUG|NB)\b|\bnote\b\s*(:|that\b)|^note\b|\bwarning\b|"
                r"\bimportant\b|\bcaution\b|\bbeware\b|\bcareful\b", re.IGNORECASE),
     "marker: note, warning or to-do"),
    (re.compile(r"https?://|www\.|\b(RFC|PEP|ISO)\s?\d+|\bsee\s+(the\s+)?\w+|\bdocs?\b|"
                r"\bdocumentation\b|\bcf\.", re.IGNORECASE),
     "reference"),
    (re.compile(r",\s*so\b|\b(because|since|so that|in order to|to (avoid|prevent|handle)|otherwise|"
                r"due to|as per|per the|this way|which means|means that|for (simplicity|"
                r"completeness|safety|efficiency|performance)|instead of|rather than|"
                r"we need|need to|(is|are) (defined|found|given|computed|used) (as|by|for|to)|purpose)\b",
                re.IGNORECASE),
     "reason"),
    (re.compile(r"\b(may|might|would|can only|only (if|when|works)|unless|assum\w*|"
                r"hypothetical|simplified|simplistic|conceptual|approximat\w*|optionally|supports?|etc|"
                r"vary|varies|not (guaranteed|supported|actual|real)|undefined|edge case|"
                r"make sure|must|overflow|thread-?safe|in-?place|mutates?|"
                r"order (is|may)|stable|inclusive|exclusive|0-based|1-based|zero-based|as well|enough)\b",
                re.IGNORECASE),
     "caveat or assumption"),
    (re.compile(r"\byour\b.*\bhere\b|\bhere\b.*\byour\b|\breplace (this|it|with)\b|\bfill in\b|"
                r"\b(goes|go) here\b|\bplaceholder\b", re.IGNORECASE),
     "placeholder for the user"),
    (re.compile(r"\bO\([^)]*\)|\b(complexity|amorti[sz]ed|linear time|constant time|"
                r"logarithmic)\b", re.IGNORECASE),
     "complexity"),
    (re.compile(r"\b\d+(\.\d+)?\s?(ms|s|sec|secs|seconds?|minutes?|hours?|days?|bytes?|"
                r"[KMG]i?B|bits?|fps|px|pixels?|degrees?|°|%|percent|hz|kHz|MHz|m|cm|mm|km|kg|"
                r"g|bp)\b|\b(fps|hz)\b.*\b\d+\b|\b(per second|u?int\d+|two'?s complement|twos complement|"
                r"big-?endian|little-?endian|utc|radians|celsius|fahrenheit|unsigned|"
                r"\d+-bit|\d+\s?-\s?\d+|of length \d+|(square |cubic )?(met(er|re)s|(kilo|centi|milli)"
                r"met(er|re)s|(kilo)?grams|(milli|micro|nano)seconds|inches|feet|miles))\b|\(\s*\d+\s*-\s*\d+\s*\)", re.IGNORECASE),
     "unit or range"),
    (re.compile(r"\b(algorithm|theorem|lemma|method|formula|law|principle|invariant|"
                r"heuristic)\b(?!\s*(call|to call))",
                re.IGNORECASE),
     "names the method or rule behind the code"),
]
# fmt: on
def _novel_words(text: str, code_words: frozenset[str]) -> list[str]:
    """Content words of the comment that no identifier or string of the block contains."""
    stems = {_stem(word) for word in code_words}
    return [
        word
        for word in (w.lower() for w in _LETTERS.findall(text))
        if len(word) >= 4 and word not in _PLAIN_WORDS and _stem(word) not in stems
    ]


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_LETTERS = re.compile(r"[A-Za-z]+")
# A comment with this many words the code does not contain says more than the code shows.
_NOVEL_WORDS = 4
# Words that narration uses whatever the code: English glue and the vocabulary of any program.
_PLAIN_WORDS = frozenset(
    """the and for with from into over each that this these those then than when while where
    what which whether there have will just also only both same first second last next
    calculate compute create check define return returns print prints loop iterate call
    function variable list dict dictionary value values number numbers string strings element
    elements array index result input output user file example usage test tests main code
    program data item items append remove update store make find convert read write open close
    start handle current empty given total zero""".split()
)
# An inline comment that names the unit of the value on its line ("seconds between tries").
_UNIT_ONLY = re.compile(
    r"(in |unit: |units: )?(seconds?|secs?|s|ms|milliseconds?|microseconds?|ns|minutes?|hours?|"
    r"days?|bytes?|bits?|[KMG]i?B|pixels?|px|degrees?|radians?|percent|%|met(er|re)s?|m|cm|mm|"
    r"km|kg|grams?|g|hz|fps)(\s+(between|per|of|since|until|before|after|from|to)\b.*)?",
    re.IGNORECASE,
)
# A term in capitals (``LCS``, ``MC1R``); the common ones of programming say nothing new.
_TERM = re.compile(r"\b[A-Z][A-Z0-9]+\b")
_COMMON_TERMS = frozenset(
    "API CSV JSON XML HTML HTTP HTTPS URL URI ID IO OS CPU GPU RAM SQL DB UI CLI GUI PDF PNG JPG "
    "ASCII UTF UTF8 TCP UDP IP DNS SSH FTP REST AI ML NN FPS RGB RGBA TODO NOTE OK".split()
)
# "Output: 14", "prints [1, 2]", "-> True": what running the code shows.
_EXAMPLE_OUTPUT = re.compile(
    r"((output|outputs|prints?|returns?|results?|expected|gives)\s*(:|=|->|=>)|=>|->|"
    r"(output|outputs|prints?|returns?|results? in|gives|is now)\s+([-\d\[{(\"']|True|False|None))",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"[-=*#~_+.<>/\\|]{3,}|[-=*#~_ ]*\w[\w ]{0,40}[-=*#~_ ]*[-=*#~_]{3,}")
_SECTION = re.compile(
    r"((step|part|phase|section|test|example|case)\s*\d*[:.)]?\s*.{0,40}|"
    r"(example|sample|usage|demo|tests?|test cases?|main|helpers?|constants|imports?|setup|"
    r"set up|initiali[sz]ation|variables|driver code|output)(\s+\w+){0,2}\s*:?)",
    re.IGNORECASE,
)
# Comments that parse as code and look like it (a call, an assignment, a keyword statement).
_CODE_SHAPE = re.compile(
    r"^(print\(|import |from \w+ import |return\b|def |class |if .*:$|for .*:$|while .*:$|"
    r"\w+(\.\w+)*\s*\(.*\)$|\w+(\[.*\])?\s*[-+*/]?=\s*\S)"
)


def _is_code(text: str) -> bool:
    if not _CODE_SHAPE.match(text):
        return False
    try:
        pyast.parse(text)
    except (SyntaxError, ValueError):
        return text.rstrip().endswith(":")  # `if x > 0:` on its own does not parse
    return True
