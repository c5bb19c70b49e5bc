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

RULE = "if-assign-bool"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("if a in b:\n    x = True\nelse:\n    x = False\n", "x = a in b\n", id="in"),
        pytest.param(
            "if a < b:\n    x = True\nelse:\n    x = False\n", "x = bool(a < b)\n", id="lt"
        ),
        pytest.param("if a:\n    x = False\nelse:\n    x = True\n", "x = not a\n", id="inverted"),
        pytest.param(
            "if a:\n    self.ok = True\nelse:\n    self.ok = False\n",
            "self.ok = bool(a)\n",
            id="attribute",
        ),
        pytest.param(
            "if a:\n    d[k] = True\nelse:\n    d[k] = False\n", "d[k] = bool(a)\n", id="subscript"
        ),
        pytest.param(
            "def f(a):\n    if callable(a):\n        ok = True\n    else:\n        ok = False\n    return ok\n",
            "def f(a):\n    ok = callable(a)\n    return ok\n",
            id="callable",
        ),
    ],
)
def test_if_assign_bool_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("bool = int\nif a:\n    x = True\nelse:\n    x = False\n", id="bool-shadowed"),
        pytest.param("if a:\n    x = True\nelse:\n    y = False\n", id="different-targets"),
        pytest.param("if a:\n    x = True\nelse:\n    x = True\n", id="same-value"),
        pytest.param("if a:\n    x = y = True\nelse:\n    x = y = False\n", id="two-targets"),
        pytest.param("if a:\n    x: bool = True\nelse:\n    x: bool = False\n", id="annotated"),
        pytest.param("if a:\n    x += True\nelse:\n    x += False\n", id="augmented"),
        pytest.param("if a:\n    x = True\nelif b:\n    x = False\n", id="elif"),
        pytest.param("if a:\n    x = True  # noqa\nelse:\n    x = False\n", id="comment"),
        pytest.param("if a:\n    x, y = True\nelse:\n    x, y = False\n", id="tuple-target"),
        pytest.param(
            "if a:\n    d[f()] = True\nelse:\n    d[g()] = False\n", id="different-subscripts"
        ),
    ],
)
def test_if_assign_bool_noop(code: str) -> None:
    assert_noop(RULE, code)


TEMPLATES = [
    (
        "def f(x, y, z):\n    if {c}:\n        v = {t}\n    else:\n        v = {e}\n    return v\n",
        True,
    ),
    (
        "def f(x, y, z):\n    box = [None]\n    if {c}:\n        box[0] = {t}\n    else:\n        box[0] = {e}\n"
        "    return box\n",
        True,
    ),
    (
        "bool = str\n\ndef f(x, y, z):\n    if {c}:\n        v = True\n    else:\n        v = False\n"
        "    return v\n",
        None,
    ),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_if_assign_bool_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    first = data.draw(st.booleans())
    before = fill(template, data, c=CONDITIONS, t=[str(first)], e=[str(not first)])
    after = fix(RULE, before)
    if fires is not None:
        assert (after != before) == fires
    assert_same_behaviour(before, after, inputs)
