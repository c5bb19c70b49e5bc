"""``unused-imports``: unused module-level imports go; side effects, re-exports, dynamic use stay."""

from __future__ import annotations

import textwrap

import pytest
from rule_harness import (
    assert_fixes,
    assert_module_keeps_behaviour,
    assert_noop,
    assert_stable_on_generated_programs,
)
from sample_programs import module_cases

RULE = "unused-imports"


def d(text: str) -> str:
    return textwrap.dedent(text)


UNUSED_FIXES = [
    pytest.param(
        """
        import os
        import sys, json as j
        from typing import List, Dict
        from collections import (
            Counter,
            defaultdict,
        )

        def f(a: "Dict[str, int]") -> List[int]:
            return sys.argv + [defaultdict]
        """,
        """
        import sys
        from typing import List, Dict
        from collections import (
            defaultdict)

        def f(a: "Dict[str, int]") -> List[int]:
            return sys.argv + [defaultdict]
        """,
        id="names-and-string-annotation",
    ),
    pytest.param(
        "x = 1; import re\nimport os.path\nprint(x)\n", "x = 1\nprint(x)\n", id="semicolon"
    ),
]

UNUSED_NOOP = [
    pytest.param("from __future__ import annotations\nx = 1\n", id="future"),
    pytest.param("from os import *\nx = 1\n", id="star"),
    pytest.param("import readline\nx = input()\n", id="side-effect"),
    pytest.param("from mpl_toolkits.mplot3d import Axes3D\nx = 1\n", id="side-effect-from"),
    pytest.param("from .models import User as User\nx = 1\n", id="re-export"),
    pytest.param("import os\nimport sys\n", id="only-imports"),
    pytest.param("import os\n__all__ = ['os']\n", id="dunder-all"),
    pytest.param("import os\nprint(globals()['os'])\n", id="dynamic"),
    pytest.param(
        "try:\n    import ujson as json\nexcept ImportError:\n    json = None\n", id="try"
    ),
    pytest.param('import os\n"""Not the docstring yet."""\n', id="would-promote-docstring"),
    pytest.param('def f():\n    """>>> import os; os.sep"""\nimport os\n', id="doctest-word"),
]


@pytest.mark.parametrize(("before", "after"), UNUSED_FIXES)
def test_unused_imports_fixes(before: str, after: str) -> None:
    assert_fixes(RULE, d(before), d(after), level="aggressive")


@pytest.mark.parametrize("code", UNUSED_NOOP)
def test_unused_imports_noop(code: str) -> None:
    assert_noop(RULE, code, level="aggressive")


@pytest.mark.parametrize(("code", "strategies"), module_cases())
def test_unused_imports_keeps_behaviour(code: str, strategies: dict) -> None:  # type: ignore[type-arg]
    assert_module_keeps_behaviour(RULE, code, strategies, level="aggressive")


def test_unused_imports_on_generated_programs() -> None:
    """hypothesmith programs: never raises, output parses, a second run changes nothing."""
    assert_stable_on_generated_programs(RULE, level="aggressive")
