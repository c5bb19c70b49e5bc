"""``removed-prose``: drop sentences that describe what trimming removed from the code.

"I've added detailed comments to explain each step." is false once the comments are gone; "The
docstring explains the parameters." once the docstring is; "Example usage is included at the
bottom." once the example is. Each sentence goes only when tokentrim really removes what it
describes:

* comments: ``comments="all"`` (every comment goes) and a code block of the reply has one;
* docstrings: ``docstrings="strip"``;
* example usage: the ``demo-code`` rule is on and cleaning the reply's last Python block really
  drops its ``if __name__ == "__main__":`` block (checked by cleaning that block).

Only whole sentences of plain prose paragraphs outside code, matched in full; everything else is
byte-identical. Like every text rule it runs at ``aggressive`` only.
"""

from __future__ import annotations

import re

from tokentrim import fences
from tokentrim.rules import TextRule, register
from tokentrim.rules._prose import (
    Span,
    fence_spans,
    is_plain_prose,
    paragraphs,
    sentences,
)

_ADDED = r"(?:i(?:'ve|\s+have)\s+|i\s+|we(?:'ve|\s+have)\s+)?(?:also\s+)?(?:added|included|provided|written|put)"
# The rest of a sentence, as long as it adds nothing else ("and type hints" would be kept).
_TAIL = r"(?:(?!\band\b)[^.!?`,;])*[.!]"
_COMMENTS = (
    r"(?:"
    + _ADDED
    + r"\s+(?:some\s+|detailed\s+|inline\s+|helpful\s+|clear\s+|explanatory\s+)*comments?"
    r"|(?:the\s+)?code\s+is\s+(?:well[-\s])?(?:commented|documented\s+with\s+comments)"
    r"|comments\s+(?:are\s+included|have\s+been\s+added|explain|describe)"
    r"|each\s+(?:step|part|line|section)\s+is\s+(?:explained|described|documented)\s+"
    r"(?:with|in|by)\s+(?:a\s+)?(?:inline\s+)?comments?)\b"
)
_COMMENT = re.compile(_COMMENTS + _TAIL, re.IGNORECASE)
_COMMENT_AND_EXAMPLE = re.compile(
    _COMMENTS + r"\s+and\s+(?:an?\s+)?(?:example|sample)\s+usage(?:\s+(?:section|block))?" + _TAIL,
    re.IGNORECASE,
)
_MENTIONS_EXAMPLE = re.compile(r"\b(?:example|sample)\s+usage\b", re.IGNORECASE)
_DOCSTRING = re.compile(
    r"(?:" + _ADDED + r"\s+(?:a\s+|detailed\s+)*docstrings?"
    r"|(?:the\s+)?docstrings?\s+(?:explains?|describes?|documents?|are\s+included|has\s+been\s+added|have\s+been\s+added))\b"
    + _TAIL,
    re.IGNORECASE,
)
_EXAMPLE = re.compile(
    r"(?:" + _ADDED + r"\s+(?:an?\s+)?(?:example|sample)\s+usage"
    r"|(?:an?\s+)?(?:example|sample)\s+usage\s+is\s+(?:included|provided|shown))"
    r"\s+(?:at\s+the\s+(?:bottom|end)|below|in\s+the\s+`?if\s+__name__)[^.!?]*[.!]",
    re.IGNORECASE,
)
_COMMENT_IN_CODE = re.compile(r"(?:^|\s)(?:#|//)\s*\S", re.MULTILINE)


@register
class RemovedProse(TextRule):
    id = "removed-prose"
    level = "aggressive"
    description = "Drop sentences that describe comments, docstrings or examples tokentrim removed."
    before = (
        "```python\ndef add(a, b):\n    # Add the numbers\n    return a + b\n```\n\n"
        "I've added comments to explain each step. It returns the sum.\n"
    )
    after = "```python\ndef add(a, b):\n    # Add the numbers\n    return a + b\n```\n\nIt returns the sum.\n"

    def apply(self, text: str) -> str:
        fences = fence_spans(text)
        patterns = self._patterns(text, fences)
        if not patterns:
            return text
        cuts: list[Span] = []
        cursor = 0
        for start, end in [*fences, (len(text), len(text))]:
            for span in paragraphs(text, cursor, start):
                cuts += _cuts(text, span, patterns)
            cursor = end
        new = text
        for start, end in sorted(cuts, reverse=True):
            new = new[:start] + new[end:]
        return new if new.strip() else text

    def _patterns(self, text: str, fences: list[Span]) -> list[re.Pattern[str]]:
        codes = [text[start:end] for start, end in fences]
        comments = self.settings.comments == "all" and any(
            _COMMENT_IN_CODE.search(code) for code in codes
        )
        example = bool(_MENTIONS_EXAMPLE.search(text)) and self._drops_main_block(text)
        patterns = []
        if comments:
            patterns.append(_COMMENT)
        if comments and example:
            patterns.append(_COMMENT_AND_EXAMPLE)
        if example:
            patterns.append(_EXAMPLE)
        if self.settings.effective_docstrings == "strip":
            patterns.append(_DOCSTRING)
        return patterns

    def _drops_main_block(self, text: str) -> bool:
        """Cleaning the last Python block removes its ``__main__`` block (demo-code is on)."""
        from tokentrim.languages.python import clean_python
        from tokentrim.rules import enabled_rules

        if not any(rule.id == "demo-code" for rule in enabled_rules(self.settings)):
            return False
        blocks = [b for b in fences.find_code_blocks(text) if b.lang == "python"]
        if not blocks or "__main__" not in blocks[-1].code:
            return False
        outcome = clean_python(blocks[-1].code, self.settings)
        return outcome.status == "changed" and "__main__" not in outcome.code


def _cuts(text: str, span: Span, patterns: list[re.Pattern[str]]) -> list[Span]:
    if not is_plain_prose(text, span):
        return []
    parts = sentences(text, span)
    gone = [part for part in parts if any(p.fullmatch(text, *part) for p in patterns)]
    if not gone:
        return []
    start, end = span
    if len(gone) == len(parts):
        # The whole paragraph goes, with the blank lines before it.
        before = len(text[:start].rstrip())
        return [(before, end) if before else (start, end)]
    cuts = []
    for index, part in enumerate(parts):
        if part in gone:
            # A sentence goes with the space after it (or, the last one, the space before it).
            following = parts[index + 1][0] if index + 1 < len(parts) else None
            if following is not None:
                cuts.append((part[0], following))
            else:
                cuts.append((parts[index - 1][1], part[1]))
    return cuts
