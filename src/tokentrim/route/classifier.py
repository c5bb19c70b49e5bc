"""Which tier of model a coding request needs: ``simple``, ``moderate`` or ``complex``.

The classes follow the article the project started from: docstrings, unit tests, format
conversion and boilerplate are *simple*; refactors such as dependency injection are *moderate*;
security-sensitive logic, multi-step reasoning and unfamiliar libraries are *complex*. Size
counts too: a long prompt, several code files or many code blocks move a request up.

The classifier is deterministic and cheap (regular expressions and a suffix stemmer over the
prompt, no model, no tokenizer: prompt size is estimated at four characters a token), so a router
can call it on every request. Its signals, each reported in ``reasons``:

* keyword families (:mod:`tokentrim.route.keywords`), matched by word stem, with verb-object
  patterns ("add ... docstring", "convert ... to ... yaml", "replace ... with"), in the prose of
  the prompt (outside fenced code blocks);
* scale named in the prose: "across 12 servers" is distributed work (complex), "a 500M-row
  table" or terabytes large-scale data (complex), millions of rows or gigabytes moderate;
* a library named as such ("the tskit library") that is not a familiar one: unfamiliar (complex);
* the number of requirements in a request that is not a simple task (clauses separated by
  commas, semicolons, "and", "with", "without", "including", "so that"): many is moderate;
* size: estimated tokens, code files named, fenced code blocks, against two thresholds each.

They are scored::

    a complex signal                    +3, and +1 for each further complex family (at most +5)
    a moderate signal                   +1.5, and +1 for each further one (at most +2.5:
                                        moderate signals alone never make a request complex)
    size, files or blocks past          +3 (once)
    their complex threshold
    a simple task                       -1 (once): "write tests for the JWT code" is not as hard
                                        as writing the JWT code

    score >= 3 → complex;  score >= 1.5 → moderate;  otherwise simple

Keywords, familiar libraries and thresholds are configurable (:class:`RouteConfig`,
``[tool.tokentrim.route]``). Keywords are looked for in at most :data:`MAX_SCAN_CHARS` of the
prose (its start and its end, where a long prompt states the request).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from typing import Literal

from tokentrim.route.config import RouteConfig
from tokentrim.route.keywords import BUILTIN_KEYWORDS, FAMILIAR_LIBRARIES
from tokentrim.route.matching import Matcher

__all__ = ["TIERS", "Tier", "TierName", "classify"]

TierName = Literal["simple", "moderate", "complex"]
TIERS: tuple[TierName, ...] = ("simple", "moderate", "complex")

CHARS_PER_TOKEN = 4
# Keywords are looked for in the request, not in the code pasted with it (a variable named
# `password` does not make a docstring request security-sensitive), and in at most this much of
# it: the start and the end of a very long prompt, where the request is.
MAX_SCAN_CHARS = 4_000
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

    fences = _fences(text)
    prose = _prose(text, fences)
    hits: dict[tuple[TierName, str], list[str]] = {}
    for group, found in zip(compiled.groups, compiled.matcher.find(prose), strict=True):
        if found:
            hits[group] = found
    for key, found in _prose_signals(prose, config).items():
        hits.setdefault(key, []).extend(found)
    groups_hit = {tier: 0 for tier in TIERS}
    for (tier, label), found in hits.items():
        groups_hit[tier] += 1
        reasons.append(f"{tier}: {label} ({', '.join(found[:4])})")

    if not groups_hit["simple"]:
        requirements = _requirements(prose)
        if requirements >= config.moderate_requirements:
            groups_hit["moderate"] += 1
            reasons.append(
                f"moderate: {requirements} requirements in a request that is not a simple task"
                f" (>= {config.moderate_requirements})"
            )
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


# Scale in the prose. Machines: "across 12 API servers", "three data centres", "20 nodes".
_MACHINES = re.compile(
    r"\b(\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|dozens of|hundreds of"
    r"|several|many|multiple)\s+(?:[\w-]+\s+)?(servers|nodes|machines|instances|hosts|services"
    r"|microservices|data\s*cent(?:re|er)s|regions|replicas|clusters|pods|shards)\b",
    re.I,
)
# Data: "a 500M-row table", "2M rows", "3 TB", "a billion events".
_ROWS = re.compile(
    r"\b(\d+(?:[.,]\d+)?)\s*(k|m|b|thousand|million|billion)?[\s-]*"
    r"(?:rows?|records?|events?|documents?|users|items|messages)\b",
    re.I,
)
_BYTES = re.compile(
    r"\b\d+(?:\.\d+)?\s*(gb|tb|pb|gigabytes?|terabytes?|petabytes?)\b(?:[\s-]+[\w-]+){0,2}?[\s-]+"
    r"(?:dataset|database|table|file|files|logs|data|dump|bucket|index|corpus)\b",
    re.I,
)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}
# A library named as such: "the tskit library", "an internal package called strata".
_LIBRARY = re.compile(
    r"\b(?:the|use|using|with|via)\s+`?([a-z][\w.-]*?)`?\s+(?:library|toolkit|framework|sdk|crate)\b"
    r"|\b(?:library|toolkit|framework|sdk|crate)\s+(?:called|named)\s+`?([a-z][\w.-]*)`?",
    re.I,
)
_MACHINE_NOUN = re.compile(
    r"servers|nodes|machines|instances|hosts|services|data\s*cent|regions|replicas|clusters|pods"
    r"|shards"
)
_ROW_NOUN = re.compile(r"rows?\b|records?\b|events?\b|documents?\b|users\b|items\b|messages\b")
_BYTE_UNIT = re.compile(r"\d\s*(?:[gtp]b|gigabyte|terabyte|petabyte)")
_LIBRARY_NOUN = re.compile(r"library|toolkit|framework|sdk|crate")
_REQUIREMENT = re.compile(
    r"[,;:](?=\s)|\b(?:and|with|without|including|so that|but|plus|then)\b", re.I
)
_INLINE_CODE = re.compile(r"`[^`\n]*`")


def _prose_signals(prose: str, config: RouteConfig) -> dict[tuple[TierName, str], list[str]]:
    """Signals of scale and of unfamiliar libraries in the prose, by (tier, family)."""
    out: dict[tuple[TierName, str], list[str]] = {}
    lowered = prose.lower()
    # Each regex only when its cheap precondition holds: most prompts name no scale at all.
    machines = _MACHINES.finditer(prose) if _MACHINE_NOUN.search(lowered) else ()
    for match in machines:
        out.setdefault(("complex", "distributed systems"), []).append(match.group(0).lower())
    rows = _ROWS.finditer(prose) if _ROW_NOUN.search(lowered) else ()
    for match in rows:
        number = float(match.group(1).replace(",", "")) * _SCALE.get(
            (match.group(2) or "").lower(), 1.0
        )
        if number >= 1e8:
            out.setdefault(("complex", "large-scale data"), []).append(match.group(0))
        elif number >= 1e6:
            out.setdefault(("moderate", "sizeable data"), []).append(match.group(0))
    for match in _BYTES.finditer(prose) if "b" in lowered and _BYTE_UNIT.search(lowered) else ():
        unit = match.group(1).lower()
        tier: TierName = "moderate" if unit.startswith("g") else "complex"
        family = "sizeable data" if tier == "moderate" else "large-scale data"
        out.setdefault((tier, family), []).append(match.group(0))
    if config.builtin_keywords and _LIBRARY_NOUN.search(lowered):
        familiar = FAMILIAR_LIBRARIES | {name.lower() for name in config.familiar_libraries}
        for match in _LIBRARY.finditer(prose):
            name = (match.group(1) or match.group(2) or "").lower().strip(".-")
            if name and name not in familiar and name not in _NOT_NAMES:
                out.setdefault(("complex", "unfamiliar library"), []).append(name)
    return out


# Words "the X library" can have in place of a name.
_NOT_NAMES = frozenset(
    "a an the this that our their its same new standard whole client python js javascript"
    " rust go java typescript internal external official main core utils helper shared".split()
)


def _requirements(prose: str) -> int:
    """Clauses of the request: 1 + separators between requirements (in prose, not inline code)."""
    head = _INLINE_CODE.sub("x", prose[:2_000])
    return 1 + len(_REQUIREMENT.findall(head))


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
_FENCE = re.compile(r"[ \t]{0,3}(?:```|~~~)[ \t]*[\w+#.-]*[ \t]*")


def _fences(text: str) -> list[int]:
    """Where the fence lines start. Only the lines holding ``` or ~~~ are matched (a pasted
    module of 40 KB has a handful of them; a multi-line regex over all of it costs 0.5 ms)."""
    starts: set[int] = set()
    for marker in ("```", "~~~"):
        position = text.find(marker)
        while position >= 0:
            start = text.rfind("\n", 0, position) + 1
            end = text.find("\n", position)
            end = len(text) if end < 0 else end
            if _FENCE.fullmatch(text, start, end):
                starts.add(start)
            position = text.find(marker, end)
    return sorted(starts)


