"""The code rules' pre-screen: which shapes a block has, from Python's own AST and its tokens.

:func:`code_features` walks the stdlib ``ast`` tree once (and, for two shapes, the tokens) and names
the shapes a rule needs before it can fire. Two kinds of name:

* **coarse** ones (``"if"``, ``"return"``, ``"assign"``...): a rule's ``requires``. They decide which
  rules take part in a round, exactly as they always have;
* **precise** ones (``"return-pair"``, ``"paren"``...): a rule's ``trigger``. Each is a necessary
  condition for that rule to change the block *as it is*; a round runs only when some rule's
  trigger holds, and libcst is not even parsed when none does.

Why skipping a round on triggers alone is exact: while no rule has fired yet, every rule of a round
sees the round's input unchanged, so the first rewrite of a round is made on an input shape, and
that shape makes its rule's trigger true. No trigger, no first rewrite: the round would have
changed nothing. Once a round runs, all the rules its coarse features admit run as before (a rule
may fire on what another one rewrote in the same walk).

``wanted`` (the shapes the enabled rules name, :func:`tokentrim.rules.shapes_for`) spares the
costly shapes no enabled rule asks about (demo-code's, the docstrings', unused imports', the
token-level ones); a shape left out is one no enabled rule reads, so the answers do not change.

:func:`reformatted_features` screens the second pass's input, the formatter's output: the shapes
of the walk are the first pass's (the formatter net proved the trees the same), and only the
token-level ones are looked for in the new text.

Each trigger below says which property of its rule it mirrors. ``tests/rules/test_screen.py``
checks, on generated and real code, that a block the screen rejects is one no rule changes.
"""

from __future__ import annotations

import ast

import libcst as cst

from tokentrim import pyast
from tokentrim.caching import memoize
from tokentrim.pyast import ODD_LINE_BREAKS
from tokentrim.rules._screen_demo import demo_shape
from tokentrim.rules._screen_tokens import plain_fstring, removable_paren

__all__ = ["code_features", "features_of", "reformatted_features"]

_JUMPS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
_BODY_FIELDS = ("body", "orelse", "finalbody")
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_TARGETS = (ast.Name, ast.Attribute, ast.Subscript)


# The key holds the block's text and its ast.Module (about 40 bytes per character).
@memoize("rules.features", lambda key, value: 42 * len(key[0]) + 64 * len(value) + 200)
def features_of(
    code: str, tree: ast.Module, wanted: frozenset[str] | None = None
) -> frozenset[str]:
    """:func:`code_features` of ``code`` (``tree`` is its parse), for the last few blocks: the
    pipeline asks before it parses with libcst, and the rules ask again."""
    return code_features(tree, code, wanted)


def code_features(
    tree: ast.Module, code: str | None = None, wanted: frozenset[str] | None = None
) -> frozenset[str]:
    """The shapes in a block that some rule needs, from one walk of Python's own (fast) AST.

    Deliberately broad: a feature is present whenever any rule *might* fire on it, so gating on
    it skips only work that could not change anything. Without ``code`` the two token-level
    shapes (``"fstring-plain"``, ``"paren"``) count as present. With ``wanted``, the costly shapes
    outside it are not looked for (None: all of them).
    """

    def wants(shape: str) -> bool:
        return wanted is None or shape in wanted

    docstrings = wants("docstring") or wants("docstring-summary")
    found: set[str] = set()
    names: set[str] = set()  # every Name and attribute spelled: uses, for unused-imports
    # One walk with its own stack, dispatching on the exact node type: ast.parse makes no
    # subclasses, and the order of the walk does not matter (every shape only adds to `found`).
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        kind = type(node)
        for field in getattr(kind, "_fields", ()):  # none for a leaf a list holds (None, a name)
            value = getattr(node, field, None)
            if type(value) is list:
                pending.extend(value)
            elif isinstance(value, ast.AST):
                pending.append(value)
        if kind is ast.Name:
            names.add(node.id)  # type: ignore[attr-defined]
            continue
        if kind is ast.Attribute:
            names.add(node.attr)  # type: ignore[attr-defined]
            if node.attr == "keys":  # type: ignore[attr-defined]
                found.add("keys")
            continue
        if kind is ast.Constant:
            if isinstance(node.value, bool):  # type: ignore[attr-defined]
                found.add("bool-literal")
            continue
        if kind is ast.Call:
            _call_features(node, found)  # type: ignore[arg-type]
            continue
        if kind is ast.If:
            _if_features(node, found)  # type: ignore[arg-type]
        elif kind is ast.Return:
            _return_features(node, found)  # type: ignore[arg-type]
        elif kind is ast.Assign:
            _assign_features(node, found)  # type: ignore[arg-type]
        elif kind is ast.JoinedStr:
            # Not only placeholder-free ones: Python's AST merges `f"a" f"{b}"` into one.
            found.add("fstring")
        elif kind in _DEFS:
            if kind is not ast.ClassDef and _trailing_return(node):  # type: ignore[arg-type]
                found.add("trailing-return")
            if docstrings and _has_docstring(node.body):  # type: ignore[attr-defined]
                _docstring_features(node.body[0], code, found)  # type: ignore[attr-defined]
        for field in _BODIES.get(kind, ()):
            body = getattr(node, field, None)
            if not isinstance(body, list) or not body:
                continue
            if len(body) > 1 and any(isinstance(stmt, ast.Pass) for stmt in body):
                found.add("redundant-pass")
            elif field == "orelse" and len(body) == 1 and isinstance(body[0], ast.Pass):
                found.add("redundant-pass")  # `else: pass`
            _pair_features(body, found)
    if docstrings and _has_docstring(tree.body):
        _docstring_features(tree.body[0], code, found)
    # demo-code: a main guard it may drop, or a statement after the definitions that may be an
    # example of them.
    if wants("demo-shape") and demo_shape(tree.body, code):
        found.add("demo-shape")
    if wants("unused-import") and _imported(tree) - names:
        found.add("unused-import")
    if "self-binop-same" in found and not (wants("self-binop-same") and _augmentable(tree)):
        found.discard("self-binop-same")
    if "fstring" in found and wants("fstring-plain") and (code is None or plain_fstring(code)):
        found.add("fstring-plain")
    if wants("paren") and (code is None or removable_paren(code, tree)):
        found.add("paren")
    return frozenset(found)


