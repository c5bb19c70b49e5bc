"""Properties of the digest: never over budget on random trees and budgets; PageRank as networkx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import tokentrim
from tokentrim.digest.rank import power_iteration
from tokentrim.tokens import count_tokens

_WORDS = ["timeout", "client", "send", "request", "retry", "HTTPError", "parse_url", "cache", "x"]
identifiers = st.builds(
    lambda parts: "_".join(parts),
    st.lists(
        st.sampled_from(["get", "set", "url", "pool", "limit", "close", "Stream", "a"]),
        min_size=1,
        max_size=3,
    ),
)
docstrings = st.one_of(
    st.just(""), st.lists(st.sampled_from(_WORDS), min_size=1, max_size=40).map(" ".join)
)


@st.composite
def functions(draw: st.DrawFn, indent: str = "") -> str:
    name = draw(identifiers)
    params = draw(st.lists(identifiers, max_size=4, unique=True))
    default = draw(st.sampled_from(["", " = None", ' = "' + "v" * 40 + '"']))
    signature = ", ".join(params) + (default if params else "")
    decorator = draw(st.sampled_from(["", f"{indent}@property\n", f"{indent}@functools.cache\n"]))
    doc = draw(docstrings)
    body = f'{indent}    """{doc}"""\n' if doc else f"{indent}    pass\n"
    calls = draw(st.lists(identifiers, max_size=3))
    body += "".join(f"{indent}    {call}()\n" for call in calls)
    return f"{decorator}{indent}def {name}({signature}) -> int:\n{body}"


@st.composite
def modules(draw: st.DrawFn) -> str:
    parts = [f'"""{draw(docstrings) or "Module."}"""', "import functools", "LIMIT = 3"]
    for _ in range(draw(st.integers(0, 4))):
        parts.append(draw(functions()))
    for _ in range(draw(st.integers(0, 2))):
        methods = "".join(draw(functions(indent="    ")) for _ in range(draw(st.integers(0, 3))))
        doc = draw(docstrings)
        parts.append(f'class {draw(identifiers).title()}:\n    """{doc}"""\n{methods}')
    return "\n\n".join(parts) + "\n"


trees = st.dictionaries(
    st.sampled_from(["__init__.py", "a.py", "b.py", "sub/__init__.py", "sub/c.py", "ünï.py"]),
    modules(),
    min_size=1,
    max_size=5,
)


@settings(max_examples=examples(40))
@given(
    tree=trees,
    budget=st.integers(0, 700),
    query=st.one_of(st.none(), st.lists(st.sampled_from(_WORDS), max_size=5).map(" ".join)),
    output_format=st.sampled_from(["text", "markdown", "json"]),
    ranking=st.sampled_from(["combined", "bm25", "pagerank"]),
    model=st.sampled_from([None, "gpt-4o"]),
)
def test_digest_never_exceeds_its_budget(
    tree: dict[str, str],
    budget: int,
    query: str | None,
    output_format: str,
    ranking: str,
    model: str | None,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "pkg"
        for name, source in tree.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source, encoding="utf-8")
        result = tokentrim.digest(
            root,
            budget=budget,
            query=query,
            format=output_format,  # type: ignore[arg-type]
            ranking=ranking,  # type: ignore[arg-type]
            model=model,
            cache_dir=Path(tmp) / "cache",
        )
    assert result.tokens == count_tokens(result.text, model=model) <= budget
    assert len(result.entries) <= result.candidates
    if budget >= 700 and result.candidates:
        assert result.entries


@settings(max_examples=examples(30))
@given(
    size=st.integers(1, 40),
    edges=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39), st.floats(0.1, 5.0))),
    personalized=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_power_iteration_is_networkx_pagerank(
    size: int, edges: list[tuple[int, int, float]], personalized: bool, seed: int
) -> None:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(size))
    graph.add_weighted_edges_from((a, b, w) for a, b, w in edges if a < size and b < size)
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=range(size), dtype=float)
    out = np.asarray(adjacency.sum(axis=1)).ravel()
    scale = np.divide(1.0, out, out=np.zeros_like(out), where=out != 0)
    transition = scipy.sparse.csr_array(scipy.sparse.diags_array(scale) @ adjacency)
    vector = np.random.default_rng(seed).random(size) + 0.01 if personalized else None
    ours = power_iteration(transition, np.where(out == 0)[0], vector)
    theirs = nx.pagerank(
        graph, personalization=None if vector is None else dict(enumerate(vector)), tol=1e-6
    )
    assert np.allclose(ours, [theirs[i] for i in range(size)], atol=1e-9)
