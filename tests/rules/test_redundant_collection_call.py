from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_harness import (
    DIFFERENTIAL,
    arguments,
    assert_fixes,
    assert_noop,
    assert_rewrite_keeps_behaviour,
    fill,
)

RULE = "redundant-collection-call"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("x = list(sorted(y))\n", "x = sorted(y)\n", id="list-sorted"),
        pytest.param("x = list(sorted(y, key=k))\n", "x = sorted(y, key=k)\n", id="sorted-key"),
        pytest.param("x = list([1, 2])\n", "x = [1, 2]\n", id="list-list"),
        pytest.param("x = list([i for i in y])\n", "x = [i for i in y]\n", id="list-listcomp"),
        pytest.param("x = list(list(y))\n", "x = list(y)\n", id="list-list-call"),
        pytest.param("x = sorted(list(y))\n", "x = sorted(y)\n", id="sorted-list"),
        pytest.param(
            "x = sorted(list(y), reverse=True)\n", "x = sorted(y, reverse=True)\n", id="sorted-kw"
        ),
        pytest.param("x = dict({1: 2})\n", "x = {1: 2}\n", id="dict-dict"),
        pytest.param("x = dict({k: 1 for k in y})\n", "x = {k: 1 for k in y}\n", id="dict-comp"),
        pytest.param("x = tuple((1, 2))\n", "x = (1, 2)\n", id="tuple-tuple"),
    ],
)
def test_redundant_collection_call_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("x = set([1, 2])\n", id="set"),
        pytest.param("x = tuple([1, 2])\n", id="tuple-of-list"),
        pytest.param("x = list(y)\n", id="plain"),
        pytest.param("x = list(i for i in y)\n", id="genexp"),
        pytest.param("x = list({1, 2})\n", id="set-display"),
        pytest.param("x = tuple((1))\n", id="not-a-tuple"),
        pytest.param("x = list(sorted)\n", id="name"),
        pytest.param("x = sorted(list(y, z))\n", id="list-two-args"),
        pytest.param("x = sorted(list(*y))\n", id="list-star"),
        pytest.param("list = MyList\nx = list([1])\n", id="shadowed-list"),
        pytest.param("def sorted(x):\n    return x\ny = list(sorted(z))\n", id="shadowed-sorted"),
        pytest.param("from m import *\nx = list([1])\n", id="star-import"),
        pytest.param("x = list(  # why\n    [1])\n", id="comment"),
    ],
)
def test_redundant_collection_call_noop(code: str) -> None:
    assert_noop(RULE, code)


ITERABLES = ["x", "y", "z", "[x, y]", "str(x)", "(x, y)", "{x: y}", "[z, z]"]
TEMPLATES = [
    ("def f(x, y, z):\n    return list(sorted({a}))\n", True),
    ("def f(x, y, z):\n    return sorted(list({a}), reverse=True)\n", True),
    ("def f(x, y, z):\n    v = list([{a}, {b}])\n    v.append(1)\n    return v\n", True),
    ("def f(x, y, z):\n    return list([print(i) or i for i in {a}])\n", True),
    ("def f(x, y, z):\n    return dict({{1: {a}, 2: {b}}}), tuple(({a}, {b}))\n", True),
    ("def f(x, y, z):\n    return list(list({a})) == list({b})\n", True),
    ("sorted = reversed\n\ndef f(x, y, z):\n    return list(sorted({a}))\n", False),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_redundant_collection_call_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, a=ITERABLES, b=ITERABLES)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
