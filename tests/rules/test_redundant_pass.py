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

RULE = "redundant-pass"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("def f():\n    pass\n    return 1\n", "def f():\n    return 1\n", id="before"),
        pytest.param("def f():\n    x = 1\n    pass\n", "def f():\n    x = 1\n", id="after"),
        pytest.param("class A:\n    pass\n    x = 1\n", "class A:\n    x = 1\n", id="class"),
        pytest.param(
            "for i in x:\n    pass\n    pass\n", "for i in x:\n    pass\n", id="only-pass"
        ),
        pytest.param("pass\nx = 1\n", "x = 1\n", id="module"),
        pytest.param(
            'def f():\n    """Doc."""\n    pass\n',
            'def f():\n    """Doc."""\n',
            id="after-docstring",
        ),
        pytest.param(
            "async def f():\n    pass\n    await g()\n",
            "async def f():\n    await g()\n",
            id="async",
        ),
        pytest.param("if x:\n    pass\n    y()\nelse:\n    pass\n", "if x:\n    y()\n", id="if"),
        pytest.param("if x:\n    y()\nelse:\n    pass\n", "if x:\n    y()\n", id="else-pass"),
        pytest.param("if x:\n    y()\nelse: pass\n", "if x:\n    y()\n", id="else-pass-inline"),
        pytest.param(
            "if x:\n    y()\nelif z:\n    w()\nelse:\n    pass\n",
            "if x:\n    y()\nelif z:\n    w()\n",
            id="after-elif",
        ),
        pytest.param(
            "for i in x:\n    f(i)\nelse:\n    pass\n", "for i in x:\n    f(i)\n", id="for-else"
        ),
        pytest.param(
            "while c():\n    f()\nelse:\n    pass\n", "while c():\n    f()\n", id="while-else"
        ),
        pytest.param(
            "try:\n    f()\nexcept E:\n    g()\nelse:\n    pass\n",
            "try:\n    f()\nexcept E:\n    g()\n",
            id="try-else",
        ),
    ],
)
def test_redundant_pass_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("def f():\n    pass\n", id="alone"),
        pytest.param(
            "if x:\n    y()\nelse:\n    pass  # nothing to do yet\n", id="else-pass-comment"
        ),
        pytest.param("if x:\n    y()\n# why\nelse:\n    pass\n", id="comment-before-else"),
        pytest.param("if x:\n    y()\nelif z:\n    pass\n", id="elif-pass-evaluates-z"),
        pytest.param("try:\n    f()\nfinally:\n    pass\n", id="finally-pass"),
        pytest.param("class A:\n    pass\n", id="alone-class"),
        pytest.param("def f():\n    pass  # noqa\n    x = 1\n", id="trailing-comment"),
        pytest.param("def f():\n    # why\n    pass\n    x = 1\n", id="comment-above"),
        pytest.param("def f():\n    pass; x = 1\n", id="same-line"),
        pytest.param('def f():\n    pass\n    "not a docstring"\n', id="would-become-docstring"),
        pytest.param("x = 'pass'\n", id="string"),
        pytest.param(
            "pass\nfrom __future__ import annotations\n", id="future-import-stays-an-error"
        ),
    ],
)
def test_redundant_pass_noop(code: str) -> None:
    assert_noop(RULE, code)


# (template, whether the rule fires on it)
TEMPLATES = [
    (
        "def f(x, y, z):\n    pass\n    if {c}:\n        pass\n        return {a}\n    return {b}\n",
        True,
    ),
    (
        "def f(x, y, z):\n    out = []\n    for i in [x, y]:\n        pass\n        out.append({a})\n"
        "        pass\n    return out\n",
        True,
    ),
    ("def f(x, y, z):\n    class A:\n        pass\n        v = {a}\n    return A.v\n", True),
    ('def f(x, y, z):\n    pass\n    "text"\n    print({a})\n    return f.__doc__\n', False),
    (
        "def f(x, y, z):\n    try:\n        pass\n        return {a}\n    except Exception:\n"
        "        pass\n        return {b}\n",
        True,
    ),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_redundant_pass_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, a=EXPRESSIONS, b=EXPRESSIONS, c=CONDITIONS)
    after = fix(RULE, before)
    assert (after != before) == fires
    assert fix(RULE, after) == after
    assert_same_behaviour(before, after, inputs)
