"""Rank a codebase's entries for a task: PageRank over the symbol graph, BM25 over the words.

Pure. The graph has one node per entry (a module's own entry, each class, function and method) and
an edge from an entry to each symbol its body refers to: bare names are resolved through the module's
definitions and imports (relative ones, re-exports and ``import *`` followed), attribute names
(``self.send``, ``client.get``) go to every symbol of that name, split between them, and not at all
when more than ``MAX_AMBIGUOUS`` share it. A method and its class point at each other, a module at its
top-level symbols. Edge weights are the square root of the reference count.

``ranking``:
- ``pagerank``: PageRank personalized by ``focus`` only (uniform without one): aider's repo map.
- ``bm25``: BM25 over each entry's name parts, enclosing class and module, parameter names and
  docstring; the query's words are split the same way, English stop words dropped, stemmed.
- ``combined``: PageRank personalized by the BM25 scores (and ``focus``), so that what the matching
  symbols use and what uses them rises with them; the score mixes both, each scaled to [0, 1]:
  ``(1 - GRAPH_WEIGHT) * bm25 + GRAPH_WEIGHT * pagerank``.

Ties are broken by file and source order: the same input always gives the same ranking.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from tokentrim.digest.model import Import, Ranking, Scored, SourceFile, Symbol

__all__ = ["GRAPH_WEIGHT", "MAX_AMBIGUOUS", "rank", "split_camel_and_snake", "words"]

GRAPH_WEIGHT = 0.3
MAX_AMBIGUOUS = 12
DAMPING = 0.85
# A little of every node in the personalization: the query's matches lead, the rest is not zeroed.
UNIFORM_FLOOR = 0.05

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_PARAM = re.compile(r"[(,]\s*\**([A-Za-z_][A-Za-z0-9_]*)")


def rank(
    files: Sequence[SourceFile],
    *,
    query: str | None = None,
    focus: Sequence[str] = (),
    ranking: Ranking = "combined",
) -> tuple[list[Scored], list[str]]:
    """Every entry of ``files``, best first, and warnings (a focus that matches nothing)."""
    entries = _entries(files)
    if not entries:
        return [], []
    focused, warnings = _focus(entries, focus)
    query_words = words(query or "")
    use_bm25 = ranking in ("bm25", "combined") and bool(query_words)
    use_graph = ranking in ("pagerank", "combined")
    bm25 = _scaled(_bm25(entries, query_words)) if use_bm25 else [0.0] * len(entries)

    graph = [0.0] * len(entries)
    if use_graph:
        personalization: list[float] | None = None
        if ranking == "combined" and use_bm25:
            personalization = [score + UNIFORM_FLOOR for score in bm25]
        if focused:
            base = personalization or [UNIFORM_FLOOR] * len(entries)
            mass = sum(base)
            share = mass / len(focused)
            personalization = [
                value + (share if index in focused else 0.0) for index, value in enumerate(base)
            ]
        graph = _scaled(_pagerank(files, entries, personalization))

    scores: list[float]
    if ranking == "bm25":
        scores = [b + (1.0 if i in focused else 0.0) for i, b in enumerate(bm25)]
    elif ranking == "pagerank" or not use_bm25:
        scores = graph
    else:
        scores = [(1 - GRAPH_WEIGHT) * b + GRAPH_WEIGHT * g for b, g in zip(bm25, graph)]
    order = sorted(range(len(entries)), key=lambda i: (-scores[i], i))
    return [
        Scored(
            file=entries[i][0],
            symbol=entries[i][1],
            score=scores[i],
            bm25=bm25[i],
            pagerank=graph[i],
        )
        for i in order
    ], warnings


def split_camel_and_snake(name: str) -> list[str]:
    """``HTTPTransport`` → [http, transport]; ``follow_redirects`` → [follow, redirects]."""
    parts: list[str] = []
    for chunk in name.split("_"):
        parts.extend(part.lower() for part in _CAMEL.findall(chunk))
    return parts


def words(text: str) -> list[str]:
    """The ranking's terms of ``text``: identifier parts, lower case, stop words out, stemmed."""
    import bm25s.stopwords

    stop = _stopwords(bm25s.stopwords.STOPWORDS_EN)
    parts = [p for token in _IDENTIFIER.findall(text) for p in split_camel_and_snake(token)]
    return _stem([p for p in parts if p not in stop and len(p) > 1])


