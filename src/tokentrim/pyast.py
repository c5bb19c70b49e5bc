"""``ast.parse`` that is safe to call from several threads at once.

CPython 3.11 builds the ``ast`` objects of a parse with a recursion counter kept in
interpreter-wide state, set from the calling thread's stack depth when the build starts and
checked when it ends. Building allocates thousands of objects; a garbage collection it sets off
may run Python code (a finalizer, a generator being closed), which lets other threads run. When
one of them parses meanwhile, it resets the shared counter, and the first parse fails with
``SystemError: AST constructor recursion depth mismatch`` (or a spurious ``RecursionError``)
although its code is fine (CPython gh-106905 and its duplicates). A proxy that trims replies on
worker threads while its event loop trims streams did exactly that, at random, under load.

Every parse tokentrim does (trimming, its rules, the digest) goes through :func:`parse`, which
holds one process-wide lock for the duration: parses never overlap, so the counter is never shared. The
lock costs nothing measurable, since ``ast.parse`` is C code that holds the GIL anyway; it is
re-entrant, so a finalizer that parses on the same thread cannot deadlock.
"""

from __future__ import annotations

import ast
import threading

__all__ = ["parse"]

_LOCK = threading.RLock()


def parse(source: str) -> ast.Module:
    """``ast.parse(source)``, never overlapping another thread's :func:`parse`."""
    with _LOCK:
        return ast.parse(source)
