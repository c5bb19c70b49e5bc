"""``augmented-assign``: ``x = x + 1`` becomes ``x += 1`` where both mean the same.

For a mutable object ``+=`` changes it in place (a list seen through another name changes too), so
the rule needs ``x`` provably immutable: every binding of ``x`` that the statement can see (libcst
scope analysis, following ``global``/``nonlocal``) must be ``x = <literal>`` (number, string,
bytes, tuple, ``True``/``False``/``None``, or ``len(...)`` of the builtin), ``x = x <op>
<literal>``, ``x <op>= <literal>``, or ``for x in range(...)`` with the builtin ``range``. Then ``x``
only ever holds an int, float, complex, str, bytes, tuple or bool, none of which has an in-place
operator, so ``x <op>= v`` falls back to ``x = x <op> v`` exactly. Parameters, imports, unpacking,
walrus targets, star imports or dynamic namespace access: no fire.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment
from tokentrim.rules._facts import Binding, is_builtin_call, name_bindings


@register
class AugmentedAssign(StandardRule):
    id = "augmented-assign"
    level = "standard"
    description = "Write `x = x + 1` as `x += 1` when `x` only ever holds an immutable value."
    before = "total = 0\nfor price in prices:\n    total = total + 1\n"
    after = "total = 0\nfor price in prices:\n    total += 1\n"
    hint = re.compile(r"(?m)^\s*(\w+)\s*=\s*\1\b")
    requires = frozenset({"self-binop"})
    trigger = "self-binop-same"
    prune = (cst.BaseExpression,)

    needs_scopes = True

    def leave_Assign(
        self, original_node: cst.Assign, updated_node: cst.Assign
    ) -> cst.BaseSmallStatement:
        if len(updated_node.targets) != 1:
            return updated_node
        target = original_node.targets[0].target
        value = updated_node.value
        if not (
            isinstance(target, cst.Name)
            and not target.lpar
            and isinstance(value, cst.BinaryOperation)
            and not value.lpar
            and not isinstance(value.operator, cst.MatrixMultiply)
            and isinstance(value.left, cst.Name)
            and value.left.value == target.value
            and not value.left.lpar
            and self._literal(value.right)
            and not has_comment(updated_node)
        ):
            return updated_node
        bindings = name_bindings(self.scopes, target, self.facts)
        if not bindings or not all(self._keeps_immutable(target.value, b) for b in bindings):
            return updated_node
        self.fired += 1
        # libcst names each augmented operator after its binary one: Add -> AddAssign.
        operator = getattr(cst, type(value.operator).__name__ + "Assign")()
        return cst.AugAssign(
            target=updated_node.targets[0].target,
            operator=operator,
            value=value.right,
            semicolon=updated_node.semicolon,
        )

    def _keeps_immutable(self, name: str, binding: Binding) -> bool:
        value = binding.value
        if value is None:
            return False
        if binding.kind == "for":
            return is_builtin_call(value, self.facts, "range")
        if binding.kind == "augassign":
            return self._literal(value)
        if binding.kind != "assign":
            return False
        if isinstance(value, cst.BinaryOperation) and not value.lpar:
            return (
                isinstance(value.left, cst.Name)
                and value.left.value == name
                and self._literal(value.right)
            )
        return self._literal(value)

    def _literal(self, node: cst.BaseExpression) -> bool:
        """An expression whose value is always an int, float, complex, str, bytes, tuple or bool."""
        if isinstance(node, cst.Integer | cst.Float | cst.Imaginary | cst.BaseString | cst.Tuple):
            return True
        if isinstance(node, cst.Name):
            return node.value in ("True", "False", "None")
        if isinstance(node, cst.UnaryOperation) and not isinstance(node.operator, cst.Not):
            return isinstance(node.expression, cst.Integer | cst.Float | cst.Imaginary)
        return is_builtin_call(node, self.facts, "len")
