"""Golden cases for the aggressive code rules: docstrings, demo-code, unused-imports.

Each rule is run on its own (as ``--enable ID`` would), without black, so the expected output is
exactly what the rule produces.
"""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest

from tokentrim.rules import CodeRule, all_rules, apply_code_rules, enabled_rules
from tokentrim.rules.demo_code import DemoCode
from tokentrim.rules.docstrings import Docstrings
from tokentrim.rules.unused_imports import UnusedImports
from tokentrim.settings import Settings


def run(rule: type[CodeRule], code: str, **settings: object) -> str:
    """Apply one rule to ``code``; check the output parses and a second run changes nothing."""
    code = textwrap.dedent(code)
    out = _once(rule, code, Settings(**settings))  # type: ignore[arg-type]
    ast.parse(out)
    assert _once(rule, out, Settings(**settings)) == out, "second run changed the code"  # type: ignore[arg-type]
    return out


def _once(rule: type[CodeRule], code: str, settings: Settings) -> str:
    transformer = rule(settings)
    module = cst.parse_module(code)
    if transformer.METADATA_DEPENDENCIES:
        return cst.MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer).code
    return module.visit(transformer).code


def d(text: str) -> str:
    return textwrap.dedent(text)


# ---------------------------------------------------------------------------------- docstrings

DOCSTRING_SUMMARY_FIXES = [
    pytest.param(
        '''
        def area(r):
            """Return the area of a circle.

            Args:
                r: the radius.
            """
            return 3.14 * r * r
        ''',
        '''
        def area(r):
            """Return the area of a circle."""
            return 3.14 * r * r
        ''',
        id="args-section",
    ),
    pytest.param(
        '''
        """Tools for shapes.

        Long description.
        """
        class Shape:
            """
            A shape, e.g. a square. It has sides.
            """
            def sides(self):
                """Count the sides
                of the shape.
                >>> Shape().sides()
                0
                """
                return 0
        ''',
        '''
        """Tools for shapes."""
        class Shape:
            """A shape, e.g. a square."""
            def sides(self):
                """Count the sides of the shape."""
                return 0
        ''',
        id="module-class-method-doctest",
    ),
    pytest.param(
        """
        def f(x):
            r'''Match \\d+ digits. More.'''
            return x
        """,
        """
        def f(x):
            r'''Match \\d+ digits.'''
            return x
        """,
        id="raw-prefix-kept",
    ),
]

DOCSTRING_SUMMARY_NOOP = [
    pytest.param('def f():\n    """Already one line."""\n    return 1\n', id="one-line"),
    pytest.param(
        'def f():\n    """Doc.\n\n    More.\n    """\n\nprint(f.__doc__)\n', id="dunder-doc-read"
    ),
    pytest.param(
        'import click\n\n@click.command()\ndef cli():\n    """Run it.\n\n    Details.\n    """\n',
        id="click-help-text",
    ),
    pytest.param('def f():\n    """Doc.\n\n    More.\n    """\n\nhelp(f)\n', id="help-call"),
    pytest.param('def f():\n    x = 1\n    """Not a docstring.\n\n    More."""\n', id="not-first"),
    pytest.param('def f():\n    b"""Bytes.\n\n    More."""\n', id="bytes-not-a-docstring"),
    pytest.param('def f():\n    """Quote "x"\n\n    More."""\n', id="summary-ending-in-quote"),
]


@pytest.mark.parametrize(("before", "after"), DOCSTRING_SUMMARY_FIXES)
def test_docstrings_summary_fixes(before: str, after: str) -> None:
    assert run(Docstrings, before, docstrings="summary") == d(after)


@pytest.mark.parametrize("code", DOCSTRING_SUMMARY_NOOP)
def test_docstrings_summary_noop(code: str) -> None:
    assert run(Docstrings, code, docstrings="summary") == code


DOCSTRING_STRIP_FIXES = [
    pytest.param(
        '''
        """Module."""
        import os


        def f():
            """Doc."""
            return os.sep
        ''',
        """
        import os


        def f():
            return os.sep
        """,
        id="module-and-function",
    ),
    pytest.param(
        '''
        class Base:
            """Only a docstring."""

        def todo():
            """Only a docstring."""
        ''',
        """
        class Base:
            pass

        def todo():
            pass
        """,
        id="body-becomes-pass",
    ),
]

