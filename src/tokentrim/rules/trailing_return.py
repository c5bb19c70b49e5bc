"""``trailing-return``: drop a bare ``return`` (or ``return None``) that ends a function.

Falling off the end of a function returns ``None`` too, in generators and coroutines alike. Only the
last statement of the function body itself goes (not one inside an ``if``), never the only
statement, never one carrying a comment. ``return None`` is kept when another ``return`` in the
function returns a value (PEP 8: be consistent). ``None`` is a keyword: no assumption to check.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment, single_small_statement


@register
class TrailingReturn(StandardRule):
    id = "trailing-return"
    level = "standard"
    description = "Drop a bare `return` / `return None` at the end of a function."
    before = 'def greet(name):\n    print(f"Hello, {name}!")\n    return\n'
    after = 'def greet(name):\n    print(f"Hello, {name}!")\n'
    hint = re.compile(r"\breturn\b")
    requires = frozenset({"return-none"})
    trigger = "trailing-return"
    prune = (cst.SimpleStatementLine, cst.BaseExpression)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        block = updated_node.body
        if not isinstance(block, cst.IndentedBlock) or len(block.body) < 2:
            return updated_node
        last = block.body[-1]
        ret = single_small_statement(last)
        if not isinstance(ret, cst.Return) or has_comment(last):
            return updated_node
        if ret.value is not None:
            if not (isinstance(ret.value, cst.Name) and ret.value.value == "None"):
                return updated_node
            finder = _ValueReturns()
            updated_node.body.visit(finder)
            if finder.count:
                return updated_node
        self.fired += 1
        return updated_node.with_changes(body=block.with_changes(body=block.body[:-1]))


class _ValueReturns(cst.CSTVisitor):
    """Counts ``return <value>`` (other than ``None``) in one function, not in the functions it
    defines."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if value is not None and not (isinstance(value, cst.Name) and value.value == "None"):
            self.count += 1
