"""``ternary-return``: ``if c: return a`` + ``else: return b`` becomes ``return a if c else b``.

Also without ``else``: ``if c: return a`` directly followed by ``return b``. Evaluation is the same
(``c`` and its ``__bool__`` once, then exactly one of ``a``/``b``), so no assumption is needed. Fires
only when the result fits on one line (``line_length``, measured on the normalised code so black
cannot change the decision), when no part holds a conditional expression, lambda or ``yield``, when
both return a value and they are not both ``True``/``False`` (``if-return-bool`` handles those), and
when no comment would be lost.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import ReturnPairRule
from tokentrim.rules._cst import bool_literal, conditional, fits_line


@register
class TernaryReturn(ReturnPairRule):
    id = "ternary-return"
    level = "standard"
    description = "Return a conditional expression instead of an if/else of two returns."
    before = 'def parity(n):\n    if n % 2 == 0:\n        return "even"\n    else:\n        return "odd"\n'
    after = 'def parity(n):\n    return "even" if n % 2 == 0 else "odd"\n'
    hint = re.compile(r"\breturn\b")
    requires = frozenset({"if", "return"})
    trigger = "return-pair"

    def combine(
        self, if_node: cst.If, then: cst.Return, otherwise: cst.Return
    ) -> cst.Return | None:
        if then.value is None or otherwise.value is None:
            return None
        if bool_literal(then.value) is not None and bool_literal(otherwise.value) is not None:
            return None  # if-return-bool's case
        value = conditional(if_node.test, then.value, otherwise.value)
        if value is None:
            return None
        new = cst.Return(value=value)
        return new if fits_line(new, self.depth, self.settings.line_length) else None
