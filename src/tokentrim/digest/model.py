"""The values the digest passes between its stages: what a file holds, and what the digest kept.

Everything here is a frozen dataclass of strings, ints and tuples so that an extracted file can be
cached as JSON and read back without importing libcst, networkx or bm25s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

__all__ = [
    "Digest",
    "Import",
    "ModuleInfo",
    "Scored",
    "Skipped",
    "SourceFile",
    "Symbol",
    "built",
]

Kind = Literal["module", "class", "function", "method"]
Format = Literal["text", "markdown", "json"]
Ranking = Literal["combined", "bm25", "pagerank"]
_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class Symbol:
    """A class, function or method of one module, as the digest shows it.

    ``qualname`` is local to the module (``Client.send``); ``signature`` is the decorators and the
    ``def``/``class`` line with long defaults elided, on one line each; ``doc`` is the docstring's
    summary line. ``text`` (more of the docstring) lives only during extraction, which turns it
    into ``terms``; cached and ranked symbols have it empty.
    """

    qualname: str
    kind: Kind
    signature: str
    doc: str = ""
    text: str = ""
    line: int = 0
    names: tuple[str, ...] = ()  # bare names referenced in the body (resolved through imports)
    attrs: tuple[str, ...] = ()  # attribute names referenced (`self.send`, `httpx.Client`)
    terms: tuple[str, ...] = ()  # what BM25 matches: name (twice), class, parameters, docstring

    @property
    def parent(self) -> str:
        """The enclosing class's qualname, or "" at module level."""
        return self.qualname.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]


@dataclasses.dataclass(frozen=True)
class Import:
    """``local`` is bound by ``import module`` / ``from module import name`` (``level`` dots)."""

    local: str
    module: str
    name: str | None = None
    level: int = 0


@dataclasses.dataclass(frozen=True)
class ModuleInfo:
    """What the digest takes from one Python file; independent of the file's path (cacheable)."""

    doc: str = ""
    text: str = ""
    all: tuple[str, ...] | None = None
    constants: tuple[str, ...] = ()
    imports: tuple[Import, ...] = ()
    symbols: tuple[Symbol, ...] = ()
    names: tuple[str, ...] = ()  # referenced by module-level code
    attrs: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()  # the module's docstring and constants, for BM25

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModuleInfo:
        return cls(
            doc=data["doc"],
            text=data["text"],
            all=None if data["all"] is None else tuple(data["all"]),
            constants=tuple(data["constants"]),
            imports=tuple(Import(**item) for item in data["imports"]),
            symbols=tuple(
                Symbol(
                    **{
                        **item,
                        "names": tuple(item["names"]),
                        "attrs": tuple(item["attrs"]),
                        "terms": tuple(item["terms"]),
                    }
                )
                for item in data["symbols"]
            ),
            names=tuple(data["names"]),
            attrs=tuple(data["attrs"]),
            terms=tuple(data["terms"]),
        )


@dataclasses.dataclass(frozen=True)
class SourceFile:
    """One extracted file: ``path`` as the digest shows it, ``module`` its dotted name."""

    path: str
    module: str
    info: ModuleInfo
    lines: int = 0

    @property
    def is_package(self) -> bool:
        return self.path.endswith("__init__.py")


@dataclasses.dataclass(frozen=True)
class Skipped:
    """A file the digest did not read, and why (binary, generated, huge, not UTF-8, no parse)."""

    path: str
    reason: str


@dataclasses.dataclass(frozen=True)
class Scored:
    """A ranked entry: a symbol, or a module's own entry (``symbol is None``), with its score.

    ``bm25`` and ``pagerank`` are the two rankings' parts: BM25 scaled to [0, 1] by its maximum;
    PageRank scaled so, except in the combined ranking with a query that matched, where it is the
    graph's part by rank (``(60 + 1) / (60 + r)`` for the ``r``-th by the walk, see ``rank``);
    ``prior`` the structural prior the combined ranking weighs them by (1 elsewhere); ``score`` is
    what the entries were sorted by.
    """

    file: SourceFile
    symbol: Symbol | None
    score: float
    bm25: float = 0.0
    pagerank: float = 0.0
    prior: float = 1.0

    @property
    def qualified_name(self) -> str:
        if self.symbol is None:
            return self.file.module
        return (
            f"{self.file.module}.{self.symbol.qualname}"
            if self.file.module
            else self.symbol.qualname
        )


