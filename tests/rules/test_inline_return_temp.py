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

RULE = "inline-return-temp"


def fn(body: str, head: str = "def f(a, b):") -> str:
    return head + "\n" + "".join(f"    {line}\n" for line in body.splitlines())


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(fn("x = a + b\nreturn x"), fn("return a + b"), id="simple"),
        pytest.param(fn("x = a, b\nreturn x"), fn("return a, b"), id="tuple"),
        pytest.param(fn("x = yield a\nreturn x"), fn("return (yield a)"), id="yield"),
        pytest.param(
            fn("x = await a\nreturn x", "async def f(a, b):"),
            fn("return await a", "async def f(a, b):"),
            id="await",
        ),
        pytest.param(
            fn("if a:\n    x = 1\n    return x\nreturn b"),
            fn("if a:\n    return 1\nreturn b"),
            id="nested",
        ),
        pytest.param(
            fn("with a:\n    x = b.read()\n    return x"),
            fn("with a:\n    return b.read()"),
            id="with",
        ),
        pytest.param(
            fn("def g():\n    y = 2\n    return y\nx = g()\nreturn x"),
            fn("def g():\n    return 2\nreturn g()"),
            id="two-functions",
        ),
    ],
)
def test_inline_return_temp_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(fn("x = a\nprint(x)\nreturn x"), id="used-elsewhere"),
        pytest.param(
            fn("x = 1\nif b:\n    x = a\n    return x\nreturn x"), id="assigned-elsewhere"
        ),
        pytest.param(fn("global x\nx = a\nreturn x"), id="global"),
        pytest.param(fn("def g():\n    return x\nx = a\nreturn x"), id="closure-reads-it"),
        pytest.param(
            fn("try:\n    x = a()\n    return x\nfinally:\n    print(x)"), id="finally-reads-it"
        ),
        pytest.param(fn("x = a\nprint(locals())\nreturn x"), id="locals"),
        pytest.param(fn("x = a\nreturn x  # noqa"), id="comment"),
        pytest.param(fn("x: int = a\nreturn x"), id="annotated"),
        pytest.param(fn("x = y = a\nreturn x"), id="two-targets"),
        pytest.param(fn("x, y = a\nreturn x"), id="unpacking"),
        pytest.param(fn("x = a\nreturn x + 1"), id="expression"),
        pytest.param(fn("x = a\nb.x = 1\nreturn x"), id="attribute-named-alike"),
        pytest.param("x = a\n", id="module-level"),
        pytest.param(fn("x = a\nreturn y"), id="other-name"),
    ],
)
def test_inline_return_temp_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    ("def f(x, y, z):\n    v = {a}\n    return v\n", True),
    (
        "def f(x, y, z):\n    for i in [x, y]:\n        v = {a}\n        return v\n    return z\n",
        True,
    ),
    (
        "def f(x, y, z):\n    try:\n        v = {a}\n        return v\n    except Exception:\n        return 'err'\n",
        True,
    ),
    (
        "def f(x, y, z):\n    v = {b}\n    def g():\n        return v\n    v = {a}\n    return v, g()\n",
        False,
    ),
    (
        "def f(x, y, z):\n    try:\n        v = {a}\n        return v\n    finally:\n        print(v)\n",
        False,
    ),
]
VALUES = [*EXPRESSIONS, "x[y]", "(yield x)", "1 / x"]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_inline_return_temp_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, a=VALUES, b=EXPRESSIONS)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