#: The shapes read from the tokens: a reformatted block is scanned for them again.
_TOKEN_SHAPES = frozenset({"fstring-plain", "paren"})
#: The shapes whose walk reads the text too (a docstring's literal, demo-code's lines).
_TEXT_SHAPES = frozenset({"docstring", "docstring-summary", "demo-shape"})


def reformatted_features(
    like: frozenset[str], tree: ast.Module, code: str, wanted: frozenset[str] | None
) -> frozenset[str]:
    """:func:`features_of` ``(code, tree, wanted)``, for a block the formatter made out of one whose
    shapes, for the same ``wanted``, are ``like``.

    The formatter net found the two trees the same (:func:`tokentrim.pyast.same_for_black`), and
    every shape of the walk but the docstrings' and demo-code's is a function of what that
    comparison compares: none reads a position, a docstring's whitespace, how ``del`` targets are
    grouped in tuples, a string's ``u`` prefix or a type comment. So those shapes are ``like``'s;
    the two token-level ones are looked for in ``code``, and a block whose rules want the text's
    shapes is screened afresh.
    """
    if wanted is None or wanted & _TEXT_SHAPES:
        return features_of(code, tree, wanted)
    found = set(like - _TOKEN_SHAPES)
    if "fstring" in found and "fstring-plain" in wanted and plain_fstring(code):
        found.add("fstring-plain")
    if "paren" in wanted and removable_paren(code, tree):
        found.add("paren")
    return frozenset(found)


# The statement sequences of each node type that has some.
_BODIES: dict[type, tuple[str, ...]] = {
    kind: tuple(f for f in _BODY_FIELDS if f in kind._fields)
    for kind in vars(ast).values()
    if isinstance(kind, type)
    and issubclass(kind, ast.stmt | ast.Module | ast.excepthandler)
    and any(f in getattr(kind, "_fields", ()) for f in _BODY_FIELDS)
}
_BODIES[ast.match_case] = ("body",)


def _if_features(node: ast.If, found: set[str]) -> None:
    found.add("if")
    if node.orelse:
        found.add("if-else")
        if node.body and isinstance(node.body[-1], _JUMPS):
            found.add("else-after-jump")
    if len(node.body) == 1 and isinstance(node.body[0], ast.If):
        found.add("nested-if")
        # collapse-nested-if: neither the outer nor the inner `if` has an elif/else.
        if not node.orelse and not node.body[0].orelse:
            found.add("nested-if-bare")


