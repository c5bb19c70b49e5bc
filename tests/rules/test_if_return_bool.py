from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_harness import (
    CONDITIONS,
    DIFFERENTIAL,
    arguments,
    assert_fixes,
    assert_noop,
    assert_same_behaviour,
    fill,
    fix,
)

RULE = "if-return-bool"


def fn(body: str) -> str:
    return "def f(a, b):\n" + "".join(f"    {line}\n" for line in body.splitlines())


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            fn("if a in b:\n    return True\nelse:\n    return False"), fn("return a in b"), id="in"
        ),
        pytest.param(
            fn("if a is None:\n    return True\nreturn False"), fn("return a is None"), id="no-else"
        ),
        pytest.param(
            fn("if a == b:\n    return True\nreturn False"),
            fn("return bool(a == b)"),
            id="eq-not-provable",
        ),
        pytest.param(fn("if a:\n    return False\nreturn True"), fn("return not a"), id="inverted"),
        pytest.param(
            fn("if a or b:\n    return False\nreturn True"),
            fn("return not (a or b)"),
            id="inverted-or",
        ),
        pytest.param(
            fn("if not a:\n    return False\nreturn True"), fn("return bool(a)"), id="not-not"
        ),
        pytest.param(
            fn("if isinstance(a, int) and not b:\n    return True\nelse:\n    return False"),
            fn("return isinstance(a, int) and not b"),
            id="and-of-bools",
        ),
        pytest.param(
            fn("if a: return True\nelse: return False"), fn("return bool(a)"), id="one-line"
        ),
        pytest.param(
            fn("if (a := b):\n    return True\nreturn False"),
            fn("return bool(a := b)"),
            id="walrus",
        ),
        pytest.param(
            fn("for x in a:\n    if x:\n        return True\n    return False"),
            fn("for x in a:\n    return bool(x)"),
            id="in-loop",
        ),
        pytest.param(
            fn("if a:\n    return True\nreturn False\nprint('dead')"),
            fn("return bool(a)\nprint('dead')"),
            id="dead-code-kept",
        ),
    ],
)
def test_if_return_bool_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            "bool = str\n" + fn("if a:\n    return True\nreturn False"), id="bool-shadowed"
        ),
        pytest.param(fn("bool = 1\nif a:\n    return True\nreturn False"), id="bool-local"),
        pytest.param(
            "from m import *\n" + fn("if a:\n    return True\nreturn False"), id="star-import"
        ),
        pytest.param(fn("if a:\n    return True\nreturn True"), id="same-value"),
        pytest.param(fn("if a:\n    return True\nreturn b"), id="not-bool-literal"),
        pytest.param(fn("if a:\n    return True\nelif b:\n    return False"), id="elif"),
        pytest.param(
            fn("if b:\n    pass\nelif a:\n    return True\nelse:\n    return False"),
            id="inside-elif",
        ),
        pytest.param(fn("if a:  # why\n    return True\nreturn False"), id="comment-header"),
        pytest.param(fn("if a:\n    return True\n# why\nreturn False"), id="comment-between"),
        pytest.param(fn("if a:\n    x = 1\n    return True\nreturn False"), id="two-statements"),
        pytest.param(fn("if a:\n    return 1\nreturn 0"), id="ints"),
    ],
)
def test_if_return_bool_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    ("def f(x, y, z):\n    if {c}:\n        return {t}\n    else:\n        return {e}\n", True),
    ("def f(x, y, z):\n    if {c}:\n        return {t}\n    return {e}\n", True),
    (
        "def f(x, y, z):\n    for i in [x, y]:\n        if {c}:\n            return {t}\n        return {e}\n",
        True,
    ),
    ("bool = len\n\ndef f(x, y, z):\n    if {c}:\n        return True\n    return False\n", None),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_if_return_bool_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    first = data.draw(st.booleans())
    before = fill(template, data, c=CONDITIONS, t=[str(first)], e=[str(not first)])
    after = fix(RULE, before)
    if fires is not None:
        assert (after != before) == fires
    assert_same_behaviour(before, after, inputs)
