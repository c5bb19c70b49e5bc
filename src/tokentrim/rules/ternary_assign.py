"""``ternary-assign``: ``if c: x = a`` + ``else: x = b`` becomes ``x = a if c else b``.

Both branches must assign the same single target (a name, attribute or subscript spelled the same)
with a plain ``=``. Evaluation is the same (``c`` and its ``__bool__`` once, then one of ``a``/``b``,
then the target), so no assumption is needed. Fires only when the result fits on one line
(``line_length``, measured on the normalised code), when no part holds a conditional expression,
lambda or ``yield``, when ``a``/``b`` are not both ``True``/``False`` (``if-assign-bool`` handles
those), and when no comment would be lost.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import AssignPairRule
from tokentrim.rules._cst import bool_literal, conditional, fits_line


@register
class TernaryAssign(AssignPairRule):
    id = "ternary-assign"
    level = "standard"
    description = "Assign a conditional expression instead of an if/else of two assignments."
    before = "if len(parts) > 1:\n    arg = int(parts[1])\nelse:\n    arg = 0\n"
    after = "arg = int(parts[1]) if len(parts) > 1 else 0\n"
    hint = re.compile(r"\belse\b")
    requires = frozenset({"if-else", "assign"})
    trigger = "assign-pair"

    def combine(
        self, if_node: cst.If, then: cst.Assign, otherwise: cst.Assign
    ) -> cst.BaseExpression | None:
        if bool_literal(then.value) is not None and bool_literal(otherwise.value) is not None:
            return None  # if-assign-bool's case
        value = conditional(if_node.test, then.value, otherwise.value)
        if value is None:
            return None
        assign = cst.Assign(targets=[then.targets[0]], value=value)
        return value if fits_line(assign, self.depth, self.settings.line_length) else None