def _trailing_return(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """trailing-return: the function's last statement, not its only one, is a bare ``return`` or
    ``return None``, and a ``return None`` is not kept for another ``return`` of a value in the
    function (not counting the functions and classes it defines)."""
    body = node.body
    last = body[-1] if len(body) > 1 else None
    if not isinstance(last, ast.Return) or not _returns_none(last):
        return False
    if last.value is None:
        return True
    pending: list[ast.AST] = list(body)
    while pending:
        stmt = pending.pop()
        if isinstance(stmt, (*_DEFS, ast.Lambda)):
            continue
        if isinstance(stmt, ast.Return) and not _returns_none(stmt):
            return False
        pending.extend(ast.iter_child_nodes(stmt))
    return True


def _returns_none(node: ast.Return) -> bool:
    value = node.value
    return value is None or (isinstance(value, ast.Constant) and value.value is None)


def _return_features(node: ast.Return, found: set[str]) -> None:
    found.add("return")
    if _returns_none(node):
        found.add("return-none")


def _assign_features(node: ast.Assign, found: set[str]) -> None:
    found.add("assign")
    target = node.targets[0]
    if len(node.targets) == 1 and isinstance(target, ast.Name):
        value = node.value
        if isinstance(value, ast.BinOp):
            found.add("self-binop")
            # augmented-assign: `x = x <op> literal`, the target itself on the left.
            if (
                isinstance(value.left, ast.Name)
                and value.left.id == target.id
                and _literal(value.right)
            ):
                found.add("self-binop-same")


def _call_features(node: ast.Call, found: set[str]) -> None:
    if not isinstance(node.func, ast.Name):
        return
    name = node.func.id
    if name == "range":
        if len(node.args) == 2 and _is_zero(node.args[0]):
            found.add("range")  # range(0, n): the only shape range-zero-start fixes
    elif name in ("list", "dict", "tuple", "sorted"):
        if not (node.args or node.keywords):
            found.add("empty-call")
        elif node.args and _copies(node.args[0]):
            found.add("collection-call")


def _pair_features(body: list[ast.stmt], found: set[str]) -> None:
    """Shapes made of a statement and the one after it, in one statement sequence (a module or an
    indented block: libcst's bodies are the same sequences)."""
    for i, stmt in enumerate(body):
        after = body[i + 1] if i + 1 < len(body) else None
        if isinstance(stmt, ast.If) and len(stmt.body) == 1:
            then = stmt.body[0]
            # ternary-return / if-return-bool: `if c: return a` + `else: return b` or + `return b`
            # (an `elif` is an `If` in orelse, not a `Return`), both with a value.
            if isinstance(then, ast.Return) and then.value is not None:
                other = stmt.orelse[0] if len(stmt.orelse) == 1 else None
                if not stmt.orelse:
                    other = after
                if isinstance(other, ast.Return) and other.value is not None:
                    found.add("return-pair")
                    if _is_bool(then.value) and _is_bool(other.value):
                        found.add("return-pair-bool")
            # ternary-assign / if-assign-bool: `if c: t = a` + `else: t = b`, one same target.
            elif isinstance(then, ast.Assign) and len(stmt.orelse) == 1:
                other = stmt.orelse[0]
                if (
                    isinstance(other, ast.Assign)
                    and len(then.targets) == 1
                    and len(other.targets) == 1
                    and isinstance(then.targets[0], _TARGETS)
                    and pyast.same(then.targets[0], other.targets[0])
                ):
                    found.add("assign-pair")
                    if _is_bool(then.value) and _is_bool(other.value):
                        found.add("assign-pair-bool")
        # inline-return-temp: `x = value` directly followed by `return x`.
        elif (
            isinstance(stmt, ast.Assign)
            and isinstance(after, ast.Return)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(after.value, ast.Name)
            and after.value.id == stmt.targets[0].id
        ):
            found.add("return-temp")


def _imported(module: ast.Module) -> set[str]:
    """The names module-level imports bind (unused-imports: the rule keeps an import whose name
    some libcst Name outside the imports spells, and every ast Name or attribute is such a
    Name)."""
    imported: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, ast.Import):
            imported.update(a.asname or a.name.partition(".")[0] for a in stmt.names)
        elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module != "__future__":
            imported.update(a.asname or a.name for a in stmt.names if a.name != "*")
    return imported


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _augmentable(scope: ast.AST) -> bool:
    """augmented-assign: some ``x = x <op> literal`` in a scope that binds ``x`` in no way the
    rule rejects (it proves every binding of ``x`` in its scope keeps an immutable value).

    Only bindings the rule surely rejects count against: a value that is not a literal and not
    ``x <op> literal``, a ``for`` over anything but ``range(...)``, a parameter, an import, a
    definition, an unpacking. A ``global``/``nonlocal`` name counts as possible. Nested scopes
    are judged on their own; walrus and comprehension bindings are left out (the rule refuses
    more, never less).
    """
    candidates: set[str] = set()
    rejected: set[str] = set()
    declared: set[str] = set()
    nested: list[ast.AST] = []
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        arguments = scope.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
        every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        rejected.update(a.arg for a in every)
        pending: list[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else [*scope.body]
    elif isinstance(scope, ast.ClassDef):
        pending = [*scope.body]
    else:
        pending = [scope]
    while pending:
        node = pending.pop()
        if isinstance(node, _SCOPES):
            nested.append(node)
            if not isinstance(node, ast.Lambda):
                rejected.add(node.name)
            continue
        if isinstance(node, _COMPREHENSIONS):
            continue
        if isinstance(node, ast.Assign):
            target = node.targets[0]
            if len(node.targets) == 1 and isinstance(target, ast.Name):
                value = node.value
                if (
                    isinstance(value, ast.BinOp)
                    and isinstance(value.left, ast.Name)
                    and value.left.id == target.id
                    and _literal(value.right)
                ):
                    candidates.add(target.id)
                elif not _literal(value):
                    rejected.add(target.id)
            else:
                rejected.update(_stored_names(node.targets))
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            if not _literal(node.value):
                rejected.add(node.target.id)
        elif isinstance(node, ast.For | ast.AsyncFor):
            iterable = node.iter
            if not (
                isinstance(node.target, ast.Name)
                and isinstance(iterable, ast.Call)
                and isinstance(iterable.func, ast.Name)
                and iterable.func.id == "range"
            ):
                rejected.update(_stored_names([node.target]))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            rejected.update((a.asname or a.name).partition(".")[0] for a in node.names)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
        pending.extend(ast.iter_child_nodes(node))
    if any(name in declared or name not in rejected for name in candidates):
        return True
    return any(_augmentable(inner) for inner in nested)


def _stored_names(targets: list[ast.expr]) -> set[str]:
    """The plain names that assignment targets bind (inside tuples and starred ones too)."""
    return {
        node.id
        for target in targets
        for node in ast.walk(target)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }


def _docstring_features(stmt: ast.stmt, code: str | None, found: set[str]) -> None:
    """docstrings: ``"docstring"`` for any; ``"docstring-summary"`` when cutting it to its summary
    changes its literal (asked of the rule's own ``summary_literal`` on the literal's source)."""
    found.add("docstring")
    if "docstring-summary" in found:
        return
    if code is None:
        found.add("docstring-summary")
        return
    from tokentrim.rules.docstrings import summary_literal

    assert isinstance(stmt, ast.Expr)
    node = stmt.value
    if ODD_LINE_BREAKS.search(code):
        found.add("docstring-summary")  # str.splitlines would not count lines as Python does
        return
    try:
        lines = code.splitlines(keepends=True)
        if node.lineno == node.end_lineno:
            text = lines[node.lineno - 1].encode()[node.col_offset : node.end_col_offset]
        else:
            first = lines[node.lineno - 1].encode()[node.col_offset :]
            middle = "".join(lines[node.lineno : (node.end_lineno or 0) - 1]).encode()
            last = lines[(node.end_lineno or 0) - 1].encode()[: node.end_col_offset]
            text = first + middle + last
        literal = cst.SimpleString(text.decode())
        summary = summary_literal(literal)
    except Exception:  # noqa: BLE001 - a literal libcst would not take as one string: not sure
        found.add("docstring-summary")
        return
    if summary is not None and summary != literal.value:
        found.add("docstring-summary")


def _has_docstring(body: list[ast.stmt]) -> bool:
    """The body starts with a string statement (libcst's SimpleString, text or bytes)."""
    first = body[0] if body else None
    return (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str | bytes)
    )


def _literal(node: ast.expr) -> bool:
    """What augmented-assign's ``_literal`` accepts, as Python's AST spells it: a number, string,
    bytes (f-strings too), tuple, ``True``/``False``/``None``, a signed number, or ``len(...)``."""
    if isinstance(node, ast.Constant | ast.JoinedStr | ast.Tuple):
        return True
    if isinstance(node, ast.UnaryOp):
        return not isinstance(node.op, ast.Not) and isinstance(node.operand, ast.Constant)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len"


def _is_bool(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, bool)


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == 0


def _copies(node: ast.expr) -> bool:
    """An argument that ``list()``/``dict()``/``tuple()``/``sorted()`` would only copy: a display,
    a comprehension, or a ``list()``/``sorted()`` call."""
    if isinstance(node, ast.List | ast.ListComp | ast.Dict | ast.DictComp | ast.Tuple):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("list", "sorted")
    )
