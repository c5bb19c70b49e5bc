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
    assert_same_behaviour,
    fill,
    fix,
)

RULE = "ternary-return"


def fn(body: str) -> str:
    return "def f(a, b):\n" + "".join(f"    {line}\n" for line in body.splitlines())


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            fn("if a:\n    return 1\nelse:\n    return 2"), fn("return 1 if a else 2"), id="else"
        ),
        pytest.param(fn("if a:\n    return 1\nreturn 2"), fn("return 1 if a else 2"), id="no-else"),
        pytest.param(
            fn("if a:\n    return a, b\nreturn b"), fn("return (a, b) if a else b"), id="tuple"
        ),
        pytest.param(
            fn("if x := a:\n    return x\nreturn b"), fn("return x if (x := a) else b"), id="walrus"
        ),
        pytest.param(
            fn("if a:\n    return True\nreturn b"), fn("return True if a else b"), id="one-bool"
        ),
        pytest.param(
            fn("if a:\n    return None\nreturn b"), fn("return None if a else b"), id="none"
        ),
        pytest.param(
            "async def f(a):\n    if a:\n        return await g()\n    return 0\n",
            "async def f(a):\n    return await g() if a else 0\n",
            id="async",
        ),
    ],
)
def test_ternary_return_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


LONG = "a_rather_long_name_for_a_value_that_does_not_fit + another_long_name_for_the_sum"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(fn("if a:\n    return True\nreturn False"), id="both-bools"),
        pytest.param(fn("if a:\n    return\nreturn b"), id="bare-return"),
        pytest.param(fn(f"if a:\n    return {LONG}\nreturn b"), id="too-long"),
        pytest.param(fn("if a:\n    return b if b else a\nreturn b"), id="nested-conditional"),
        pytest.param(fn("if a:\n    return lambda: 1\nreturn b"), id="lambda"),
        pytest.param(fn("if a:\n    return (yield)\nreturn b"), id="yield"),
        pytest.param(fn("if a:\n    return 1\nelif b:\n    return 2"), id="elif"),
        pytest.param(fn("if a:\n    return 1  # why\nreturn 2"), id="comment"),
        pytest.param(fn("if a:\n    return 1\n# why\nreturn 2"), id="comment-between"),
        pytest.param(fn("if a:\n    print(a)\n    return 1\nreturn 2"), id="two-statements"),
        pytest.param(fn("if a:\n    return 1\nprint(b)\nreturn 2"), id="not-adjacent"),
    ],
)
def test_ternary_return_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    ("def f(x, y, z):\n    if {c}:\n        return {a}\n    else:\n        return {b}\n", True),
    ("def f(x, y, z):\n    if {c}:\n        return {a}\n    return {b}\n", True),
    (
        "def f(x, y, z):\n    out = []\n    for i in [x, y]:\n        if {c}:\n            return {a}\n"
        "        return {b}\n",
        True,
    ),
    ("def f(x, y, z):\n    if {c}:\n        yield 1\n        return {a}\n    return {b}\n", False),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_ternary_return_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, c=CONDITIONS, a=EXPRESSIONS, b=EXPRESSIONS)
    after = fix(RULE, before)
    if "if y else" not in before:
        assert (after != before) == fires
    assert_same_behaviour(before, after, inputs)