# The end of a token naming a code file: where to look before matching the whole token.
_EXTENSION = re.compile(rf"\.(?:{_CODE_EXTENSIONS})(?=[`'\")\]>,.:;!?]*(?:\s|$))", re.I)


def _count_files(text: str) -> int:
    named = set()
    for hit in _EXTENSION.finditer(text):
        start = max(text.rfind(" ", 0, hit.start()), text.rfind("\n", 0, hit.start()))
        start = max(start, text.rfind("\t", 0, hit.start())) + 1
        end = hit.end()
        while end < len(text) and not text[end].isspace():
            end += 1
        if match := _FILE_TOKEN.fullmatch(text, start, end):
            named.add(match.group(1).lower())
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


def _prose(text: str, fences: list[int]) -> str:
    """The prose: the text outside fenced code blocks and unfenced code lines, at most
    MAX_SCAN_CHARS of it (head and tail)."""
    if fences:
        pieces, position = [], 0
        for opening, closing in itertools.zip_longest(fences[::2], fences[1::2]):
            pieces.append(text[position:opening])
            position = len(text) if closing is None else closing
        pieces.append(text[position:])
        text = "\n".join(pieces)
    text = _cut(text, MAX_SCAN_CHARS * 3)
    if _CODE_LINE.search(text):
        # Code pasted without fences (a signature and its docstring, a doctest, an indented
        # block) is code too: its commas are not requirements, its names not keywords.
        text = "\n".join(line for line in text.split("\n") if not _CODE_LINE.match(line))
    return _cut(text, MAX_SCAN_CHARS)


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``: its head and its tail, where a request is."""
    if len(text) <= limit:
        return text
    head = limit * 4 // 5
    return text[:head] + "\n" + text[-(limit - head) :]


# A line of code outside fences: indented by four spaces or a tab, a doctest, or one that opens
# with a declaration (lowercase keywords: prose lines start with a capital or a plain word).
_CODE_LINE = re.compile(
    r"^(?:(?: {4}|\t)[ \t]*\S|>>> |(?:async\s+)?def\s+\w+\s*\(|class\s+\w+\s*[(:]"
    r"|from\s+[\w.]+\s+import\s|import\s+[\w.]+\s*$|@[\w.]+\s*(?:\(|$)"
    r"|(?:const|let|var)\s+\w+\s*=|(?:function|fn|func)\s+\w+\s*\(|#include\b)",
    re.M,
)


@dataclasses.dataclass(frozen=True)
class _Compiled:
    groups: tuple[tuple[TierName, str], ...]
    matcher: Matcher


@functools.lru_cache(maxsize=32)
def _compile(config: RouteConfig) -> _Compiled:
    groups: list[tuple[TierName, str]] = []
    phrases: list[tuple[str, ...]] = []
    for tier in TIERS:
        if config.builtin_keywords:
            for label, words in BUILTIN_KEYWORDS[tier].items():
                groups.append((tier, label))
                phrases.append(words)
        extra = getattr(config, tier)
        if extra:
            groups.append((tier, "configured keywords"))
            phrases.append(extra)
    return _Compiled(tuple(groups), Matcher(phrases))
