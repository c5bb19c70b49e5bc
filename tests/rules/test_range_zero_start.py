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

RULE = "range-zero-start"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "for i in range(0, n):\n    pass\n", "for i in range(n):\n    pass\n", id="for"
        ),
        pytest.param("r = range(0, len(x))\n", "r = range(len(x))\n", id="len"),
        pytest.param("r = [i for i in range(0, 10)]\n", "r = [i for i in range(10)]\n", id="comp"),
        pytest.param("r = range(0, n,)\n", "r = range(n)\n", id="trailing-comma"),
    ],
)
def test_range_zero_start_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("r = range(0, n, 2)\n", id="step"),
        pytest.param("r = range(1, n)\n", id="start-1"),
        pytest.param("r = range(0)\n", id="one-arg"),
        pytest.param("r = range(0.0, n)\n", id="float-start"),
        pytest.param("range = lambda *a: a\nr = range(0, n)\n", id="shadowed-assign"),
        pytest.param("def f(range):\n    return range(0, 3)\n", id="shadowed-param"),
        pytest.param("from numpy import *\nr = range(0, n)\n", id="star-import"),
        pytest.param("from x import range\nr = range(0, n)\n", id="imported"),
        pytest.param("globals()['x'] = 1\nr = range(0, n)\n", id="dynamic"),
        pytest.param("r = range(0, *a)\n", id="star-arg"),
        pytest.param("r = range(start=0, stop=n)\n", id="keywords"),
        pytest.param("r = xs.range(0, n)\n", id="method"),
        pytest.param("r = range(0,  # why\n    n)\n", id="comment"),
    ],
)
def test_range_zero_start_noop(code: str) -> None:
    assert_noop(RULE, code)


STOPS = ["x % 7", "len(y)", "3", "-2", "z % 4 - 1", "True", "2.0", "'3'", "None"]
TEMPLATES = [
    ("def f(x, y, z):\n    return list(range(0, {n}))\n", True),
    ("def f(x, y, z):\n    for i in range(0, {n}):\n        print(i)\n    return i\n", True),
    ("def f(x, y, z):\n    return [i * 2 for i in range(0, {n}) if i != z]\n", True),
    ("range = lambda *a: a\n\ndef f(x, y, z):\n    return range(0, {n})\n", False),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_range_zero_start_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, n=STOPS)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
