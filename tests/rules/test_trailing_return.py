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

RULE = "trailing-return"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("def f():\n    g()\n    return\n", "def f():\n    g()\n", id="bare"),
        pytest.param("def f():\n    g()\n    return None\n", "def f():\n    g()\n", id="none"),
        pytest.param(
            "def f():\n    yield 1\n    return\n", "def f():\n    yield 1\n", id="generator"
        ),
        pytest.param(
            "async def f():\n    await g()\n    return\n",
            "async def f():\n    await g()\n",
            id="async",
        ),
        pytest.param(
            "def f(a):\n    if a:\n        return\n    g()\n    return\n",
            "def f(a):\n    if a:\n        return\n    g()\n",
            id="other-bare-return",
        ),
        pytest.param(
            "def f(a):\n    if a:\n        return 1\n    g()\n    return\n",
            "def f(a):\n    if a:\n        return 1\n    g()\n",
            id="bare-despite-value-returns",
        ),
        pytest.param(
            'class A:\n    def m(self):\n        """Doc."""\n        return\n',
            'class A:\n    def m(self):\n        """Doc."""\n',
            id="method-docstring",
        ),
    ],
)
def test_trailing_return_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("def f():\n    return\n", id="only-statement"),
        pytest.param("def f():\n    g()\n    return 1\n", id="value"),
        pytest.param(
            "def f(a):\n    if a:\n        return 1\n    return None\n",
            id="none-with-value-returns",
        ),
        pytest.param("def f(a):\n    if a:\n        g()\n        return\n", id="nested-in-if"),
        pytest.param("def f():\n    g()\n    return  # explicit\n", id="comment"),
        pytest.param("def f():\n    g(); return\n", id="same-line"),
        pytest.param("def f(): return\n", id="one-line"),
        pytest.param("for x in y:\n    g()\n", id="not-a-function"),
    ],
)
def test_trailing_return_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    ("def f(x, y, z):\n    print({a})\n    return\n", True),
    ("def f(x, y, z):\n    if {c}:\n        return\n    print({a})\n    return None\n", True),
    ("def f(x, y, z):\n    yield {a}\n    if {c}:\n        yield {b}\n    return\n", True),
    ("def f(x, y, z):\n    if {c}:\n        return {a}\n    print({b})\n    return None\n", False),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_trailing_return_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    values = [e for e in EXPRESSIONS if e != "None"]  # `return None` is no value return
    before = fill(template, data, c=CONDITIONS, a=values, b=EXPRESSIONS)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
