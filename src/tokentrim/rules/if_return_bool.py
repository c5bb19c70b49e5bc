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
from tokentrim.rules._base import ReturnPairRule
from tokentrim.rules._cst import as_bool, bool_literal


@register
class IfReturnBool(ReturnPairRule):
    id = "if-return-bool"
    level = "standard"
    description = "Return a condition instead of `if c: return True else: return False`."
    before = "def is_even(n):\n    if n % 2 == 0:\n        return True\n    else:\n        return False\n"
    after = "def is_even(n):\n    return bool(n % 2 == 0)\n"
    hint = re.compile(r"\b(?:True|False)\b")
    requires = frozenset({"if", "return", "bool-literal"})
    trigger = "return-pair-bool"

    def combine(
        self, if_node: cst.If, then: cst.Return, otherwise: cst.Return
    ) -> cst.Return | None:
        first, second = bool_literal(then.value), bool_literal(otherwise.value)
        if first is None or second is None or first == second:
            return None
        value = as_bool(if_node.test, first, self.facts)
        return None if value is None else cst.Return(value=value)
