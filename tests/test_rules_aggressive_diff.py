"""Differential tests of the aggressive code rules: run the code before and after, compare.

Hypothesis generates the arguments. For each program the definitions are called on them before and
after the rule, and return values, raised exception types and printed output must match. Running the
module itself must print the same, except for ``demo-code``, which removes example prints by design:
for it only the definitions are compared — and they are compared *after* the original example ran,
so a demo call that changed module state (and so must not be dropped) shows up as a difference.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from collections.abc import Callable
from typing import Any

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokentrim.rules import CodeRule
from tokentrim.rules.demo_code import DemoCode
from tokentrim.rules.docstrings import Docstrings
from tokentrim.rules.unused_imports import UnusedImports
from tokentrim.settings import Settings

ints = st.integers(min_value=-50, max_value=50)
words = st.text(alphabet="ab ,.xyz", max_size=12)
int_lists = st.lists(ints, max_size=8)

PROGRAMS: list[tuple[str, str, dict[str, st.SearchStrategy[tuple[Any, ...]]]]] = [
    (
        "factorial",
        '''
        """Factorial helpers.

        Two ways to compute n!.
        """
        import math
        import os
        from typing import List, Optional


        def factorial(n: int) -> int:
            """Compute the factorial of n.

            Args:
                n: a non-negative integer.

            Raises:
                ValueError: if n is negative.
            """
            if n < 0:
                raise ValueError("negative")
            result = 1
            for i in range(2, n + 1):
                result *= i
            return result


        def factorials(ns: "List[int]") -> List[int]:
            """Factorials of several numbers."""
            return [factorial(n) for n in ns if n >= 0]


        # Example usage
        print(factorial(5))
        print(factorials([1, 2, 3]), math.factorial(4))

        if __name__ == "__main__":
            print(factorial(int(input())))
        ''',
        {"factorial": st.tuples(st.integers(-3, 12)), "factorials": st.tuples(int_lists)},
    ),
    (
        "stack",
        '''
        import collections
        import sys


        class Stack:
            """A LIFO stack.

            Example:
                >>> s = Stack()
            """

            def __init__(self):
                """Make an empty stack."""
                self.items = []

            def push(self, item):
                """Push an item."""
                self.items.append(item)

            def pop(self):
                """Pop the top item.

                Raises IndexError when empty.
                """
                return self.items.pop()


        def drain(values):
            """Push all values, pop them back."""
            s = Stack()
            for v in values:
                s.push(v)
            out = []
            while s.items:
                out.append(s.pop())
            print("drained", len(out))
            return out


        stack = Stack()
        stack.push(1)
        print(stack.pop())
        try:
            stack.pop()
        except IndexError as exc:
            print("empty:", exc)
        ''',
        {"drain": st.tuples(int_lists)},
    ),
    (
        "stateful",
        '''
        import json
        import os

        CACHE = {}
        COUNT = 0


        def remember(key, value):
            """Store a value."""
            CACHE[key] = value


        def bump():
            """Count calls."""
            global COUNT
            COUNT += 1
            return COUNT


        def lookup(key):
            """Look a key up.

            Returns None when missing.
            """
            return CACHE.get(key), COUNT


        class Counter:
            """Counts instances."""

            made = []

            def __init__(self):
                Counter.made.append(self)

            @classmethod
            def total(cls):
                return len(cls.made)


        remember("a", 1)
        bump()
        Counter()
        print(lookup("a"), json.dumps(CACHE))
        ''',
        {"lookup": st.tuples(st.sampled_from(["a", "b"])), "total": st.tuples()},
    ),
    (
        "words",
        '''
        import re
        import string
        import itertools as it


        def words(s):
            """Split s on commas and spaces."""
            return [w for w in re.split(r"[ ,]+", s) if w]


        def capitalised(s):
            """Capitalise each word.

            >>> capitalised("a b")
            'A B'
            """
            return " ".join(w.capitalize() for w in words(s))


        text = "hello, world"
        result = capitalised(text)
        print(result)
        assert words("a b") == ["a", "b"]
        ''',
        {"words": st.tuples(words), "capitalised": st.tuples(words)},
    ),
]

RULES: list[tuple[type[CodeRule], dict[str, Any]]] = [
    (Docstrings, {"docstrings": "summary"}),
    (Docstrings, {"docstrings": "strip"}),
    (DemoCode, {"level": "aggressive"}),
    (UnusedImports, {"level": "aggressive"}),
]


def rewrite(rule: type[CodeRule], code: str, options: dict[str, Any]) -> str:
    transformer = rule(Settings(**options))
    module = cst.parse_module(code)
    if transformer.METADATA_DEPENDENCIES:
        return cst.MetadataWrapper(module, unsafe_skip_copy=True).visit(transformer).code
    return module.visit(transformer).code


def load(code: str) -> tuple[dict[str, Any], str]:
    """Execute a program as a module; return its namespace and what it printed."""
    namespace: dict[str, Any] = {"__name__": "sample"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<sample>", "exec"), namespace)
    return namespace, out.getvalue()


def outcome(call: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            value = repr(call(*args))
        except Exception as exc:  # noqa: BLE001 - the exception type is the outcome
            value = f"raised {type(exc).__name__}"
    return value, out.getvalue()


def resolve(namespace: dict[str, Any], name: str) -> Callable[..., Any]:
    if name in namespace:
        return namespace[name]
    owner = next(v for v in namespace.values() if isinstance(v, type) and hasattr(v, name))
    return getattr(owner, name)


CASES = [
    pytest.param(rule, options, name, code, strategies, id=f"{rule.id}-{name}-{i}")
    for i, (rule, options) in enumerate(RULES)
    for name, code, strategies in PROGRAMS
]


@pytest.mark.parametrize(("rule", "options", "name", "code", "strategies"), CASES)
def test_rule_keeps_behaviour(
    rule: type[CodeRule],
    options: dict[str, Any],
    name: str,
    code: str,
    strategies: dict[str, st.SearchStrategy[tuple[Any, ...]]],
) -> None:
    before = textwrap.dedent(code)
    after = rewrite(rule, before, options)
    assert after != before, f"{rule.id} should fire on {name}"
    old_ns, old_printed = load(before)
    new_ns, new_printed = load(after)
    if rule is not DemoCode:
        assert new_printed == old_printed

    calls = st.sampled_from(sorted(strategies)).flatmap(
        lambda fn: st.tuples(st.just(fn), strategies[fn])
    )

    @settings(
        derandomize=True,
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(calls)
    def check(call: tuple[str, tuple[Any, ...]]) -> None:
        fn, args = call
        assert outcome(resolve(new_ns, fn), args) == outcome(resolve(old_ns, fn), args)

    check()


def test_demo_code_would_be_caught_dropping_a_state_change() -> None:
    """The comparison above can fail: dropping `remember("a", 1)` changes `lookup`."""
    code = textwrap.dedent(PROGRAMS[2][1])
    broken = code.replace('remember("a", 1)\n', "")
    old_ns, _ = load(code)
    new_ns, _ = load(broken)
    assert outcome(old_ns["lookup"], ("a",)) != outcome(new_ns["lookup"], ("a",))
