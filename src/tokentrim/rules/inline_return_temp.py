"""``inline-return-temp``: ``x = expr`` directly followed by ``return x`` becomes ``return expr``.

Only when ``x`` is a plain local used nowhere else: the name ``x`` appears exactly twice in the
whole enclosing function, nested functions and lambdas included (so no ``global``/``nonlocal``, no
closure reading it, no ``finally`` or ``except`` clause looking at it, no other assignment), and the
block has no dynamic namespace access (``locals()``, ``vars()``, ``exec``, ``eval``...). Then the
binding is never observed and ``return expr`` evaluates the same thing at the same moment. No fire
when a comment would be lost, or on annotated or multiple-target assignments.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import BodyRule
from tokentrim.rules._cst import count_names, has_comment, line, single_small_statement, wrap_if
from tokentrim.settings import Settings


@register
class InlineReturnTemp(BodyRule):
    id = "inline-return-temp"
    level = "standard"
    description = "Return an expression directly instead of assigning it to a temporary first."
    before = "def area(w, h):\n    result = w * h\n    return result\n"
    after = "def area(w, h):\n    return w * h\n"
    hint = re.compile(r"\breturn\b")
    requires = frozenset({"return"})
    trigger = "return-temp"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.functions: list[cst.FunctionDef] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.functions.pop()
        return updated_node

    def rewrite_body(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        if not self.functions or self.facts.dynamic:
            return None
        changed = False
        i = 0
        while i + 1 < len(body):
            new = self._inline(body[i], body[i + 1])
            if new is None:
                i += 1
                continue
            body[i : i + 2] = [new]
            self.fired += 1
            changed = True
        return body if changed else None

    def _inline(
        self, first: cst.BaseStatement, second: cst.BaseStatement
    ) -> cst.BaseStatement | None:
        assign, ret = single_small_statement(first), single_small_statement(second)
        if not (
            isinstance(assign, cst.Assign)
            and isinstance(ret, cst.Return)
            and len(assign.targets) == 1
            and isinstance(assign.targets[0].target, cst.Name)
            and isinstance(ret.value, cst.Name)
            and assign.targets[0].target.value == ret.value.value
            and not has_comment(first, second)
        ):
            return None
        if count_names(self.functions[-1], ret.value.value) != 2:
            return None
        value = wrap_if(assign.value, cst.Yield)
        return line(cst.Return(value=value), first)
