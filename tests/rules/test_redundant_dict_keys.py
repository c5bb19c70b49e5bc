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

RULE = "redundant-dict-keys"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("d = {}\nx = k in d.keys()\n", "d = {}\nx = k in d\n", id="in"),
        pytest.param("d = {}\nx = k not in d.keys()\n", "d = {}\nx = k not in d\n", id="not-in"),
        pytest.param(
            "d = dict(a=1)\nfor k in d.keys():\n    pass\n",
            "d = dict(a=1)\nfor k in d:\n    pass\n",
            id="for-dict-call",
        ),
        pytest.param(
            "d = {k: 1 for k in y}\nx = [k for k in d.keys()]\n",
            "d = {k: 1 for k in y}\nx = [k for k in d]\n",
            id="comprehension",
        ),
        pytest.param(
            "def f():\n    d = {}\n    d['a'] = 1\n    return sorted(d.keys(), reverse=True)\n",
            "def f():\n    d = {}\n    d['a'] = 1\n    return sorted(d, reverse=True)\n",
            id="sorted-after-setitem",
        ),
        pytest.param(
            "def f():\n    d = {}\n    def g(k):\n        return k in d.keys()\n    return g\n",
            "def f():\n    d = {}\n    def g(k):\n        return k in d\n    return g\n",
            id="closure",
        ),
        pytest.param(
            "d = {}\nd = {1: 2}\nx = list(d.keys())\n",
            "d = {}\nd = {1: 2}\nx = list(d)\n",
            id="list",
        ),
    ],
)
def test_redundant_dict_keys_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("def f(d, k):\n    return k in d.keys()\n", id="parameter"),
        pytest.param("d = {}\nd = make()\nx = k in d.keys()\n", id="reassigned"),
        pytest.param("d = {}\nd |= other\nx = k in d.keys()\n", id="augmented"),
        pytest.param("from m import d\nx = k in d.keys()\n", id="imported"),
        pytest.param("d = {}\nfor d in ds:\n    x = k in d.keys()\n", id="for-target"),
        pytest.param("d, e = {}, {}\nx = k in d.keys()\n", id="unpacking"),
        pytest.param(
            "d = {}\ndef f():\n    global d\n    d = []\nx = k in d.keys()\n", id="global-rebind"
        ),
        pytest.param(
            "def f():\n    d = {}\n    def g():\n        nonlocal d\n        d = Q()\n    g()\n"
            "    return 1 in d.keys()\n",
            id="nonlocal-rebind",
        ),
        pytest.param(
            "def f():\n    d = {}\n    [(d := x) for x in y]\n    return 1 in d.keys()\n",
            id="walrus",
        ),
        pytest.param("dict = OrderedDict\nd = dict()\nx = k in d.keys()\n", id="shadowed-dict"),
        pytest.param("from m import *\nd = {}\nx = k in d.keys()\n", id="star-import"),
        pytest.param("d = {}\nvars()['d'] = []\nx = k in d.keys()\n", id="dynamic"),
        pytest.param("d = {}\nx = k in d.keys() in e\n", id="chain"),
        pytest.param("d = {}\nx = d.keys() in e\n", id="left-operand"),
        pytest.param("d = {}\nx = k in d.keys(1)\n", id="argument"),
        pytest.param("d = {}\nx = len(d.keys())\n", id="len"),
        pytest.param("d = {}\nsorted = reversed\nx = sorted(d.keys())\n", id="shadowed-sorted"),
        pytest.param("x = k in self.d.keys()\n", id="attribute"),
    ],
)
def test_redundant_dict_keys_noop(code: str) -> None:
    assert_noop(RULE, code)


MAKERS = ["{x: 1, y: 2}", "dict(a=x)", "{k: z for k in 'ab'}", "{}"]
USES = ["z in d.keys()", "x not in d.keys()", "[k for k in d.keys() if k != y]", "sorted(d.keys())"]
TEMPLATES = [
    ("def f(x, y, z):\n    d = {m}\n    return {u}\n", True),
    (
        "def f(x, y, z):\n    d = {m}\n    out = []\n    for k in d.keys():\n        out.append(k)\n"
        "        d[k] = y\n    return out, d\n",
        True,
    ),
    (
        "def f(x, y, z):\n    d = {m}\n    for k in d.keys():\n        d[z] = k\n    return d\n",
        True,
    ),
    ("def f(d, y, z):\n    x = 1\n    return {u}\n", False),
]


@DIFFERENTIAL
@given(data=st.data(), inputs=arguments)
def test_redundant_dict_keys_keeps_behaviour(data: st.DataObject, inputs: list) -> None:
    template, fires = data.draw(st.sampled_from(TEMPLATES))
    before = fill(template, data, m=MAKERS, u=USES)
    assert_rewrite_keeps_behaviour(RULE, before, fires, inputs)
