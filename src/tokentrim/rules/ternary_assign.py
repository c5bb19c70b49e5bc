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
from tokentrim.rules._util import (
    BodyRule,
    bool_literal,
    conditional,
    fits_line,
    if_else,
    line,
    only_small_statement,
    same_target,
)


@register
class TernaryAssign(BodyRule):
    id = "ternary-assign"
    level = "standard"
    description = "Assign a conditional expression instead of an if/else of two assignments."
    before = "if len(parts) > 1:\n    arg = int(parts[1])\nelse:\n    arg = 0\n"
    after = "arg = int(parts[1]) if len(parts) > 1 else 0\n"
    hint = re.compile(r"\belse\b")

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
            if bool_literal(then.value) is not None and bool_literal(otherwise.value) is not None:
                continue
            value = conditional(pair[0].test, then.value, otherwise.value)
            if value is None:
                continue
            assign = cst.Assign(targets=[then.targets[0]], value=value)
            if not fits_line(assign, self.depth, self.settings.line_length):
                continue
            self.fired += 1
            changed = True
            body[i] = line(assign, stmt)
        return body if changed else None
