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

RULE = "collapse-nested-if"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("if a:\n    if b:\n        f()\n", "if a and b:\n    f()\n", id="simple"),
        pytest.param(
            "if a or b:\n    if c:\n        f()\n", "if (a or b) and c:\n    f()\n", id="or-left"
        ),
        pytest.param(
            "if a:\n    if b or c:\n        f()\n", "if a and (b or c):\n    f()\n", id="or-right"
        ),
        pytest.param(
            "if a and b:\n    if c:\n        f()\n", "if a and b and c:\n    f()\n", id="and"
        ),
        pytest.param(
            "if a:\n    if b:\n        if c:\n            f()\n",
            "if a and b and c:\n    f()\n",
            id="three",
        ),
        pytest.param(
            "if x := a:\n    if x > 1:\n        f()\n",
            "if (x := a) and x > 1:\n    f()\n",
            id="walrus",
        ),
        pytest.param("if a:\n    if b: f()\n", "if a and b: f()\n", id="one-line-inner"),
        pytest.param(
            "if a:\n    if b if c else d:\n        f()\n",
            "if a and (b if c else d):\n    f()\n",
            id="ternary",
        ),
        pytest.param(
            "if z:\n    pass\nelif a:\n    if b:\n        f()\n",
            "if z:\n    pass\nelif a and b:\n    f()\n",
            id="elif-outer",
        ),
        pytest.param("if a:\n    if not b:\n        f()\n", "if a and not b:\n    f()\n", id="not"),
    ],
)
def test_collapse_nested_if_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("if a:\n    if b:\n        f()\nelse:\n    g()\n", id="outer-else"),
        pytest.param("if a:\n    if b:\n        f()\n    else:\n        g()\n", id="inner-else"),
        pytest.param("if a:\n    if b:\n        f()\n    elif c:\n        g()\n", id="inner-elif"),
        pytest.param("if a:\n    x = 1\n    if b:\n        f()\n", id="two-statements"),
        pytest.param("if a:\n    if b:\n        f()\n    g()\n", id="statement-after"),
        pytest.param("if a:\n    # why\n    if b:\n        f()\n", id="comment"),
        pytest.param("if a:  # noqa\n    if b:\n        f()\n", id="header-comment"),
        pytest.param("if a:\n    while b:\n        f()\n", id="while"),
        pytest.param("if a: pass\n", id="suite"),
    ],
)
def test_collapse_nested_if_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    (
        "def f(x, y, z):\n    if {c}:\n        if {d}:\n            print({a})\n            return {a}\n"
        "    return {b}\n",
        True,
    ),
    (
        "def f(x, y, z):\n    out = []\n    for i in [x, y, z]:\n        if {c}:\n            if {d}:\n"
        "                out.append(i)\n    return out\n",
        True,
    ),
    (
        "def f(x, y, z):\n    if {c}:\n        if {d}:\n            return {a}\n        return {b}\n"
        "    return None\n",
        False,
    ),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_collapse_nested_if_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, c=CONDITIONS, d=CONDITIONS, a=EXPRESSIONS, b=EXPRESSIONS)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