# ---------------------------------------------------------------------------------------- entries

_Entry = tuple[SourceFile, Symbol | None]


def _entries(files: Sequence[SourceFile]) -> list[_Entry]:
    """Each file's own entry (when it has a docstring, ``__all__`` or constants), then its
    symbols, in source order."""
    entries: list[_Entry] = []
    for file in files:
        info = file.info
        if info.doc or info.all or info.constants:
            entries.append((file, None))
        entries.extend((file, symbol) for symbol in info.symbols)
    return entries


def _focus(entries: list[_Entry], focus: Sequence[str]) -> tuple[set[int], list[str]]:
    focused: set[int] = set()
    warnings: list[str] = []
    for item in focus:
        wanted = item.replace("\\", "/").strip()
        by_file = {
            i
            for i, (file, _) in enumerate(entries)
            if file.path == wanted or file.path.endswith("/" + wanted.lstrip("./"))
        }
        by_name = {
            i
            for i, entry in enumerate(entries)
            if _name(entry) == wanted or _name(entry).endswith("." + wanted)
        }
        matched = by_file or by_name
        if not matched:
            warnings.append(f"--focus {item!r} matches no file or symbol")
        focused |= matched
    return focused, warnings


def _name(entry: _Entry) -> str:
    file, symbol = entry
    if symbol is None:
        return file.module
    return f"{file.module}.{symbol.qualname}" if file.module else symbol.qualname


def _scaled(values: Sequence[float]) -> list[float]:
    top = max(values, default=0.0)
    return [v / top for v in values] if top > 0 else [0.0] * len(values)


# ---------------------------------------------------------------------------------------- BM25


def _document(entry: _Entry) -> list[str]:
    file, symbol = entry
    module_words = " ".join(file.module.split(".")[-2:])
    if symbol is None:
        text = " ".join([module_words, module_words, file.info.text, *file.info.constants])
        return words(text)
    # The name counts twice: it is what a symbol is about; the docstring says it in prose.
    params = " ".join(_PARAM.findall(symbol.signature.rsplit("\n", 1)[-1]))
    name = symbol.name
    return words(" ".join([name, name, symbol.parent, module_words, params, symbol.text]))


def _bm25(entries: list[_Entry], query_words: list[str]) -> list[float]:
    import bm25s

    corpus = [_document(entry) for entry in entries]
    vocabulary = {w for doc in corpus for w in doc}
    query = [w for w in dict.fromkeys(query_words) if w in vocabulary]
    if not query:
        return [0.0] * len(entries)
    retriever = bm25s.BM25()
    # An empty document breaks bm25s's index: give it a word no query can have.
    retriever.index([doc or ["\x00"] for doc in corpus], show_progress=False)
    scores = retriever.get_scores(query)
    return [float(s) for s in scores]


def _stopwords(words: Sequence[str]) -> frozenset[str]:
    return frozenset(words) | {"how", "do", "can", "get", "use", "using", "want", "way"}


def _stem(tokens: list[str]) -> list[str]:
    import Stemmer

    return list(_stemmer(Stemmer).stemWords(tokens))


_STEMMER: Any = None


def _stemmer(module: Any) -> Any:
    global _STEMMER
    if _STEMMER is None:
        _STEMMER = module.Stemmer("english")
    return _STEMMER


# ---------------------------------------------------------------------------------------- graph


def _pagerank(
    files: Sequence[SourceFile], entries: list[_Entry], personalization: list[float] | None
) -> list[float]:
    import networkx as nx

    edges = _edges(files, entries)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(entries)))
    graph.add_weighted_edges_from((a, b, math.sqrt(w)) for (a, b), w in edges.items())
    vector = None if personalization is None else dict(enumerate(personalization))
    try:
        ranks = nx.pagerank(graph, alpha=DAMPING, personalization=vector, weight="weight")
    except nx.PowerIterationFailedConvergence:
        ranks = nx.pagerank(graph, alpha=DAMPING, personalization=vector, max_iter=1000, tol=1e-4)
    return [float(ranks[i]) for i in range(len(entries))]


