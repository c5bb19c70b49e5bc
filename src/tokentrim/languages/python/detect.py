"""Is this text Python we may rewrite? The one test ``trim()`` and the cost side both apply."""

from __future__ import annotations

import ast
import re

from tokentrim import pyast

__all__ = ["MAX_BLOCK_CHARS", "NOT_PYTHON", "is_session", "looks_like_python", "parses"]

# black and libcst take about a second per 100 KB: a block this large is not a model's reply to
# trim interactively, and a 50 MB reply must not take an hour. Such blocks are left as they are.
MAX_BLOCK_CHARS = 1_000_000

# Fence languages that are Python sessions, not modules: never rewritten.
NOT_PYTHON = frozenset({"pycon", "doctest", "python-repl", "pyrepl", "ipython", "console"})

_PROMPT = re.compile(r"^\s*>>>( |$)", re.MULTILINE)
_FIRST_LINE_PROMPT = re.compile(r"\A\s*>>>( |$)")
_DEFINITIONS = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Import,
    ast.ImportFrom,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
)


def looks_like_python(code: str) -> bool:
    """Parses, and has a def, class, import or assignment (so prose is not mistaken for code)."""
    if not code.strip() or len(code) > MAX_BLOCK_CHARS:
        return False
    try:
        tree = pyast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(isinstance(node, _DEFINITIONS) for node in ast.walk(tree))


def is_session(code: str) -> bool:
    """An interactive session: it opens with a ``>>>`` prompt, or has prompts and is not Python.

    A docstring with a doctest in it does not make a module a session.
    """
    if _FIRST_LINE_PROMPT.match(code):
        return True
    return _PROMPT.search(code) is not None and not parses(code)


def parses(code: str) -> bool:
    """``ast.parse`` accepts it (and is not beaten by its nesting or null bytes)."""
    try:
        pyast.parse(code)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return False
    return True
