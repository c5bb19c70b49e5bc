from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_harness import (
    DIFFERENTIAL,
    EXPRESSIONS,
    arguments,
    assert_fixes,
    assert_noop,
    assert_rewrite_keeps_behaviour,
    fill,
)

RULE = "literal-constructor"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("x = list()\n", "x = []\n", id="list"),
        pytest.param("x = dict()\n", "x = {}\n", id="dict"),
        pytest.param("x = tuple()\n", "x = ()\n", id="tuple"),
        pytest.param("f(list(), dict())\n", "f([], {})\n", id="args"),
        pytest.param("x = (list())\n", "x = ([])\n", id="parenthesized"),
        pytest.param("for a in tuple():\n    pass\n", "for a in ():\n    pass\n", id="for"),
    ],
)
def test_literal_constructor_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("x = set()\n", id="set"),
        pytest.param("x = list(y)\n", id="argument"),
        pytest.param("x = dict(a=1)\n", id="keyword"),
        pytest.param("list = MyList\nx = list()\n", id="shadowed"),
        pytest.param("def dict():\n    return 1\nx = dict()\n", id="shadowed-def"),
        pytest.param("class C:\n    def f(self, list):\n        return list()\n", id="param"),
        pytest.param("import tuple\nx = tuple()\n", id="import"),
        pytest.param("from m import *\nx = list()\n", id="star-import"),
        pytest.param("exec('list = set')\nx = list()\n", id="exec"),
        pytest.param("x = list(  # why\n)\n", id="comment"),
        pytest.param("x = collections.list()\n", id="attribute"),
        pytest.param("def f(x: list() = 1) -> dict():\n    pass\n", id="annotations"),
    ],
)
def test_literal_constructor_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    ("def f(x, y, z):\n    d = dict()\n    d[{a}] = y\n    return d\n", True),
    ("def f(x, y, z):\n    out = list()\n    out.append({a})\n    return out, tuple()\n", True),
    ("def f(x, y, z):\n    a, b = list(), list()\n    a.append(x)\n    return a is b, b\n", True),
    ("def list():\n    return 'mine'\n\ndef f(x, y, z):\n    return list(), {a}\n", False),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_literal_constructor_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, a=EXPRESSIONS)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
