"""Whole programs for the differential tests of the rules that rewrite a module's top level.

Each: a name, the source (with docstrings, example usage and imports, used and not), and a strategy
of arguments per function or method to call before and after the rule.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from hypothesis import strategies as st

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

STATEFUL = PROGRAMS[2][1]


def module_cases() -> list[Any]:
    """``pytest.param(code, strategies, id=name)`` for every program, the code dedented."""
    return [
        pytest.param(textwrap.dedent(code), strategies, id=name)
        for name, code, strategies in PROGRAMS
    ]
