"""``redundant-collection-call``: drop a ``list()``/``dict()``/``tuple()`` wrapper that copies what is
already a fresh object of that type.

``list([...])`` → ``[...]``, ``list([x for ...])`` → ``[x for ...]``, ``list(sorted(...))`` →
``sorted(...)``, ``list(list(x))`` → ``list(x)``, ``sorted(list(x))`` → ``sorted(x)``,
``dict({...})`` → ``{...}``, ``tuple((a, b))`` → ``(a, b)``. The result is equal, and as fresh,
as before. Every name involved must be the builtin (not bound anywhere in the block, no star import,
no dynamic namespace access). ``set([...])`` is left alone: a set display with constants is built
from a frozenset constant and may iterate in another order.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment
from tokentrim.rules._facts import is_builtin_call

# Outer builtin → the argument node types it merely copies.
_COPIES: dict[str, tuple[type[cst.BaseExpression], ...]] = {
    "list": (cst.List, cst.ListComp),
    "dict": (cst.Dict, cst.DictComp),
    "tuple": (cst.Tuple,),
}


@register
class RedundantCollectionCall(StandardRule):
    id = "redundant-collection-call"
    level = "standard"
    description = "Drop a `list()`/`dict()`/`tuple()` call around a value that is already one."
    before = "names = list(sorted(users))\nsquares = list([n * n for n in range(10)])\n"
    after = "names = sorted(users)\nsquares = [n * n for n in range(10)]\n"
    hint = re.compile(r"\b(?:list|dict|tuple|sorted)\s*\(")
    requires = frozenset({"collection-call"})

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        args = updated_node.args
        if (
            not args
            or args[0].keyword is not None
            or any(arg.keyword is None for arg in args[1:])
            or not is_builtin_call(updated_node, self.facts, "list", "dict", "tuple", "sorted")
            or has_comment(updated_node)
        ):
            return updated_node
        assert isinstance(updated_node.func, cst.Name)
        outer = updated_node.func.value
        inner = args[0].value
        if outer == "sorted":
            # sorted() copies its argument into a new list first; keywords (key=, reverse=) stay.
            if not (is_builtin_call(inner, self.facts, "list") and _one_positional(inner)):
                return updated_node
            assert isinstance(inner, cst.Call)
            self.fired += 1
            first = args[0].with_changes(value=inner.args[0].value)
            return updated_node.with_changes(args=[first, *args[1:]])
        if len(args) != 1:
            return updated_node
        fresh = isinstance(inner, _COPIES[outer]) and (outer != "tuple" or bool(inner.lpar))
        if outer == "list" and is_builtin_call(inner, self.facts, "sorted", "list"):
            fresh = True
        if not fresh:
            return updated_node
        self.fired += 1
        if updated_node.lpar and not inner.lpar:
            inner = inner.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)
        return inner


def _one_positional(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call)
        and len(node.args) == 1
        and node.args[0].keyword is None
        and node.args[0].star == ""
    )
