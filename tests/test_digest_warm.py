"""A warm digest ranks from the cached arrays with numpy alone: same scores as bm25s and scipy, same
digest as without the cache, and neither scipy, bm25s, networkx nor libcst imported."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import bm25s
import bm25s.stopwords
import numpy as np
import pytest
import scipy.sparse
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import tokentrim
from tokentrim.digest.collect import cache_root, collect
from tokentrim.digest.model import ModuleInfo, Scored, SourceFile, Symbol, built
from tokentrim.digest.rank import Ranker, RankState, _Transition, bm25_scores, power_iteration
from tokentrim.digest.store import load_tree
from tokentrim.digest.terms import STOPWORDS_EN

SOURCES = {
    "__init__.py": '''
        """Tiny: clients, timeouts and retries."""
        from .client import Client
        from .config import Timeout, Retry

        __all__ = ["Client", "Retry", "Timeout"]
    ''',
    "config.py": '''
        """Configuration."""
        DEFAULT_TIMEOUT = 5.0


        class Timeout:
            """How long to wait for a connection and a read."""

            def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
                self.timeout = timeout


        class Retry:
            """Retry failed connections a number of times, with a backoff."""

            def backoff(self, attempt: int) -> float:
                """The delay before retry number ``attempt``."""
                return 0.5 * attempt
    ''',
    "client.py": '''
        from .config import Retry, Timeout


        class Client:
            """Sends requests, following redirects, with a timeout and retries."""

            def __init__(self, timeout: Timeout | None = None, retry: Retry | None = None) -> None:
                self.timeout = timeout or Timeout()
                self.retry = retry or Retry()

            def send(self, request: str) -> str:
                """Send a request and return the body."""
                return self._attempt(request, self.retry.backoff(1))

            def _attempt(self, request: str, delay: float) -> str:
                return request

            def close(self) -> None:
                """Close the connections."""
    ''',
}
QUERIES = [None, "", "timeout", "how do I retry a failed request", "close the client", "zzz"]


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    root.mkdir()
    for name, source in SOURCES.items():
        (root / name).write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
    return root


def test_the_digest_with_and_without_the_cache_is_the_same(package: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for ranking in ("combined", "bm25", "pagerank"):
        for query in QUERIES:
            for budget in (0, 40, 150, 1000):
                runs = [
                    tokentrim.digest(package, budget=budget, query=query, ranking=ranking, **kw)  # type: ignore[arg-type]
                    for kw in ({"cache": False}, {"cache_dir": cache}, {"cache_dir": cache})
                ]
                texts = {run.text for run in runs}
                assert len(texts) == 1, (ranking, query, budget)
                rows = {
                    tuple((e.qualified_name, e.score, e.bm25, e.pagerank) for e in run.entries)
                    for run in runs
                }
                assert len(rows) == 1, (ranking, query, budget)
    assert list(cache.rglob("graph.npz"))


def test_the_cached_state_ranks_every_entry_as_the_built_one(package: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    tokentrim.digest(package, cache_dir=cache)
    fresh = collect([package], cache=False)
    key = collect([package], cache_dir=cache).key
    assert key is not None
    loaded = load_tree(cache_root(cache), key)
    assert loaded is not None
    warm_files, state = loaded
    built_ranker, warm_ranker = Ranker(fresh.files), Ranker(warm_files.files, state)
    for query in QUERIES:
        for ranking in ("combined", "bm25", "pagerank"):
            cold = built_ranker.rank(query=query, focus=("Client.send",), ranking=ranking)[0]  # type: ignore[arg-type]
            warm = warm_ranker.rank(query=query, focus=("Client.send",), ranking=ranking)[0]  # type: ignore[arg-type]
            assert [(e.qualified_name, e.score, e.bm25, e.pagerank) for e in cold] == [
                (e.qualified_name, e.score, e.bm25, e.pagerank) for e in warm
            ]


def test_a_warm_run_imports_no_scipy_bm25s_networkx_or_libcst(
    package: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "TOKENTRIM_CACHE_DIR": str(tmp_path / "cache")}
    run = [sys.executable, "-m", "tokentrim", "digest", str(package), "--query", "retry", "-q"]
    cold = subprocess.run(run, env=env, capture_output=True, text=True, check=True)
    code = (
        "import json, sys\n"
        "from tokentrim.cli import main\n"
        f"code = main(['digest', {str(package)!r}, '--query', 'retry', '-q'])\n"
        "heavy = [m for m in ('scipy', 'bm25s', 'networkx', 'libcst', 'black') if m in sys.modules]\n"
        "print(json.dumps(heavy), file=sys.stderr)\n"
    )
    warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr
    assert json.loads(warm.stderr.strip().splitlines()[-1]) == []
    assert warm.stdout == cold.stdout and cold.stdout


def test_the_stop_words_are_bm25s_s() -> None:
    assert frozenset(bm25s.stopwords.STOPWORDS_EN) == STOPWORDS_EN


_TOKENS = st.sampled_from(["time", "out", "client", "send", "retri", "url", "x", "pool", "\x00"])


@settings(max_examples=examples(40))
@given(
    corpus=st.lists(st.lists(_TOKENS, min_size=1, max_size=12), min_size=1, max_size=30),
    query=st.lists(_TOKENS, min_size=1, max_size=5, unique=True),
    method=st.sampled_from(["lucene", "robertson", "atire", "bm25l", "bm25+"]),
)
def test_bm25_scores_are_bm25s_get_scores_to_the_bit(
    corpus: list[list[str]], query: list[str], method: str
) -> None:
    retriever = bm25s.BM25(method=method)
    retriever.index(corpus, show_progress=False)
    known = [t for t in query if t in retriever.vocab_dict]
    if not known:
        return
    vocabulary = sorted(retriever.vocab_dict, key=retriever.vocab_dict.__getitem__)
    state = RankState(
        data=None,
        indices=None,
        indptr=None,
        dangling=None,
        bm25_data=retriever.scores["data"],
        bm25_indices=retriever.scores["indices"],
        bm25_indptr=retriever.scores["indptr"],
        vocabulary=tuple(vocabulary),
        nonoccurrence=retriever.nonoccurrence_array,
    )
    ours = bm25_scores(state, [vocabulary.index(t) for t in known], len(corpus))
    theirs = retriever.get_scores(known)
    assert ours.dtype == theirs.dtype
    assert ours.tobytes() == theirs.tobytes()


@settings(max_examples=examples(40))
@given(
    size=st.integers(1, 30),
    edges=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29), st.floats(0.1, 5.0))),
    seed=st.integers(0, 2**16),
)
def test_the_numpy_transition_is_scipy_s_to_the_bit(
    size: int, edges: list[tuple[int, int, float]], seed: int
) -> None:
    kept = [(a, b, w) for a, b, w in edges if a < size and b < size]
    adjacency = scipy.sparse.csr_array(
        ([w for *_, w in kept], ([a for a, *_ in kept], [b for _, b, _ in kept])),
        shape=(size, size),
        dtype=float,
    )
    out = np.asarray(adjacency.sum(axis=1)).ravel()
    scale = np.divide(1.0, out, out=np.zeros_like(out), where=out != 0)
    matrix = scipy.sparse.csr_array(scipy.sparse.diags_array(scale) @ adjacency)
    rows = np.repeat(np.arange(size), np.diff(matrix.indptr))
    ours = _Transition(matrix.data, matrix.indices, rows, size)
    x = np.random.default_rng(seed).random(size)
    assert (x @ ours).tobytes() == (x @ matrix).tobytes()
    dangling = np.where(out == 0)[0]
    p = np.random.default_rng(seed + 1).random(size) + 0.01
    assert (
        power_iteration(ours, dangling, p).tobytes()
        == power_iteration(matrix, dangling, p).tobytes()
    )


def test_built_is_the_dataclass_constructor() -> None:
    symbol_fields = {
        "qualname": "Client.send",
        "kind": "method",
        "signature": "def send(self) -> None:",
        "doc": "Send.",
        "text": "",
        "line": 3,
        "names": ("a",),
        "attrs": ("b",),
        "terms": ("send",),
    }
    assert set(symbol_fields) == {f.name for f in dataclasses.fields(Symbol)}
    symbol = built(Symbol, **symbol_fields)
    assert symbol == Symbol(**symbol_fields)  # type: ignore[arg-type]
    assert hash(symbol) == hash(Symbol(**symbol_fields))  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        symbol.doc = "changed"  # type: ignore[misc]
    file = SourceFile(path="a.py", module="a", info=ModuleInfo())
    scored_fields = {
        "file": file,
        "symbol": symbol,
        "score": 1.0,
        "bm25": 0.5,
        "pagerank": 0.25,
        "prior": 0.1,
    }
    assert set(scored_fields) == {f.name for f in dataclasses.fields(Scored)}
    assert built(Scored, **scored_fields) == Scored(**scored_fields)  # type: ignore[arg-type]
