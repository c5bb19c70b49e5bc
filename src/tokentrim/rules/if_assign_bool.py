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
from tokentrim.rules._util import (
    BodyRule,
    as_bool,
    bool_literal,
    if_else,
    line,
    only_small_statement,
    same_target,
)


@register
class IfAssignBool(BodyRule):
    id = "if-assign-bool"
    level = "standard"
    description = "Assign a condition instead of `if c: x = True else: x = False`."
    before = "if key in cache:\n    hit = True\nelse:\n    hit = False\n"
    after = "hit = key in cache\n"
    hint = re.compile(r"\b(?:True|False)\b")

    def rewrite_body(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        changed = False
        for i, stmt in enumerate(body):
            pair = if_else(stmt)
            if pair is None:
                continue
            then, otherwise = only_small_statement(pair[0].body), only_small_statement(pair[1])
            if not (
                isinstance(then, cst.Assign)
                and isinstance(otherwise, cst.Assign)
                and len(then.targets) == 1
                and len(otherwise.targets) == 1
                and same_target(then.targets[0].target, otherwise.targets[0].target)
            ):
                continue
            first, second = bool_literal(then.value), bool_literal(otherwise.value)
            if first is None or second is None or first == second:
                continue
            value = as_bool(pair[0].test, first, self.facts)
            if value is None:
                continue
            self.fired += 1
            changed = True
            assign = cst.Assign(targets=[then.targets[0]], value=value)
            body[i] = line(assign, stmt)
        return body if changed else None
