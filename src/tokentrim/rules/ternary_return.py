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
from tokentrim.rules._util import (
    BodyRule,
    bool_literal,
    conditional,
    fits_line,
    has_comment,
    if_else,
    line,
    only_small_statement,
    simple_if,
    single_small_statement,
)


@register
class TernaryReturn(BodyRule):
    id = "ternary-return"
    level = "standard"
    description = "Return a conditional expression instead of an if/else of two returns."
    before = 'def parity(n):\n    if n % 2 == 0:\n        return "even"\n    else:\n        return "odd"\n'
    after = 'def parity(n):\n    return "even" if n % 2 == 0 else "odd"\n'
    hint = re.compile(r"\breturn\b")

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
        if not (
            isinstance(then, cst.Return)
            and isinstance(otherwise, cst.Return)
            and then.value is not None
            and otherwise.value is not None
        ):
            return None
        if bool_literal(then.value) is not None and bool_literal(otherwise.value) is not None:
            return None
        value = conditional(if_node.test, then.value, otherwise.value)
        if value is None:
            return None
        new = cst.Return(value=value)
        if not fits_line(new, self.depth, self.settings.line_length):
            return None
        self.fired += 1
        return line(new, if_node)