@dataclasses.dataclass(frozen=True)
class Digest:
    """A codebase's signatures and docstrings, fitted to a token budget and ranked for a task.

    ``text`` is the rendered digest (``format``), exactly ``tokens`` tokens long in ``encoding``,
    never more than ``budget``. ``entries`` are the entries it shows, best first; ``candidates``
    counts every entry that was ranked. ``skipped`` lists the files that were not read and why.
    """

    text: str
    tokens: int
    budget: int
    encoding: str
    format: Format
    entries: tuple[Scored, ...]
    candidates: int
    files: int
    lines: int
    skipped: tuple[Skipped, ...] = ()
    warnings: tuple[str, ...] = ()
    query: str | None = None
    focus: tuple[str, ...] = ()
    ranking: Ranking = "combined"

    def __str__(self) -> str:
        return self.text

    def __contains__(self, qualified_name: object) -> bool:
        """``"httpx._client.Client.send" in digest``: is that entry shown?"""
        return any(entry.qualified_name == qualified_name for entry in self.entries)

    @property
    def names(self) -> tuple[str, ...]:
        """The qualified names of the entries shown, best first."""
        return tuple(entry.qualified_name for entry in self.entries)

    def as_messages(
        self, task: str | None = None, *, style: Literal["openai", "anthropic"] = "openai"
    ) -> list[dict[str, Any]]:
        """Chat messages that hand the digest (and the task, when given) to a model.

        ``style="openai"``: a system message with the digest, then the task as a user message
        (Chat Completions; also what most OpenAI-compatible servers take). ``style="anthropic"``:
        Messages API has no system role inside ``messages``, so a single user message carries the
        digest and the task as two text blocks (pass ``system=`` yourself if you want one).
        """
        intro = (
            "Here is a digest of the codebase: signatures and docstring summaries, bodies elided "
            "as …, ranked for the task and cut to fit."
        )
        context = f"{intro}\n\n{self.text}"
        if style == "openai":
            messages: list[dict[str, Any]] = [{"role": "system", "content": context}]
            if task:
                messages.append({"role": "user", "content": task})
            return messages
        if style == "anthropic":
            blocks: list[dict[str, Any]] = [{"type": "text", "text": context}]
            if task:
                blocks.append({"type": "text", "text": task})
            return [{"role": "user", "content": blocks}]
        raise ValueError(f"style must be 'openai' or 'anthropic', not {style!r}")

    def explain(self) -> str:
        """One line per shown entry: rank, score, the two rankings' parts and the prior (score =
        prior × (0.7 × bm25 + 0.3 × graph) for an entry a query matched, graph being the walk's
        rank r as 61 / (60 + r)), qualified name."""
        rows = [f"{'rank':>4}  {'score':>6}  {'bm25':>6}  {'graph':>6}  {'prior':>5}  entry"]
        for number, entry in enumerate(self.entries, start=1):
            rows.append(
                f"{number:>4}  {entry.score:6.3f}  {entry.bm25:6.3f}  {entry.pagerank:6.3f}  "
                f"{entry.prior:5.2f}  {entry.qualified_name}"
            )
        return "\n".join(rows)


def qualified(module: str, qualname: str) -> str:
    return f"{module}.{qualname}" if module and qualname else module or qualname


def unique(items: Sequence[str]) -> tuple[str, ...]:
    """Items in first-seen order without repeats (deterministic, unlike a set)."""
    return tuple(dict.fromkeys(items))


def built(cls: type[_T], **fields: Any) -> _T:
    """``cls(**fields)`` for a frozen dataclass, without its ``__init__``: that sets each field
    through ``object.__setattr__``, five times slower, and a warm run makes one Symbol and one
    Scored per entry (tens of thousands on a large tree). Every field must be given: a test checks
    the result equals ``cls(**fields)``. The instance stays frozen."""
    instance = object.__new__(cls)
    instance.__dict__.update(fields)
    return instance
