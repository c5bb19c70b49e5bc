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

:func:`same` is the safety nets' and rules' "the AST did not change": ``ast.dump(a) == ast.dump(b)``
without building the two strings, and :func:`same_for_black` is black's own equivalence (what
``black.parsing.stringify_ast`` compares) the same way. :data:`ODD_LINE_BREAKS` finds the line
breaks that make Python's lines differ from ``str.splitlines``' and ``readline``'s;
:func:`tokens` and :func:`significant_tokens` are a block's tokens, remembered for the last few
blocks.
"""

from __future__ import annotations

import ast
import io
import re
import threading
import tokenize

from tokentrim.caching import memoize

__all__ = ["ODD_LINE_BREAKS", "parse", "same", "same_for_black", "significant_tokens", "tokens"]

# Line breaks Python's parser and str.splitlines / readline count differently.
ODD_LINE_BREAKS = re.compile("\r(?!\n)|[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")

_LOCK = threading.RLock()


def parse(source: str) -> ast.Module:
    """``ast.parse(source)``, never overlapping another thread's :func:`parse`."""
    with _LOCK:
        return ast.parse(source)


# A TokenInfo with its strings costs about 60 bytes per character of source.
@memoize("python.tokens", lambda code, tokens: 62 * len(str(code)) + 200)
def tokens(code: str) -> tuple[tokenize.TokenInfo, ...] | None:
    """Every token of ``code``, as ``tokenize.generate_tokens`` gives them; None where it does
    not tokenize."""
    try:
        return tuple(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return None


@memoize("rules.tokens", lambda code, tokens: 62 * len(str(code)) + 200)
def significant_tokens(code: str) -> tuple[tokenize.TokenInfo, ...] | None:
    """The tokens but NL, comments, INDENT and DEDENT (the rules' pre-screen reads their type,
    string and positions; a caller that derived them another way may have left ``line`` as it
    was, see ``comments.strip_comment_lines``)."""
    every = tokens(code)  # shared with the comment scan, which may have tokenized it already
    if every is None:
        return None
    return tuple(token for token in every if token.type not in INSIGNIFICANT)


INSIGNIFICANT = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)


def same(a: object, b: object) -> bool:
    """``ast.dump(a) == ast.dump(b)``, decided by walking both trees side by side.

    The same definition as the dumps' (node class names, every field but the positions, a field
    left out when it is None and its class's default is None, leaves compared by ``repr``), at a
    fraction of the cost: no string is built and the walk stops at the first difference. The walk
    uses its own stack, so a deep tree never meets the recursion limit here.
    """
    pending = [(a, b)]
    while pending:
        x, y = pending.pop()
        if isinstance(x, ast.AST):
            kind = type(x)
            if kind is type(y):  # the common case: the same fields, the same class defaults
                for name in x._fields:
                    value_x, value_y = getattr(x, name, _MISSING), getattr(y, name, _MISSING)
                    if value_x is value_y or (
                        (value_x is None or value_x is _MISSING)
                        and (value_y is None or value_y is _MISSING)
                        and _left_out(kind, name, value_x)
                        and _left_out(kind, name, value_y)
                    ):
                        continue
                    # A field left out on one side only meets a shown value: the pair differs.
                    pending.append((value_x, value_y))
                continue
            if not isinstance(y, ast.AST) or kind.__name__ != type(y).__name__:
                return False
            fields_x, fields_y = _fields(x), _fields(y)
            if [n for n, _ in fields_x] != [n for n, _ in fields_y]:
                return False
            pending.extend((vx, vy) for (_, vx), (_, vy) in zip(fields_x, fields_y, strict=True))
        elif isinstance(x, list):
            if not isinstance(y, list) or len(x) != len(y):
                return False
            pending.extend(zip(x, y, strict=True))
        elif isinstance(y, ast.AST | list):
            return False
        elif x is not y and not _same_leaf(x, y):
            return False
    return True


_MISSING = object()


def _left_out(kind: type, name: str, value: object) -> bool:
    """Whether ``ast.dump`` leaves the field out: not set, or None where its class default is."""
    return value is _MISSING or (value is None and getattr(kind, name, ...) is None)


