"""``if-assign-bool``: ``if c: x = True else: x = False`` becomes ``x = c``.

Inverted, it becomes ``x = not c``. ``x = c`` only when ``c`` is provably an exact bool (``is``/
``in``, ``not``, unshadowed ``isinstance``/``bool``/..., ``and``/``or`` of those); otherwise ``x =
bool(c)`` when ``bool`` is the builtin (not bound anywhere in the block, no star import, no dynamic
namespace access); otherwise no fire. Both branches must assign the same single target (a name, an
attribute or a subscript, spelled the same), so the order of evaluation is unchanged: ``c``, its
``__bool__``, then the target. No fire when a comment would be lost.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import AssignPairRule
from tokentrim.rules._cst import as_bool, bool_literal


@register
class IfAssignBool(AssignPairRule):
    id = "if-assign-bool"
    level = "standard"
    description = "Assign a condition instead of `if c: x = True else: x = False`."
    before = "if key in cache:\n    hit = True\nelse:\n    hit = False\n"
    after = "hit = key in cache\n"
    hint = re.compile(r"\b(?:True|False)\b")
    requires = frozenset({"if-else", "assign", "bool-literal"})
    trigger = "assign-pair-bool"

    def combine(
        self, if_node: cst.If, then: cst.Assign, otherwise: cst.Assign
    ) -> cst.BaseExpression | None:
        first, second = bool_literal(then.value), bool_literal(otherwise.value)
        if first is None or second is None or first == second:
            return None
        return as_bool(if_node.test, first, self.facts)
