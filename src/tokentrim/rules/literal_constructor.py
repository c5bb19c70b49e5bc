"""``literal-constructor``: ``list()``, ``dict()``, ``tuple()`` with no argument become ``[]``,
``{}``, ``()``.

Only when the name is the builtin: not bound anywhere in the block, no star import, no dynamic
namespace access (see ``_facts.builtin_is_free``). ``set()`` stays: ``{}`` is a dict.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment
from tokentrim.rules._facts import is_builtin_call


@register
class LiteralConstructor(StandardRule):
    id = "literal-constructor"
    level = "standard"
    description = "Write `list()`, `dict()`, `tuple()` as `[]`, `{}`, `()`."
    before = "seen = dict()\norder = list()\n"
    after = "seen = {}\norder = []\n"
    hint = re.compile(r"\b(?:list|dict|tuple)\s*\(\s*\)")
    requires = frozenset({"empty-call"})

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if updated_node.args or not is_builtin_call(
            updated_node, self.facts, "list", "dict", "tuple"
        ):
            return updated_node
        if has_comment(updated_node):
            return updated_node
        assert isinstance(updated_node.func, cst.Name)
        self.fired += 1
        lpar, rpar = updated_node.lpar, updated_node.rpar
        name = updated_node.func.value
        if name == "list":
            return cst.List(elements=[], lpar=lpar, rpar=rpar)
        if name == "dict":
            return cst.Dict(elements=[], lpar=lpar, rpar=rpar)
        return cst.Tuple(
            elements=[],
            lpar=updated_node.lpar or [cst.LeftParen()],
            rpar=updated_node.rpar or [cst.RightParen()],
        )
