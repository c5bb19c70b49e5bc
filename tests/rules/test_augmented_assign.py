from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_harness import (
    DIFFERENTIAL,
    arguments,
    assert_fixes,
    assert_noop,
    assert_rewrite_keeps_behaviour,
    fill,
)

RULE = "augmented-assign"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("n = 0\nn = n + 1\n", "n = 0\nn += 1\n", id="int"),
        pytest.param("s = ''\ns = s + 'a'\n", "s = ''\ns += 'a'\n", id="str"),
        pytest.param("t = ()\nt = t + (1,)\n", "t = ()\nt += (1,)\n", id="tuple"),
        pytest.param("x = 1.5\nx = x * -2\n", "x = 1.5\nx *= -2\n", id="float-negative"),
        pytest.param("n = len(y)\nn = n // 2\n", "n = len(y)\nn //= 2\n", id="len"),
        pytest.param(
            "def f(xs):\n    c = 0\n    for x in xs:\n        c = c + 1\n        c -= 1\n    return c\n",
            "def f(xs):\n    c = 0\n    for x in xs:\n        c += 1\n        c -= 1\n    return c\n",
            id="function",
        ),
        pytest.param(
            "for i in range(3):\n    i = i << 1\n",
            "for i in range(3):\n    i <<= 1\n",
            id="range-target",
        ),
        pytest.param(
            "n = 0\ndef f():\n    global n\n    n = n + 1\n",
            "n = 0\ndef f():\n    global n\n    n += 1\n",
            id="global",
        ),
        pytest.param(
            "n = 0\nn = n + 1  # noqa\n", "n = 0\nn += 1  # noqa\n", id="line-comment-kept"
        ),
    ],
)
def test_augmented_assign_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("items = []\nalias = items\nitems = items + [1]\n", id="list-mutable"),
        pytest.param("def f(n):\n    n = n + 1\n    return n\n", id="parameter"),
        pytest.param("n = 0\nn = n + y\n", id="operand-unknown"),
        pytest.param("n = 0\nn = y\nn = n + 1\n", id="other-binding"),
        pytest.param("n = 0\nn = 1 + n\n", id="reversed-operands"),
        pytest.param("n = 0\nn = n + 1 + 2\n", id="longer-chain"),
        pytest.param("n = 0\nfor n in xs:\n    n = n + 1\n", id="for-target"),
        pytest.param("n = 0\nn, m = 1, 2\nn = n + 1\n", id="unpacking"),
        pytest.param(
            "n = 0\ndef f():\n    global n\n    n = []\nn = n + 1\n",
            id="global-rebinding-elsewhere",
        ),
        pytest.param("from m import n\nn = n + 1\n", id="import"),
        pytest.param("n = 0\nn = n + (  # why\n    1\n)\n", id="comment-inside"),
        pytest.param("len = list\nn = len(y)\nn = n + [1]\n", id="shadowed-len"),
        pytest.param("n = 0\nglobals()['n'] = []\nn = n + 1\n", id="dynamic"),
        pytest.param("n = 0\nn = n + 1 if c else n\n", id="conditional"),
        pytest.param("a = b = 0\na = a + 1\n", id="chained-target"),
        pytest.param(
            "def f():\n    n = 0\n    [(n := []) for _ in 'a']\n    n = n + 1\n", id="walrus"
        ),
    ],
)
def test_augmented_assign_noop(code: str) -> None:
    assert_noop(RULE, code)


INITIAL = ["0", "1.5", "''", "'ab'", "()", "-3", "True", "None", "len(y)", "2j"]
STEP = [
    "+ 1",
    "- 2",
    "* 3",
    "/ 2",
    "// 2",
    "% 3",
    "** 2",
    "+ 'c'",
    "+ (1,)",
    "<< 1",
    "& 5",
    "^ 1",
    "| 2",
    "* -1",
    "+ 0.5",
]
TEMPLATES = [
    ("def f(x, y, z):\n    n = {i}\n    n = n {s}\n    return n\n", True),
    (
        "def f(x, y, z):\n    n = {i}\n    m = n\n    for _ in [x, y]:\n        n = n {s}\n"
        "        n = n {t}\n    return n, m\n",
        True,
    ),
    ("def f(x, y, z):\n    n = x\n    m = n\n    n = n {s}\n    return n, m, x\n", False),
    ("def f(x, y, z):\n    n = [y]\n    m = n\n    n = n + [x]\n    return n, m\n", False),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_augmented_assign_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, i=INITIAL, s=STEP, t=STEP)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
