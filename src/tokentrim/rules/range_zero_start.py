"""``range-zero-start``: ``range(0, n)`` becomes ``range(n)``.

Fires only on exactly two positional arguments, the first the literal ``0``, and only when ``range``
is the builtin: not bound anywhere in the block, no star import, no dynamic namespace access (see
``_facts.builtin_is_free``). ``range(0, n)`` and ``range(n)`` are equal for every ``n``, and raise the
same error for a non-integer ``n``.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment
from tokentrim.rules._facts import is_builtin_call


@register
class RangeZeroStart(StandardRule):
    id = "range-zero-start"
    level = "standard"
    description = "Drop the redundant start argument of `range(0, n)`."
    before = "for i in range(0, len(items)):\n    print(items[i])\n"
    after = "for i in range(len(items)):\n    print(items[i])\n"
    hint = re.compile(r"\brange\b")
    requires = frozenset({"range"})

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        args = updated_node.args
        if (
            len(args) != 2
            or not is_builtin_call(updated_node, self.facts, "range")
            or any(arg.keyword is not None for arg in args)
            or not isinstance(args[0].value, cst.Integer)
            or args[0].value.value != "0"
            or has_comment(args[0])
        ):
            return updated_node
        self.fired += 1
        return updated_node.with_changes(
            args=[args[1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
        )