def _fields(node: ast.AST) -> list[tuple[str, object]]:
    """The fields ``ast.dump`` shows, with their values."""
    kind = type(node)
    values = ((name, getattr(node, name, _MISSING)) for name in node._fields)
    return [(name, value) for name, value in values if not _left_out(kind, name, value)]


_EXACT = (str, bytes, int, bool)  # types whose repr is equal exactly when the values are


def _same_leaf(x: object, y: object) -> bool:
    if type(x) is type(y) and type(x) in _EXACT:
        return x == y
    return repr(x) == repr(y)  # floats (0.0 and -0.0, nan), complex, None, Ellipsis...


def same_for_black(a: ast.AST, b: ast.AST) -> bool:
    """Whether ``black.parsing.stringify_ast`` gives the same lines for both trees: the formatter
    net's "the AST did not change", by walking both trees side by side.

    black's definition, not ``ast.dump``'s: positions and a ``TypeIgnore``'s fields do not count;
    the targets of ``del`` count with their tuples flattened; a string that is a whole expression
    statement (a docstring) counts with the whitespace around each of its lines stripped, a type
    comment without trailing whitespace, and a string's ``u`` prefix not at all. Stricter than
    stringify_ast in one way: the names of ``global`` and ``nonlocal`` statements and a class
    pattern's keyword names count (black skips list items that are not nodes; no formatter
    changes a name, and a name changed is a program changed). Unlike stringify_ast, it changes
    neither tree.
    """
    pending: list[tuple[ast.AST, ast.AST, bool]] = [(a, b, False)]
    while pending:
        x, y, statement = pending.pop()  # statement: the node is an expression statement's value
        kind = type(x)
        if kind is not type(y) and kind.__name__ != type(y).__name__:
            return False
        if kind is ast.TypeIgnore:
            continue
        for name in x._fields:
            value_x, value_y = getattr(x, name, _MISSING), getattr(y, name, _MISSING)
            if value_x is value_y:  # one object: None, a shared context or operator, a name
                continue
            if value_x is _MISSING or value_y is _MISSING:
                return False
            if type(value_x) is list:
                if type(value_y) is not list:
                    return False
                if (kind, name) in _NAME_LISTS:
                    if value_x != value_y:
                        return False
                    continue
                items_x, items_y = _black_items(x, name, value_x), _black_items(y, name, value_y)
                if len(items_x) != len(items_y):
                    return False
                pending.extend(
                    (i, j, kind is ast.Expr) for i, j in zip(items_x, items_y, strict=True)
                )
            elif isinstance(value_x, ast.AST):
                if not isinstance(value_y, ast.AST):
                    return False
                pending.append((value_x, value_y, kind is ast.Expr))
            elif isinstance(value_y, ast.AST | list):
                return False
            else:
                if kind is ast.Constant or name == "type_comment":
                    value_x = _black_leaf(x, name, value_x, statement)
                    value_y = _black_leaf(y, name, value_y, statement)
                if type(value_x).__name__ != type(value_y).__name__ or not (
                    value_x is value_y or _same_leaf(value_x, value_y)
                ):
                    return False
    return True


# The list fields that hold names, not nodes.
_NAME_LISTS = frozenset(
    {(ast.Global, "names"), (ast.Nonlocal, "names"), (ast.MatchClass, "kwd_attrs")}
)


def _black_items(node: ast.AST, name: str, items: list[object]) -> list[ast.AST]:
    """The nodes stringify_ast shows for a list field: ``del`` targets' tuples flattened."""
    if name == "targets" and type(node) is ast.Delete:
        return [elt for item in items for elt in _flat(item)]
    return [item for item in items if isinstance(item, ast.AST)]


def _flat(node: object) -> list[ast.AST]:
    if isinstance(node, ast.Tuple):
        return [elt for item in node.elts for elt in _flat(item)]
    return [node] if isinstance(node, ast.AST) else []


def _black_leaf(node: ast.AST, name: str, value: object, statement: bool) -> object:
    """A leaf as stringify_ast writes it."""
    if type(node) is ast.Constant and isinstance(node.value, str):
        if name == "kind" and value == "u":
            return None
        if name == "value" and statement:
            lines = [line.strip() for line in node.value.splitlines()]
            return "\n".join(lines).strip()
    elif name == "type_comment" and isinstance(value, str):
        return value.rstrip()
    return value
