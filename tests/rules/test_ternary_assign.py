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

RULE = "ternary-assign"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("if a:\n    x = 1\nelse:\n    x = 2\n", "x = 1 if a else 2\n", id="name"),
        pytest.param(
            "if a:\n    self.x = b\nelse:\n    self.x = None\n",
            "self.x = b if a else None\n",
            id="attribute",
        ),
        pytest.param(
            "if a:\n    d[k] = 1\nelse:\n    d[k] = 2\n", "d[k] = 1 if a else 2\n", id="subscript"
        ),
        pytest.param(
            "if a:\n    x = 1, 2\nelse:\n    x = ()\n", "x = (1, 2) if a else ()\n", id="tuple"
        ),
        pytest.param(
            "if a or b:\n    x = 1\nelse:\n    x = 2\n", "x = 1 if a or b else 2\n", id="or"
        ),
        pytest.param(
            "def f(p):\n    if len(p) > 1:\n        arg = int(p[1])\n    else:\n        arg = 0\n    return arg\n",
            "def f(p):\n    arg = int(p[1]) if len(p) > 1 else 0\n    return arg\n",
            id="function",
        ),
    ],
)
def test_ternary_assign_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("if a:\n    x = True\nelse:\n    x = False\n", id="both-bools"),
        pytest.param("if a:\n    x = 1\nelse:\n    y = 2\n", id="different-targets"),
        pytest.param("if a:\n    x = 1\nelif b:\n    x = 2\n", id="elif"),
        pytest.param("if a:\n    x = 1\n", id="no-else"),
        pytest.param("if a:\n    x = y = 1\nelse:\n    x = y = 2\n", id="two-targets"),
        pytest.param("if a:\n    x: int = 1\nelse:\n    x: int = 2\n", id="annotated"),
        pytest.param("if a:\n    x += 1\nelse:\n    x += 2\n", id="augmented"),
        pytest.param("if a:\n    x, y = 1, 2\nelse:\n    x, y = 2, 1\n", id="unpacking"),
        pytest.param("if a:\n    x = 1\nelse:\n    x = 2  # noqa\n", id="comment"),
        pytest.param("if a:\n    x = b if b else 1\nelse:\n    x = 2\n", id="nested-conditional"),
        pytest.param("if a:\n    x = lambda: 1\nelse:\n    x = 2\n", id="lambda"),
        pytest.param(
            "if a:\n    x = a_very_long_function_name(argument_one, argument_two)\nelse:\n"
            "    x = another_long_function_name(argument_three)\n",
            id="too-long",
        ),
    ],
)
def test_ternary_assign_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    (
        "def f(x, y, z):\n    if {c}:\n        v = {a}\n    else:\n        v = {b}\n    return v\n",
        True,
    ),
    (
        "def f(x, y, z):\n    box = [0]\n    if {c}:\n        box[0] = {a}\n    else:\n        box[0] = {b}\n"
        "    return box\n",
        True,
    ),
    (
        "def f(x, y, z):\n    if {c}:\n        v = {a}\n        print(v)\n    else:\n        v = {b}\n"
        "    return v\n",
        False,
    ),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_ternary_assign_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, c=CONDITIONS, a=EXPRESSIONS, b=EXPRESSIONS)
    after = fix(RULE, before)
    if "if y else" not in before:
        assert (after != before) == fires
    assert_same_behaviour(before, after, inputs)
