"""Which tier of model a coding request needs: ``simple``, ``moderate`` or ``complex``.

The classes follow the article the project started from: docstrings, unit tests, format
conversion and boilerplate are *simple*; refactors such as dependency injection are *moderate*;
security-sensitive logic, multi-step reasoning and unfamiliar libraries are *complex*. Size
counts too: a long prompt, several code files or many code blocks move a request up.

The classifier is deterministic and cheap (regular expressions over the prompt, no model, no
tokenizer: prompt size is estimated at four characters a token), so a router can call it on every
request. It scores signals and reports each one it used::

    complex keyword group matched       +3, and +1 for each further complex group (at most +5)
    moderate signal (a keyword group,   +1.5, and +1 for each further moderate signal (at most
    or size, files or code blocks past  +2.5: moderate signals alone never make a request complex)
    their moderate threshold)
    size, files or code blocks past     +3 (once)
    their complex threshold
    simple keyword group matched        -1 (once): "write tests for the JWT code" is not as hard
                                        as writing the JWT code

    score >= 3 → complex;  score >= 1.5 → moderate;  otherwise simple

Keywords and thresholds are configurable (:class:`RouteConfig`, ``[tool.tokentrim.route]``).
A keyword is a phrase of words matched case-insensitively as whole words, in order, whatever
separates them (``hard coded`` matches "hard-coded"); a trailing ``*`` lets the last word end in
anything (``encrypt*``). Keywords are matched in the prose of the prompt, outside fenced code
blocks; size, files and blocks count the whole prompt. Matching is one pass over the words with
the phrases indexed by their first word, so its cost grows with the prompt, not the keyword sets.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Sequence
from typing import Literal

from tokentrim.route.config import RouteConfig
from tokentrim.route.keywords import BUILTIN_KEYWORDS

__all__ = ["TIERS", "Tier", "TierName", "classify"]

TierName = Literal["simple", "moderate", "complex"]
TIERS: tuple[TierName, ...] = ("simple", "moderate", "complex")

CHARS_PER_TOKEN = 4
# Keywords are looked for in the request, not in the code pasted with it (a variable named
# `password` does not make a docstring request security-sensitive), and in at most this much of
# it: the start and the end of a very long prompt, where the request is.
MAX_SCAN_CHARS = 20_000
COMPLEX_SCORE = 3.0
MODERATE_SCORE = 1.5


@dataclasses.dataclass(frozen=True)
class Tier:
    """The tier of a request and the signals that decided it.

    ``str(tier)`` is the name; ``rank`` orders tiers (0 simple, 1 moderate, 2 complex).
    """

    name: TierName
    reasons: tuple[str, ...]
    score: float
    tokens: int
    files: int
    code_blocks: int

    def __str__(self) -> str:
        return self.name

    @property
    def rank(self) -> int:
        return TIERS.index(self.name)

    def as_dict(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["reasons"] = list(self.reasons)
        return data


def classify(prompt: str, config: RouteConfig | None = None) -> Tier:
    """The tier of ``prompt``, with the reasons. Never raises on any string."""
    config = config or RouteConfig()
    text = prompt if isinstance(prompt, str) else str(prompt)
    compiled = _compile(config)
    reasons: list[str] = []
    score = 0.0

    groups_hit = {tier: 0 for tier in TIERS}
    fences = [m.start() for m in _FENCE.finditer(text)]
    found_per_group = compiled.matches(_prose(text, fences))
    for (tier, label), found in zip(compiled.groups, found_per_group, strict=True):
        if found:
            groups_hit[tier] += 1
            reasons.append(f"{tier}: {label} ({', '.join(found)})")
    if groups_hit["complex"]:
        score += min(3.0 + (groups_hit["complex"] - 1), 5.0)
    if groups_hit["simple"]:
        score -= 1.0

    tokens = (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
    files = _count_files(text)
    blocks = (len(fences) + 1) // 2  # fences pair up: opening, closing
    size_points = 0.0
    moderate_signals = groups_hit["moderate"]
    for value, unit, moderate, complex_ in (
        (tokens, "tokens (estimated)", config.moderate_tokens, config.complex_tokens),
        (files, "code files named", config.moderate_files, config.complex_files),
        (blocks, "code blocks", config.moderate_blocks, config.complex_blocks),
    ):
        if value >= complex_:
            size_points = max(size_points, 3.0)
            reasons.append(f"complex: {value:,} {unit} (>= {complex_:,})")
        elif value >= moderate:
            moderate_signals += 1
            reasons.append(f"moderate: {value:,} {unit} (>= {moderate:,})")
    score += size_points
    if moderate_signals:
        # Several moderate signals make a request surely moderate, never complex.
        score += min(1.5 + (moderate_signals - 1), 2.5)

    if score >= COMPLEX_SCORE:
        name: TierName = "complex"
    elif score >= MODERATE_SCORE:
        name = "moderate"
    else:
        name = "simple"
    if not reasons:
        reasons.append("simple: no signal of a refactor, risk or size")
    return Tier(name, tuple(reasons), score, tokens, files, blocks)


_CODE_EXTENSIONS = (
    "py|pyi|ipynb|js|jsx|mjs|ts|tsx|go|rs|java|kt|kts|rb|php|c|cc|cpp|cxx|h|hpp|cs|swift|scala"
    "|sql|sh|vue|svelte|ex|exs|erl|hs|ml|lua|dart|r|jl"
)
# A code file named in the prompt: one whitespace-separated token, quotes and punctuation around.
_FILE_TOKEN = re.compile(
    rf"""[`'"(\[<]*((?:[\w-]+/)*[\w.-]*\w\.(?:{_CODE_EXTENSIONS}))[`'")\]>,.:;!?]*""", re.I
)
_FILE_COUNT = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty)\s+"
    r"(?:(?:code|source|python|module|test|config)\s+)?files\b",
    re.I,
)
_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "twenty": 20,
}
# A fence line (opening or closing); an unclosed last block still counts.
_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~)[ \t]*[\w+#.-]*[ \t]*$", re.M)


def _count_files(text: str) -> int:
    named = {
        match.group(1).lower()
        for token in text.split()
        if "." in token and (match := _FILE_TOKEN.fullmatch(token))
    }
    stated = []
    lowered = text.lower()
    position = lowered.find("files")
    while position >= 0:
        # The regex only where "files" occurs: scanning all of a long prompt costs milliseconds.
        window = lowered[max(0, position - 40) : position + 6]
        for match in _FILE_COUNT.finditer(window):
            number = match.group(1)
            stated.append(int(number) if number.isdigit() else _NUMBERS[number])
        position = lowered.find("files", position + 5)
    return max([len(named), *stated])


_WORD = re.compile(r"\w+")


@dataclasses.dataclass(frozen=True)
class _Phrase:
    group: int
    words: tuple[str, ...]
    stem: bool  # the last word is a prefix


@dataclasses.dataclass(frozen=True)
class _Compiled:
    """Every phrase indexed by its first word (or, for one-word stems, by the stem)."""

    groups: tuple[tuple[TierName, str], ...]
    by_first_word: dict[str, tuple[_Phrase, ...]]
    stems: dict[str, tuple[_Phrase, ...]]
    stem_lengths: tuple[int, ...]

    def matches(self, text: str) -> list[list[str]]:
        """Per group, the distinct phrases found (as written in the text, at most four)."""
        found: list[dict[str, None]] = [{} for _ in self.groups]
        words = _WORD.findall(text.lower())
        for index, word in enumerate(words):
            for phrase in self.by_first_word.get(word, ()):
                if _continues(phrase, words, index):
                    found[phrase.group][" ".join(words[index : index + len(phrase.words)])] = None
            if "_" in word:
                continue  # an identifier (numerical_grade): whole-word phrases only, no stems
            for length in self.stem_lengths:
                if len(word) >= length:
                    for phrase in self.stems.get(word[:length], ()):
                        found[phrase.group][word] = None
        return [list(hits)[:4] for hits in found]


def _continues(phrase: _Phrase, words: list[str], index: int) -> bool:
    """Whether the words after ``words[index]`` (which equals the first) complete ``phrase``."""
    count = len(phrase.words)
    if index + count > len(words):
        return False
    for offset in range(1, count):
        expected, actual = phrase.words[offset], words[index + offset]
        if offset == count - 1 and phrase.stem:
            if not actual.startswith(expected):
                return False
        elif actual != expected:
            return False
    return True


@functools.lru_cache(maxsize=32)
def _compile(config: RouteConfig) -> _Compiled:
    groups: list[tuple[TierName, str, Sequence[str]]] = []
    for tier in TIERS:
        if config.builtin_keywords:
            for label, phrases in BUILTIN_KEYWORDS[tier].items():
                groups.append((tier, label, phrases))
        extra = getattr(config, tier)
        if extra:
            groups.append((tier, "configured keywords", extra))
    by_first: dict[str, list[_Phrase]] = {}
    stems: dict[str, list[_Phrase]] = {}
    for number, (_, _, group_phrases) in enumerate(groups):
        for text in group_phrases:
            words = tuple(_WORD.findall(text.lower()))
            if not words:
                continue
            phrase = _Phrase(number, words, text.strip().endswith("*"))
            if phrase.stem and len(words) == 1:
                stems.setdefault(words[0], []).append(phrase)
            else:
                by_first.setdefault(words[0], []).append(phrase)
    return _Compiled(
        groups=tuple((tier, label) for tier, label, _ in groups),
        by_first_word={k: tuple(v) for k, v in by_first.items()},
        stems={k: tuple(v) for k, v in stems.items()},
        stem_lengths=tuple(sorted({len(k) for k in stems})),
    )


def _prose(text: str, fences: list[int]) -> str:
    """The text outside fenced code blocks, at most MAX_SCAN_CHARS of it (head and tail)."""
    if fences:
        pieces, position = [], 0
        for opening, closing in itertools.zip_longest(fences[::2], fences[1::2]):
            pieces.append(text[position:opening])
            position = len(text) if closing is None else closing
        pieces.append(text[position:])
        text = "\n".join(pieces)
    if len(text) > MAX_SCAN_CHARS:
        head = MAX_SCAN_CHARS * 4 // 5
        text = text[:head] + "\n" + text[-(MAX_SCAN_CHARS - head) :]
    return text
