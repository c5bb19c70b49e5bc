"""``redundant-parens``: drop parentheses that change nothing, e.g. ``return (a, b)`` or
``(total % count) >= (count // 2)``.

Proof, not precedence tables: the rule removes the candidate parentheses and keeps the result only
if the block's ``ast.dump`` is identical (when all at once fail, each is tried alone). Identical
AST, identical behaviour. For readability, candidates are only parentheses around a name, call,
attribute, subscript, literal or display; around a whole value (of ``return``, ``=``, an argument,
an element, a condition, a ``for`` iterable); and around arithmetic that is an operand of a
comparison. Parentheses that span lines (black adds those to split long lines), hold a comment, or
wrap ``yield``/``await``/``lambda``/walrus stay.
"""

from __future__ import annotations

import ast

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment

# fmt: off
_ATOMS = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.BaseString, cst.Integer, cst.Float,
    cst.Imaginary, cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp,
    cst.Ellipsis,
)
# Parents whose child expression is a whole value: parentheses there never group anything.
_WHOLE_VALUE_SLOTS = (
    cst.Return, cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Arg, cst.Element, cst.DictElement,
    cst.Index, cst.If, cst.While, cst.For, cst.CompFor, cst.CompIf, cst.Assert, cst.AssignTarget,
)
# fmt: on
_NEVER = (cst.Yield, cst.Await, cst.Lambda, cst.NamedExpr, cst.GeneratorExp)
# Trying each candidate alone costs one parse per candidate: bounded.
_MAX_SINGLE_TRIES = 60


@register
class RedundantParens(StandardRule):
    id = "redundant-parens"
    level = "standard"
    description = "Drop parentheses that do not change the syntax tree."
    before = (
        "def split(n):\n    if (n % 2) == 0:\n        return (n // 2, n // 2)\n    return (n)\n"
    )
    after = "def split(n):\n    if n % 2 == 0:\n        return n // 2, n // 2\n    return n\n"

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.skip:
            return updated_node
        finder = _Candidates()
        updated_node.visit(finder)
        if not finder.found:
            return updated_node
        try:
            reference = ast.dump(ast.parse(updated_node.code))
        except (SyntaxError, ValueError, RecursionError):
            return updated_node
        candidates = finder.found
        new = _same_tree(updated_node, set(candidates), reference)
        if new is None:
            ok = {
                node_id
                for node_id in candidates[:_MAX_SINGLE_TRIES]
                if _same_tree(updated_node, {node_id}, reference) is not None
            }
            new = _same_tree(updated_node, ok, reference) if ok else None
            if new is None:
                return updated_node
            candidates = list(ok)
        self.fired += len(candidates)
        return new


def _same_tree(module: cst.Module, targets: set[int], reference: str) -> cst.Module | None:
    """``module`` without the parentheses of ``targets`` if its AST stays ``reference``."""
    new = module.visit(_Unparen(targets))
    try:
        same = ast.dump(ast.parse(new.code)) == reference
    except (SyntaxError, ValueError, RecursionError):
        return None
    return new if same else None


class _Unparen(cst.CSTTransformer):
    def __init__(self, targets: set[int]) -> None:
        super().__init__()
        self.targets = targets

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode:
        if id(original_node) in self.targets:
            try:
                return updated_node.with_changes(lpar=[], rpar=[])
            except cst.CSTValidationError:  # e.g. `()`: libcst knows these parens are needed
                return updated_node
        return updated_node


class _Candidates(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[cst.CSTNode] = []
        self.found: list[int] = []
        self._module = cst.Module(body=[])

    def on_visit(self, node: cst.CSTNode) -> bool:
        parent = self.stack[-1] if self.stack else None
        self.stack.append(node)
        if isinstance(node, cst.BaseExpression) and node.lpar and self._wanted(node, parent):
            self.found.append(id(node))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()

    def _wanted(self, node: cst.BaseExpression, parent: cst.CSTNode | None) -> bool:
        if isinstance(node, _NEVER) or has_comment(node):
            return False
        if "\n" in self._module.code_for_node(node):
            return False
        if isinstance(node, _ATOMS) or isinstance(parent, _WHOLE_VALUE_SLOTS):
            return True
        return isinstance(node, cst.BinaryOperation) and isinstance(
            parent, cst.Comparison | cst.ComparisonTarget
        )