def _edges(files: Sequence[SourceFile], entries: list[_Entry]) -> dict[tuple[int, int], float]:
    module_entry: dict[str, int] = {}
    top: dict[tuple[str, str], int] = {}
    members: dict[str, int] = {}
    by_name: dict[str, list[int]] = defaultdict(list)
    for index, (file, symbol) in enumerate(entries):
        if symbol is None:
            module_entry[file.module] = index
            continue
        members[f"{file.module}.{symbol.qualname}"] = index
        if not symbol.parent:
            top[(file.module, symbol.qualname)] = index
        by_name[symbol.name].append(index)
    for file in files:
        for constant in file.info.constants:
            if file.module in module_entry:
                top.setdefault((file.module, constant), module_entry[file.module])
    imports = {file.module: _import_table(file) for file in files}
    resolver = _Resolver(top, imports, module_entry)

    edges: dict[tuple[int, int], float] = Counter()
    for index, (file, symbol) in enumerate(entries):
        names = file.info.names if symbol is None else symbol.names
        attrs = file.info.attrs if symbol is None else symbol.attrs
        for name in names:
            target = resolver.resolve(file.module, name)
            if target is not None and target != index:
                edges[(index, target)] += 1.0
        for attr in attrs:
            candidates = by_name.get(attr, ())
            if 0 < len(candidates) <= MAX_AMBIGUOUS:
                for target in candidates:
                    if target != index:
                        edges[(index, target)] += 1.0 / len(candidates)
        if symbol is not None:
            parent = members.get(f"{file.module}.{symbol.parent}") if symbol.parent else None
            owner = parent if parent is not None else module_entry.get(file.module)
            if owner is not None:
                edges[(index, owner)] += 1.0
                edges[(owner, index)] += 0.25
    return edges


def _import_table(file: SourceFile) -> dict[str, Import]:
    """local name → the import that binds it, with relative modules made absolute."""
    package = file.module if file.is_package else file.module.rpartition(".")[0]
    table: dict[str, Import] = {}
    for item in file.info.imports:
        module = item.module
        if item.level:
            parts = package.split(".") if package else []
            base = parts[: len(parts) - (item.level - 1)] if item.level > 1 else parts
            module = ".".join([*base, *([item.module] if item.module else [])])
        key = item.local if item.local != "*" else f"*{module}"
        table[key] = Import(local=item.local, module=module, name=item.name)
    return table


class _Resolver:
    def __init__(
        self,
        top: dict[tuple[str, str], int],
        imports: dict[str, dict[str, Import]],
        module_entry: dict[str, int],
    ) -> None:
        self.top, self.imports, self.module_entry = top, imports, module_entry
        self.memo: dict[tuple[str, str], int | None] = {}

    def resolve(self, module: str, name: str, depth: int = 0) -> int | None:
        key = (module, name)
        if key in self.memo:
            return self.memo[key]
        self.memo[key] = None  # cycles (a re-exports from b re-exports from a) end here
        found = self._resolve(module, name, depth)
        self.memo[key] = found
        return found

    def _resolve(self, module: str, name: str, depth: int) -> int | None:
        if (module, name) in self.top:
            return self.top[(module, name)]
        if depth > 8:
            return None
        table = self.imports.get(module, {})
        bound = table.get(name)
        if bound is not None:
            if bound.name is None:
                return self.module_entry.get(bound.module)
            if bound.module in self.imports:
                found = self.resolve(bound.module, bound.name, depth + 1)
                if found is not None:
                    return found
            return self.module_entry.get(f"{bound.module}.{bound.name}")
        for key, star in table.items():
            if key.startswith("*") and star.module in self.imports:
                found = self.resolve(star.module, name, depth + 1)
                if found is not None:
                    return found
        return None
