"""demo-code's shapes for the rules' pre-screen (see :mod:`._screen`): a main guard it may drop,
or a statement after the definitions that may be an example of them.

``"demo-shape"`` is a necessary condition for demo-code to change a block: both tests below are the
rule's own, made looser wherever the rule needs libcst's scope analysis (the cost the trigger
spares: the rule resolves scopes over the whole module before it judges a statement).
"""

from __future__ import annotations

import ast
import re

from tokentrim.pyast import ODD_LINE_BREAKS

__all__ = ["demo_shape"]

_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_NESTED_SCOPES = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp, ast.SetComp,
    ast.DictComp, ast.GeneratorExp,
)  # fmt: skip


def demo_shape(body: list[ast.stmt], code: str | None) -> bool:
    """Top-level definitions, and a main guard demo-code may drop or a statement after them that
    may be an example it drops."""
    defs = [i for i, stmt in enumerate(body) if isinstance(stmt, _DEFS)]
    if not defs:
        return False
    return any(_demo_guard(s, body, defs, code) for s in body) or _may_be_example(body, defs, code)


def _demo_guard(stmt: ast.stmt, body: list[ast.stmt], defs: list[int], code: str | None) -> bool:
    """demo-code: ``stmt`` may be a main guard the rule drops: an ``if __name__ == "__main__"``
    (a string literal: libcst's SimpleString) without ``else`` that is not an entry point, i.e.
    not an indented block of one ``main()``-like call of a definition here (``_is_entry``)."""
    sides = _main_sides(stmt)
    if sides is None or not (sides[1] and sides[2]):
        return False
    guard = sides[0]
    if len(guard.body) != 1 or guard.body[0].lineno == guard.lineno or code is None:
        return True  # not one statement on a line of its own: not an entry point
    lines = code.split("\n")
    if ODD_LINE_BREAKS.search(code) or lines[guard.body[0].lineno - 2].rstrip("\r").endswith("\\"):
        return True  # a continued line: the statement may be on the `if` line
    value: ast.expr | None = None
    only = guard.body[0]
    if isinstance(only, ast.Expr):
        value = only.value
    elif isinstance(only, ast.Raise):
        value = only.exc
    defined = {getattr(body[i], "name", "") for i in defs}
    while isinstance(value, ast.Call):
        callee = _dotted_name(value.func)
        if callee in defined and not value.args and not value.keywords:
            return False  # an entry point: the rule keeps it
        if callee not in ("sys.exit", "exit", "SystemExit", "asyncio.run") or len(value.args) != 1:
            return True
        value = value.args[0]
    return True


def _may_be_example(body: list[ast.stmt], defs: list[int], code: str | None) -> bool:
    """demo-code: some statement after the last definition may be an example it drops.

    The rule's test, made looser wherever it needs scope analysis, so that a block where no
    statement passes is one where the rule drops no example. In the rule, a statement after the
    definitions (main guards aside) is an example when ``example_of`` holds: nothing forbidden in
    it (an import, ``global``/``nonlocal``, a definition, ``await``, ``yield``) and every call goes
    to a fresh value, a name it or an earlier example binds, a definition that changes no state, a
    pure builtin or a pure library function; then an example that binds a name kept code uses, or
    uses a name kept code after the definitions binds, is kept after all. Here: any name the
    statements bind counts as bound (comprehension variables too), any definition and any pure
    builtin as allowed, and an example is kept only for names spelled at the top level of the
    statements (the rule sees those and more).
    """
    if defs[-1] == len(body) - 1:
        return False
    from tokentrim.rules.demo_code import _PURE_BUILTINS, _PURE_FUNCTIONS, _PURE_MODULES

    allowed = {getattr(body[i], "name", "") for i in defs} | _PURE_BUILTINS | _PURE_MODULES
    eligible: set[int] = set()
    made: set[str] = set()
    for i in range(defs[-1] + 1, len(body)):
        if _surely_main_guard(body[i], code):
            continue  # the rule judges main guards on their own (`_demo_guard`)
        bound = _bound_names(body[i])
        if _example_like(body[i], allowed | made | bound, _PURE_FUNCTIONS):
            eligible.add(i)
            made |= bound
    if not eligible:
        return False
    # (names spelled, names bound) at the top level of each statement but the definitions
    definitions = set(defs)
    top = {i: _top_level_names(stmt) for i, stmt in enumerate(body) if i not in definitions}
    changed = True
    while changed and eligible:
        changed = False
        kept = [i for i in top if i not in eligible]
        kept_names = set().union(*(top[i][0] for i in kept))
        tail_binds = set().union(*(top[i][1] for i in kept if i > defs[-1]))
        for i in sorted(eligible):
            if top[i][1] & kept_names or top[i][0] & tail_binds:
                eligible.discard(i)
                changed = True
    return bool(eligible)


