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

RULE = "no-else-after-jump"


def fn(body: str) -> str:
    return "def f(a, b):\n" + "".join(
        f"    {line}\n" if line else "\n" for line in body.splitlines()
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            fn("if a:\n    return 1\nelse:\n    x = 2\n    return x"),
            fn("if a:\n    return 1\nx = 2\nreturn x"),
            id="return",
        ),
        pytest.param(
            fn("if a:\n    raise ValueError\nelse:\n    print(b)"),
            fn("if a:\n    raise ValueError\nprint(b)"),
            id="raise",
        ),
        pytest.param(
            fn("for x in a:\n    if x:\n        continue\n    else:\n        print(x)"),
            fn("for x in a:\n    if x:\n        continue\n    print(x)"),
            id="continue",
        ),
        pytest.param(
            fn("while a:\n    if b:\n        break\n    else:\n        a -= 1"),
            fn("while a:\n    if b:\n        break\n    a -= 1"),
            id="break",
        ),
        pytest.param(
            fn("if a == 1:\n    return 1\nelif a == 2:\n    return 2\nelse:\n    return 3"),
            fn("if a == 1:\n    return 1\nif a == 2:\n    return 2\nreturn 3"),
            id="elif-chain",
        ),
        pytest.param(
            fn("if a:\n    return 1\nelif b:\n    x = 1\nelse:\n    x = 2\nreturn x"),
            fn("if a:\n    return 1\nif b:\n    x = 1\nelse:\n    x = 2\nreturn x"),
            id="elif-without-jump",
        ),
        pytest.param(
            fn("if a: return 1\nelse: print(a); return 2"),
            fn("if a: return 1\nprint(a); return 2"),
            id="one-line",
        ),
        pytest.param(
            fn("if a:\n    return 1\nelse:\n    if b:\n        return 2\n    return 3"),
            fn("if a:\n    return 1\nif b:\n    return 2\nreturn 3"),
            id="nested-if-in-else",
        ),
    ],
)
def test_no_else_after_jump_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(fn("if a:\n    x = 1\nelse:\n    x = 2"), id="no-jump"),
        pytest.param(fn("if a:\n    return 1\n    x = 2\nelse:\n    x = 3"), id="jump-not-last"),
        pytest.param(fn("if a:\n    if b:\n        return 1\nelse:\n    x = 2"), id="nested-jump"),
        pytest.param(fn("if a:\n    return 1\nelse:  # why\n    x = 2"), id="comment-on-else"),
        pytest.param(fn("if a:\n    return 1\n# why\nelse:\n    x = 2"), id="comment-before-else"),
        pytest.param(
            fn("if a:\n    return 1\n# why\nelif b:\n    x = 2"), id="comment-before-elif"
        ),
        pytest.param(
            fn("if a:\n    return 1\nelse:\n    x = 2\n    # trailing"), id="comment-end-of-else"
        ),
        pytest.param(
            fn("try:\n    return 1\nexcept E:\n    pass\nelse:\n    x = 1"), id="try-else"
        ),
        pytest.param(fn("for x in a:\n    break\nelse:\n    x = 1"), id="for-else"),
        pytest.param(fn("if a:\n    return 1"), id="no-else"),
    ],
)
def test_no_else_after_jump_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    (
        "def f(x, y, z):\n    if {c}:\n        return {a}\n    elif {d}:\n        print({a})\n    else:\n"
        "        return {b}\n    return z\n",
        True,
    ),
    (
        "def f(x, y, z):\n    out = []\n    for i in [x, y, z]:\n        if {c}:\n            continue\n"
        "        elif {d}:\n            break\n        else:\n            out.append(i)\n    return out\n",
        True,
    ),
    (
        "def f(x, y, z):\n    if {c}:\n        raise ValueError\n    else:\n        v = {a}\n    return v\n",
        True,
    ),
    (
        "def f(x, y, z):\n    if {c}:\n        v = {a}\n    else:\n        return {b}\n    return v\n",
        False,
    ),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_no_else_after_jump_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, c=CONDITIONS, d=CONDITIONS, a=EXPRESSIONS, b=EXPRESSIONS)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
