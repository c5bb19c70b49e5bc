"""``if-return-bool``: ``if c: return True else: return False`` becomes ``return c``.

Also without ``else`` (``if c: return True`` directly followed by ``return False``), and inverted
(``return not c``). ``return c`` only when ``c`` is provably an exact bool (``is``/``in``, ``not``,
unshadowed ``isinstance``/``bool``/..., ``and``/``or`` of those — not ``==`` or ``<``, whose
``__eq__``/``__lt__`` may return anything); otherwise ``return bool(c)`` when ``bool`` is the
builtin (not bound anywhere in the block, no star import, no dynamic namespace access); otherwise no
fire. ``c``'s ``__bool__`` still runs exactly once. No fire when a comment would be lost.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._util import (
    BodyRule,
    as_bool,
    bool_literal,
    has_comment,
    if_else,
    line,
    only_small_statement,
    simple_if,
    single_small_statement,
)


@register
class IfReturnBool(BodyRule):
    id = "if-return-bool"
    level = "standard"
    description = "Return a condition instead of `if c: return True else: return False`."
    before = "def is_even(n):\n    if n % 2 == 0:\n        return True\n    else:\n        return False\n"
    after = "def is_even(n):\n    return bool(n % 2 == 0)\n"
    hint = re.compile(r"\b(?:True|False)\b")

    def rewrite_body(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        out: list[cst.BaseStatement] = []
        changed = False
        i = 0
        while i < len(body):
            stmt = body[i]
            pair = if_else(stmt)
            if pair is not None:
                new = self._combine(
                    pair[0], only_small_statement(pair[0].body), only_small_statement(pair[1])
                )
                if new is not None:
                    out.append(new)
                    changed, i = True, i + 1
                    continue
            guard = simple_if(stmt)
            if guard is not None and i + 1 < len(body) and not has_comment(body[i + 1]):
                new = self._combine(
                    guard, only_small_statement(guard.body), single_small_statement(body[i + 1])
                )
                if new is not None:
                    out.append(new)
                    changed, i = True, i + 2
                    continue
            out.append(stmt)
            i += 1
        return out if changed else None

    def _combine(
        self,
        if_node: cst.If,
        then: cst.BaseSmallStatement | None,
        otherwise: cst.BaseSmallStatement | None,
    ) -> cst.BaseStatement | None:
        if not (isinstance(then, cst.Return) and isinstance(otherwise, cst.Return)):
            return None
        first, second = bool_literal(then.value), bool_literal(otherwise.value)
        if first is None or second is None or first == second:
            return None
        value = as_bool(if_node.test, first, self.facts)
        if value is None:
            return None
        self.fired += 1
        return line(cst.Return(value=value), if_node)
