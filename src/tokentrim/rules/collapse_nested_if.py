"""``collapse-nested-if``: ``if a:`` whose whole body is ``if b:`` becomes ``if a and b:``.

Neither ``if`` may have an ``elif``/``else`` (an ``elif a:`` on the outside is fine: with no
``else`` after it, nothing runs when ``a and b`` is false either way). ``and`` evaluates ``a``, then
``b`` only if ``a`` is true, and CPython jumps on each operand's truth directly, so each
``__bool__`` runs once, exactly as with nesting: no assumption is needed. Operands that bind looser
than ``and`` (``or``, conditional expressions, walrus, lambda) get parentheses. No fire when the
statements carry a comment.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment, parenthesize, wrap_if


@register
class CollapseNestedIf(StandardRule):
    id = "collapse-nested-if"
    level = "standard"
    description = "Merge `if a:` + nested `if b:` (no else on either) into `if a and b:`."
    before = "if user:\n    if user.is_admin:\n        grant(user)\n"
    after = "if user and user.is_admin:\n    grant(user)\n"
    hint = re.compile(r"\bif\b")
    requires = frozenset({"nested-if"})
    trigger = "nested-if-bare"
    prune = (cst.SimpleStatementLine, cst.BaseExpression)

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        outer = updated_node
        if outer.orelse is not None or not isinstance(outer.body, cst.IndentedBlock):
            return outer
        if len(outer.body.body) != 1:
            return outer
        inner = outer.body.body[0]
        if not isinstance(inner, cst.If) or inner.orelse is not None:
            return outer
        if has_comment(outer):
            return outer
        test = cst.BooleanOperation(
            left=_operand(outer.test), operator=cst.And(), right=_operand(inner.test)
        )
        self.fired += 1
        return outer.with_changes(test=test, body=inner.body)


def _operand(node: cst.BaseExpression) -> cst.BaseExpression:
    if not node.lpar and isinstance(node, cst.BooleanOperation):
        return parenthesize(node) if isinstance(node.operator, cst.Or) else node
    return wrap_if(node, cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Yield)