def _bound_names(stmt: ast.stmt) -> set[str]:
    """Every name a statement binds or deletes, at any depth."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _top_level_names(stmt: ast.stmt) -> tuple[set[str], set[str]]:
    """The names a statement spells, and those it binds, outside any function, lambda, class or
    comprehension: libcst's scope analysis resolves each of them to the module."""
    names, stored = set(), set()
    pending: list[ast.AST] = [stmt]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name):
            names.add(node.id)
            if isinstance(node.ctx, ast.Store | ast.Del):
                stored.add(node.id)
        elif isinstance(node, _NESTED_SCOPES):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return names, stored


def _main_sides(stmt: ast.stmt) -> tuple[ast.If, list[ast.Name], list[ast.Constant]] | None:
    """For an ``if`` without ``else`` testing one ``==``: the ``if``, its sides that are the name
    ``__name__`` and those that are the constant ``"__main__"``; None for any other statement."""
    if not isinstance(stmt, ast.If) or stmt.orelse:
        return None
    test = stmt.test
    if not (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)
    ):
        return None
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    strings = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return stmt, names, strings


_MAIN_STRING = re.compile(r"""[uUrR]?('|"|\'\'\'|\"\"\")__main__\1""")


def _surely_main_guard(stmt: ast.stmt, code: str | None) -> bool:
    """What demo-code's ``_is_main_guard`` says of ``stmt``, when it surely says yes: an ``if``
    without ``else`` comparing ``__name__`` with one string literal ``"__main__"`` (one token:
    libcst's SimpleString)."""
    sides = _main_sides(stmt)
    if code is None or sides is None:
        return False
    _, names, strings = sides
    if len(names) != 1 or len(strings) != 1 or strings[0].lineno != strings[0].end_lineno:
        return False
    if ODD_LINE_BREAKS.search(code):
        return False
    string = strings[0]
    line = code.splitlines()[string.lineno - 1].encode()
    source = line[string.col_offset : string.end_col_offset].decode(errors="replace")
    return _MAIN_STRING.fullmatch(source) is not None


_NOT_IN_EXAMPLES = (
    ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.FunctionDef, ast.AsyncFunctionDef,
    ast.ClassDef, ast.Await, ast.Yield, ast.YieldFrom,
)  # fmt: skip
# What demo-code's `_dotted` calls a fresh value, as Python's AST spells it (any constant: libcst's
# True/False/None are names, its `...` is neither; looser is right here).
_FRESH = (
    ast.Call, ast.Constant, ast.JoinedStr, ast.List, ast.Dict, ast.Set, ast.Tuple, ast.ListComp,
    ast.DictComp, ast.SetComp,
)  # fmt: skip


def _example_like(stmt: ast.stmt, allowed: set[str], pure_functions: frozenset[str]) -> bool:
    for node in ast.walk(stmt):
        if isinstance(node, _NOT_IN_EXAMPLES):
            return False
        if isinstance(node, ast.Call):
            callee = _callee(node.func)
            if callee is None:
                return False
            head, _, rest = callee.partition(".")
            if callee == "" or head in allowed:
                continue
            if ".".join(callee.split(".")[:2]) not in pure_functions:
                return False
    return True


def _callee(node: ast.expr) -> str | None:
    """demo-code's ``_dotted`` on Python's AST: ``a.b.c`` for a name chain (a subscript restarts
    it), ``""`` for a fresh value, None when unknown."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            parts.clear()
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return ".".join(reversed(parts))
        elif isinstance(node, _FRESH):
            return ""
        else:
            return None


def _dotted_name(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])
