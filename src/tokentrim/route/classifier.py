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
A keyword is a phrase matched case-insensitively at word boundaries; a space in it also matches
``-`` or ``_``, and a trailing ``*`` matches any word ending (``encrypt*``).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from typing import Literal

from tokentrim.route.config import RouteConfig

__all__ = ["TIERS", "Tier", "TierName", "classify"]

TierName = Literal["simple", "moderate", "complex"]
TIERS: tuple[TierName, ...] = ("simple", "moderate", "complex")

CHARS_PER_TOKEN = 4
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
    for tier, label, pattern in compiled.groups:
        found = _matches(pattern, text)
        if found:
            groups_hit[tier] += 1
            reasons.append(f"{tier}: {label} ({', '.join(found)})")
    if groups_hit["complex"]:
        score += min(3.0 + (groups_hit["complex"] - 1), 5.0)
    if groups_hit["simple"]:
        score -= 1.0

    tokens = (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
    files = _count_files(text)
    blocks = (len(_FENCE.findall(text)) + 1) // 2  # fences pair up: opening, closing
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


# --- built-in keywords -----------------------------------------------------------------------

BUILTIN_KEYWORDS: dict[TierName, dict[str, tuple[str, ...]]] = {
    "simple": {
        "docstrings": ("docstring*", "doctest*", "document this", "document the function"),
        "unit tests": (
            "unit test*",
            "unittest*",
            "test case*",
            "pytest test*",
            "write tests",
            "write pytest",
            "generate tests",
            "parametrized test*",
            "parametrised test*",
            "tests for",
        ),
        "format conversion": (
            "convert this json",
            "convert this csv",
            "convert this yaml",
            "convert this xml",
            "convert this python dict",
            "convert this requirements",
            "to yaml",
            "to json",
            "to toml",
            "to csv",
            "markdown table",
            "to camelcase",
            "to snake_case",
            "translate this",
        ),
        "boilerplate": (
            "boilerplate",
            "scaffold*",
            "skeleton",
            "hello world",
            "hello-world",
            "dockerfile",
            "gitignore",
            "github actions",
            "workflow that runs",
            "dataclass",
            "argparse",
            "logging config",
            "__init__.py",
            "minimal",
        ),
        "small edit": (
            "rename the variable",
            "typo",
            "add type hints to this function",
            "explain what",
            "regex",
            "one-line*",
        ),
    },
    "moderate": {
        "refactor": (
            "refactor*",
            "dependency injection",
            "inject*",
            "depends",
            "restructur*",
            "extract*",
            "split this",
            "move the",
            "rewrite these",
            "rewrite this",
            "strategy pattern",
            "observer pattern",
            "factory",
            "design pattern",
            "testable",
            "interfaces",
            "protocols",
            "duplicated",
            "duplication",
            "into a class",
            "into a package",
            "clean up",
            "break it up",
            "break up",
            "split up",
            "inheritance",
            "composition",
            "global state",
            "mutable state",
            "layer*",
            "each concern",
            "separation of concerns",
            "plugin*",
            "entry points",
        ),
        "migration": (
            "migrate this",
            "migrate from",
            "port this",
            "python 2",
            "to asyncio",
            "asyncio",
            "to async",
            "function component",
            "hooks",
            "sqlalchemy",
            "orm",
            "upgrade*",
            "v1 to v2",
            "to v2",
            "move our",
            "i18n",
            "internationali*",
            "localiz*",
        ),
        "feature in existing code": (
            "cach*",
            "ttl",
            "paginat*",
            "rate limit*",
            "token bucket",
            "retr*",
            "backoff",
            "middleware",
            "celery",
            "background task",
            "soft delete",
            "fixtures",
            "testcontainers",
            "exception hierarchy",
            "specific exceptions",
            "thread it through",
            "thread safe",
            "from several threads",
            "export options",
            "mypy --strict",
            "mypy strict",
            "type hints to this module",
            "application factory",
            "structured json logging",
            "update the caller*",
            "update the imports",
            "update the tests",
            "instead of being hard coded",
            "hard coded",
            "existing",
            "reusing",
            "reuse the",
            "undo",
            "websocket*",
            "record and replay",
            "mock*",
            "fake",
        ),
        "performance": (
            "vectori*",
            "o(n",
            "slow",
            "optimi*",
            "speed up",
            "faster",
            "numpy",
            "takes minutes",
        ),
    },
    "complex": {
        "security-sensitive": (
            "auth",
            "authenticat*",
            "authoriz*",
            "jwt",
            "oauth*",
            "saml",
            "single sign on",
            "sso",
            "pkce",
            "password*",
            "credential*",
            "secret*",
            "api keys",
            "vault",
            "encrypt*",
            "decrypt*",
            "cryptograph*",
            "aes",
            "kms",
            "key exchange",
            "key rotation",
            "x25519",
            "signatures",
            "token signature",
            "verify the signature",
            "signature verif*",
            "signature valid*",
            "signed token*",
            "signed url*",
            "signed cookie*",
            "single use token*",
            "csrf",
            "xss",
            "sql injection",
            "command injection",
            "code injection",
            "prompt injection",
            "injection attack*",
            "path traversal",
            "zip bomb*",
            "sanitiz*",
            "a sandbox",
            "sandboxing",
            "sandboxed",
            "arbitrary files",
            "arbitrary code",
            "permission*",
            "rbac",
            "access control",
            "timing attack*",
            "session fixation",
            "vulnerab*",
            "exploit*",
            "harden*",
            "audit",
            "tls",
            "mtls",
            "two factor",
            "2fa",
            "mfa",
            "totp",
            "pci",
            "credit card*",
            "content security policy",
            "certificate*",
            "user submitted",
            "untrusted",
            "webhook*",
        ),
        "multi-step reasoning": (
            "step by step",
            "reason about",
            "design the",
            "design an",
            "design a",
            "architecture",
            "trade offs",
            "plan the",
            "plan and implement",
            "prove",
            "derive",
            "find the leak",
            "memory leak",
            "leak",
            "p99",
            "latency",
            "flame graph*",
            "intermittent*",
            "zero downtime",
            "without downtime",
            "microservices",
            "multi tenant",
            "type inference",
            "hindley milner",
            "type checker",
            "numerically stable",
            "consistency",
            "crdt",
            "three way merge",
            "proration",
            "nondetermini*",
            "error analysis",
            "numerical*",
            "floating point",
            "fixed point",
        ),
        "concurrency or distributed": (
            "race condition*",
            "deadlock*",
            "concurren*",
            "lock free",
            "atomics",
            "memory ordering*",
            "fine grained locking",
            "distributed",
            "exactly once",
            "idempoten*",
            "leader election",
            "network partition*",
            "split brain",
            "consensus",
            "transactional outbox",
            "race",
            "clock skew",
            "node failure*",
            "nodes crash",
            "cluster",
            "shard*",
            "reshard*",
            "threads update",
        ),
        "unfamiliar library": (
            "in house",
            "internal library",
            "internal framework",
            "internal workflow",
            "internal tool*",
            "undocumented",
            "no docs",
            "without docs",
            "custom rpc",
            "brand new",
            "just released",
            "latest version",
            "source attached",
            "using only its source",
        ),
    },
}

_CODE_EXTENSIONS = (
    "py|pyi|ipynb|js|jsx|mjs|ts|tsx|go|rs|java|kt|kts|rb|php|c|cc|cpp|cxx|h|hpp|cs|swift|scala"
    "|sql|sh|vue|svelte|ex|exs|erl|hs|ml|lua|dart|r|jl"
)
_FILE_NAME = re.compile(rf"(?<![\w./-])([\w-]+(?:/[\w.-]+)*\.(?:{_CODE_EXTENSIONS}))\b", re.I)
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
    named = {name.lower() for name in _FILE_NAME.findall(text)}
    stated = [
        int(n) if n.isdigit() else _NUMBERS[n.lower()]
        for n in (m.group(1) for m in _FILE_COUNT.finditer(text))
    ]
    return max([len(named), *stated])


@dataclasses.dataclass(frozen=True)
class _Compiled:
    groups: tuple[tuple[TierName, str, re.Pattern[str]], ...]


@functools.lru_cache(maxsize=32)
def _compile(config: RouteConfig) -> _Compiled:
    groups: list[tuple[TierName, str, re.Pattern[str]]] = []
    for tier in TIERS:
        if config.builtin_keywords:
            for label, phrases in BUILTIN_KEYWORDS[tier].items():
                groups.append((tier, label, _pattern(phrases)))
        extra = getattr(config, tier)
        if extra:
            groups.append((tier, "configured keywords", _pattern(extra)))
    return _Compiled(tuple(groups))


def _pattern(phrases: Sequence[str]) -> re.Pattern[str]:
    parts = []
    for phrase in sorted({p.strip().lower() for p in phrases if p.strip()}, key=len, reverse=True):
        stem = phrase.endswith("*")
        words = [re.escape(word) for word in phrase.rstrip("*").split()]
        body = r"[\s_-]+".join(words)
        start = r"\b" if re.match(r"\w", phrase) else ""
        end = r"\w*" if stem else (r"\b" if re.search(r"\w$", phrase) else "")
        parts.append(start + body + end)
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)


def _matches(pattern: re.Pattern[str], text: str) -> list[str]:
    found: dict[str, None] = {}
    for match in pattern.finditer(text):
        found.setdefault(match.group(0).lower(), None)
        if len(found) == 4:  # enough to explain the decision
            break
    return list(found)
