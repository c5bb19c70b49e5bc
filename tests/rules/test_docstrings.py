"""``docstrings``: summary and strip modes, the setting that governs it, and behaviour kept.

Each case runs the rule on its own (as ``--enable docstrings`` would), without black, so the
expected output is exactly what the rule produces.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from rule_harness import (
    assert_fixes,
    assert_module_keeps_behaviour,
    assert_noop,
    assert_stable_on_generated_programs,
)
from sample_programs import module_cases

from tokentrim.rules import apply_code_rules, enabled_rules
from tokentrim.settings import Settings

RULE = "docstrings"


def d(text: str) -> str:
    return textwrap.dedent(text)


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
    assert_fixes(RULE, d(before), d(after), docstrings="summary")


@pytest.mark.parametrize("code", DOCSTRING_SUMMARY_NOOP)
def test_docstrings_summary_noop(code: str) -> None:
    assert_noop(RULE, code, docstrings="summary")


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
    assert_fixes(RULE, d(before), d(after), docstrings="strip")


@pytest.mark.parametrize("code", DOCSTRING_STRIP_NOOP)
def test_docstrings_strip_noop(code: str) -> None:
    assert_noop(RULE, code, docstrings="strip")


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


@pytest.mark.parametrize("mode", ["summary", "strip"])
@pytest.mark.parametrize(("code", "strategies"), module_cases())
def test_docstrings_keeps_behaviour(mode: str, code: str, strategies: dict) -> None:  # type: ignore[type-arg]
    assert_module_keeps_behaviour(RULE, code, strategies, docstrings=mode)


@pytest.mark.parametrize("mode", ["summary", "strip"])
def test_docstrings_on_generated_programs(mode: str) -> None:
    """hypothesmith programs: never raises, output parses, a second run changes nothing."""
    assert_stable_on_generated_programs(RULE, docstrings=mode)