DOCSTRING_STRIP_NOOP = [
    pytest.param('def f():\n    """Doc."""\n    "second string"\n', id="would-promote-string"),
    pytest.param('import doctest\n\ndef f():\n    """>>> f()"""\n', id="doctest-import"),
    pytest.param('"""Only a module docstring."""\n', id="block-is-only-a-docstring"),
]


@pytest.mark.parametrize(("before", "after"), DOCSTRING_STRIP_FIXES)
def test_docstrings_strip_fixes(before: str, after: str) -> None:
    assert run(Docstrings, before, docstrings="strip") == d(after)


@pytest.mark.parametrize("code", DOCSTRING_STRIP_NOOP)
def test_docstrings_strip_noop(code: str) -> None:
    assert run(Docstrings, code, docstrings="strip") == code


def test_docstrings_is_governed_by_the_setting() -> None:
    ids = lambda **kw: {r.id for r in enabled_rules(Settings(**kw))}  # noqa: E731
    assert "docstrings" not in ids(level="standard")
    assert "docstrings" in ids(level="aggressive")
    assert "docstrings" not in ids(level="aggressive", docstrings="keep")
    assert "docstrings" in ids(level="safe", docstrings="strip")
    assert "docstrings" in ids(level="safe", enable=frozenset({"docstrings"}))


def test_docstrings_enabled_while_keep_means_summary() -> None:
    code = 'def f():\n    """Doc.\n\n    More.\n    """\n'
    settings = Settings(level="safe", enable=frozenset({"docstrings"}))
    module, fired, _ = apply_code_rules(cst.parse_module(code), settings)
    assert fired == ["docstrings"]
    assert module.code == 'def f():\n    """Doc."""\n'


# ---------------------------------------------------------------------------------- demo-code

DEMO_FIXES = [
    pytest.param(
        """
        import math

        def hypot(a, b):
            return math.sqrt(a * a + b * b)

        # Example usage
        x, y = 3, 4
        print(hypot(x, y))
        print(f"{math.pi:.2f}")
        """,
        """
        import math

        def hypot(a, b):
            return math.sqrt(a * a + b * b)
        """,
        id="example-usage-tail",
    ),
    pytest.param(
        """
        class Stack:
            def __init__(self):
                self.items = []

            def push(self, item):
                self.items.append(item)

        s = Stack()
        s.push(1)
        for i in range(3):
            s.push(i)
        print(len(s.items), [str(v).strip() for v in s.items])
        """,
        """
        class Stack:
            def __init__(self):
                self.items = []

            def push(self, item):
                self.items.append(item)
        """,
        id="instance-made-by-the-example",
    ),
    pytest.param(
        """
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        if __name__ == "__main__":
            print(fib(10))
            print(fib(20))
        """,
        """
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        """,
        id="main-guard",
    ),
    pytest.param(
        """
        def f():
            return LIMIT

        LIMIT = 10
        print(f())
        """,
        """
        def f():
            return LIMIT

        LIMIT = 10
        """,
        id="keeps-name-a-definition-uses",
    ),
    pytest.param(
        """
        registry = {}

        def register(name):
            registry[name] = True

        def known(name):
            return name in registry

        register("a")
        print(known("a"))
        """,
        """
        registry = {}

        def register(name):
            registry[name] = True

        def known(name):
            return name in registry

        register("a")
        """,
        id="keeps-call-that-changes-module-state",
    ),
]

