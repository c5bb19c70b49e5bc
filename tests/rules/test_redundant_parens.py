from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_harness import (
    CONDITIONS,
    DIFFERENTIAL,
    EXPRESSIONS,
    arguments,
    assert_fixes,
    assert_noop,
    assert_rewrite_keeps_behaviour,
    fill,
)

RULE = "redundant-parens"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "def f():\n    return (a, b)\n", "def f():\n    return a, b\n", id="return-tuple"
        ),
        pytest.param("x = (a + b)\n", "x = a + b\n", id="assign"),
        pytest.param("x = ((a))\n", "x = a\n", id="double"),
        pytest.param(
            "if (a % 2) == 0:\n    pass\n", "if a % 2 == 0:\n    pass\n", id="comparison-operand"
        ),
        pytest.param("f((a), b)\n", "f(a, b)\n", id="argument"),
        pytest.param("x = [(i) for (i) in (y)]\n", "x = [i for i in y]\n", id="comprehension"),
        pytest.param("x = (y).z\n", "x = y.z\n", id="attribute-base"),
        pytest.param("x = d[(k)]\n", "x = d[k]\n", id="subscript"),
        pytest.param("for (a, b) in c:\n    pass\n", "for a, b in c:\n    pass\n", id="for-target"),
        pytest.param("x: (int) = (3)\n", "x: int = 3\n", id="annotation"),
    ],
)
def test_redundant_parens_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("x = (1).real\n", id="int-attribute"),
        pytest.param("x = (a + b) * c\n", id="grouping"),
        pytest.param("x = (a < b) < c\n", id="comparison-chain"),
        pytest.param("f((a, b))\n", id="tuple-argument"),
        pytest.param("x = [(a, b)]\n", id="tuple-element"),
        pytest.param("x = not (a == b)\n", id="not-operand-kept-for-reading"),
        pytest.param("x = -(a ** 2)\n", id="unary-kept-for-reading"),
        pytest.param("x = (a and b) or c\n", id="boolean-kept-for-reading"),
        pytest.param("x = (\n    a + b\n)\n", id="multi-line"),
        pytest.param("x = (a +  # why\n    b)\n", id="comment"),
        pytest.param("def f():\n    x = (yield)\n", id="yield"),
        pytest.param("x = (y := 1)\n", id="walrus"),
        pytest.param("x = ()\n", id="empty-tuple"),
        pytest.param("f((a for a in b), c)\n", id="generator-argument"),
        pytest.param("x = (lambda: 1)\n", id="lambda"),
    ],
)
def test_redundant_parens_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    ("def f(x, y, z):\n    return ({a})\n", True),
    (
        "def f(x, y, z):\n    v = ({a})\n    if ({c}) == (y):\n        return (v, z)\n    return (x, (v))\n",
        True,
    ),
    ("def f(x, y, z):\n    return [(i) for (i) in (y) if ({c})], print(({a}))\n", True),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_redundant_parens_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, c=CONDITIONS, a=EXPRESSIONS)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
