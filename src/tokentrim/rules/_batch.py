"""One libcst traversal per round for all the code rules of a level.

:func:`run_batch` walks a module once and, at every node, calls only the rules that have something
to do with that node's type (a table built once per rule class and node type, instead of libcst's
``getattr`` per node, rule and attribute). Each rule keeps the view of the tree it would have had
on its own:

* a rule that declines a subtree (``visit_X`` returning False, a ``prune`` type, a block whose text
  does not match its ``hint``) is suspended there and resumed on leaving that node; the walk
  descends only while some rule still wants the children;
* ``leave_X`` calls compose in rule order: each rule gets the node the rules before it returned.
  When a rule turns the node into another kind (a ``Call`` into a list display) or removes it, the
  later rules leave it for the next round, where they see it as what it now is;
* ``original_node`` is always a node of the round's input, so scope and parent metadata computed
  once per round (``_facts.scopes``) and shared by every rule answers for it.

An exception in any rule propagates: the caller then runs the rules one by one (the old path),
which isolates the failing rule exactly as before.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import libcst as cst

if TYPE_CHECKING:
    from tokentrim.rules import CodeRule

__all__ = ["batchable", "run_batch"]


def run_batch(module: cst.Module, rules: Sequence[CodeRule]) -> cst.Module:
    """``module`` after one walk in which every rule of ``rules`` (in order) had its turn."""
    for rule in rules:
        if rule.METADATA_DEPENDENCIES:
            from tokentrim.rules._facts import shared_wrapper

            rule.metadata = shared_wrapper(module).resolve_many(rule.get_inherited_dependencies())
    return module.visit(_Dispatcher(rules))


@functools.cache
def batchable(rule: type[CodeRule]) -> bool:
    """Whether ``rule`` can share a walk: no per-attribute visitor methods and no ``on_visit`` or
    ``on_leave`` of its own other than the ``prune`` check of the standard rules."""
    from tokentrim.rules._base import StandardRule

    for name in dir(rule):
        if name.startswith(("visit_", "leave_")) and name.count("_") > 1 and _own(rule, name):
            return False  # visit_Node_attribute: needs libcst's attribute callbacks
    return rule.on_visit in (cst.CSTTransformer.on_visit, StandardRule.on_visit) and (
        rule.on_leave is cst.CSTTransformer.on_leave
    )


class _Dispatcher(cst.CSTTransformer):
    def __init__(self, rules: Sequence[CodeRule]) -> None:
        super().__init__()
        self.rules = list(rules)
        self.kinds = tuple(type(rule) for rule in self.rules)
        # Per rule: the node at which it declined the subtree it is in, or None while it is live.
        self.off: list[cst.CSTNode | None] = [None] * len(self.rules)
        self.live = len(self.rules)

    def on_visit(self, node: cst.CSTNode) -> bool:
        off = self.off
        for i, visit, pruned in _visit_plan(self.kinds, type(node)):
            if off[i] is not None:
                continue
            if pruned or (visit and getattr(self.rules[i], visit)(node) is False):
                off[i] = node
                self.live -= 1
        return self.live > 0

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        off = self.off
        kind = type(original_node)
        result: Any = updated_node
        for i, leave in _leave_plan(self.kinds, kind):
            declined_at = off[i]
            if declined_at is not None and declined_at is not original_node:
                continue
            if type(result) is not kind:
                break  # changed into another kind of node (or removed): the next round's
            result = getattr(self.rules[i], leave)(original_node, result)
        if self.live < len(off):
            for i, declined_at in enumerate(off):
                if declined_at is original_node:
                    off[i] = None
                    self.live += 1
        return result

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None  # no batched rule has attribute callbacks (see `batchable`)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None


@functools.cache
def _visit_plan(
    kinds: tuple[type[CodeRule], ...], node_type: type[cst.CSTNode]
) -> tuple[tuple[int, str, bool], ...]:
    """The rules with something to do on entering a ``node_type``: (index, name of the visit
    method or "", pruned)."""
    plan = []
    for i, kind in enumerate(kinds):
        prune: tuple[type[cst.CSTNode], ...] = getattr(kind, "prune", ())
        pruned = bool(prune) and issubclass(node_type, prune)
        visit = f"visit_{node_type.__name__}"
        if not _own(kind, visit):
            visit = ""
        if pruned or visit:
            plan.append((i, visit, pruned))
    return tuple(plan)


@functools.cache
def _leave_plan(
    kinds: tuple[type[CodeRule], ...], node_type: type[cst.CSTNode]
) -> tuple[tuple[int, str], ...]:
    """The rules with a ``leave_`` method for ``node_type`` (index, method name), in order."""
    plan = []
    for i, kind in enumerate(kinds):
        leave = f"leave_{node_type.__name__}"
        if _own(kind, leave):
            plan.append((i, leave))
    return tuple(plan)


def _own(kind: type[CodeRule], name: str) -> bool:
    """Whether the rule has a method ``name`` other than libcst's default (a no-op).

    The plan names methods rather than holding them, so a method patched later still counts."""
    method = getattr(kind, name, None)
    return method is not None and method is not getattr(cst.CSTTransformer, name, None)