DEMO_NOOP = [
    pytest.param(
        "def fib(n):\n    return n\n\nif __name__ == '__main__':\n    n = int(input())\n    print(fib(n))\n",
        id="input-main-is-the-interface",
    ),
    pytest.param(
        "import argparse\n\ndef run(p):\n    return p\n\nif __name__ == '__main__':\n"
        "    parser = argparse.ArgumentParser()\n    parser.add_argument('p')\n"
        "    print(run(parser.parse_args().p))\n",
        id="argparse-main-is-the-interface",
    ),
    pytest.param(
        "import sys\n\ndef run(p):\n    return p\n\nif __name__ == '__main__':\n"
        "    print(run(sys.argv[1]))\n",
        id="argv-main-is-the-interface",
    ),
    pytest.param("print(1 + 1)\nx = 2\n", id="defines-nothing"),
    pytest.param(
        "def main():\n    print(1)\n\nif __name__ == '__main__':\n    main()\n", id="entry"
    ),
    pytest.param(
        "import sys\n\ndef main(argv):\n    return len(argv)\n\nsys.exit(main(sys.argv))\n",
        id="calls-outside-world",
    ),
    pytest.param(
        "def area(r):\n    return r * r\n\nr = float(input())\nprint(area(r))\n",
        id="script-reading-input",
    ),
    pytest.param(
        "class Dog:\n    count = []\n\n    def __init__(self):\n        Dog.count.append(self)\n\nDog()\n",
        id="class-state",
    ),
    pytest.param("print('start')\n\ndef f():\n    return 1\n", id="example-before-definitions"),
    pytest.param("def f():\n    return 1\n\nprint(f())\nprint(eval('f()'))\n", id="dynamic"),
    pytest.param(
        "def f(x):\n    return x\n\nimport json\nprint(json.dumps(f(1)))\n", id="keeps-imports"
    ),
]


@pytest.mark.parametrize(("before", "after"), DEMO_FIXES)
def test_demo_code_fixes(before: str, after: str) -> None:
    assert run(DemoCode, before, level="aggressive") == d(after)


@pytest.mark.parametrize("code", DEMO_NOOP)
def test_demo_code_noop(code: str) -> None:
    # keeps-imports: the json import stays; the print after it goes.
    out = run(DemoCode, code, level="aggressive")
    if "import json" in code:
        assert out == "def f(x):\n    return x\n\nimport json\n"
    else:
        assert out == code


# ----------------------------------------------------------------------------- unused-imports

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
    assert run(UnusedImports, before, level="aggressive") == d(after)


@pytest.mark.parametrize("code", UNUSED_NOOP)
def test_unused_imports_noop(code: str) -> None:
    assert run(UnusedImports, code, level="aggressive") == code


# ------------------------------------------------------------------------------- registry

AGGRESSIVE_IDS = {"docstrings", "demo-code", "unused-imports", "think", "filler-prose"}


def test_aggressive_rules_are_registered_with_examples() -> None:
    rules = {rule.id: rule for rule in all_rules()}
    assert AGGRESSIVE_IDS <= set(rules)
    for rule_id in AGGRESSIVE_IDS:
        rule = rules[rule_id]
        assert rule.level == "aggressive"
        assert rule.description and rule.before and rule.after != rule.before


@pytest.mark.parametrize("rule_id", sorted(AGGRESSIVE_IDS))
def test_each_rule_is_on_at_aggressive_and_off_at_standard(rule_id: str) -> None:
    assert rule_id in {r.id for r in enabled_rules(Settings(level="aggressive"))}
    assert rule_id not in {r.id for r in enabled_rules(Settings(level="standard"))}
    enabled = Settings(level="standard", enable=frozenset({rule_id}))
    assert rule_id in {r.id for r in enabled_rules(enabled)}
    disabled = Settings(level="aggressive", disable=frozenset({rule_id}))
    assert rule_id not in {r.id for r in enabled_rules(disabled)}


@pytest.mark.parametrize("rule", [Docstrings, DemoCode, UnusedImports], ids=lambda r: r.id)
def test_code_rule_example_is_what_the_rule_does(rule: type[CodeRule]) -> None:
    settings = {"docstrings": "summary"} if rule is Docstrings else {"level": "aggressive"}
    assert run(rule, rule.before, **settings) == rule.after


# ------------------------------------------------------------------------------ robustness

hypothesmith = pytest.importorskip("hypothesmith")


@pytest.mark.parametrize(
    ("rule", "options"),
    [
        (Docstrings, {"docstrings": "summary"}),
        (Docstrings, {"docstrings": "strip"}),
        (DemoCode, {"level": "aggressive"}),
        (UnusedImports, {"level": "aggressive"}),
    ],
    ids=["docstrings-summary", "docstrings-strip", "demo-code", "unused-imports"],
)
def test_code_rules_never_raise_and_keep_code_parsing(
    rule: type[CodeRule], options: dict[str, str]
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(
        derandomize=True,
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))
    def check(code: str) -> None:
        try:
            cst.parse_module(code)
        except (cst.ParserSyntaxError, RecursionError):
            return
        run(rule, code, **options)

    check()
