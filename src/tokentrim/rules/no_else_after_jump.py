"""``no-else-after-jump``: drop ``else``/``elif`` after a branch that ends in ``return``, ``raise``,
``continue`` or ``break``; the rest of the chain moves out one level.

``if c: return x`` + ``else: body`` becomes ``if c: return x`` + ``body``; ``elif d:`` becomes a new
``if d:`` (which may in turn lose its ``else``). Control can only reach the code after the ``if``
when ``c`` was false, exactly as it reached the ``else``: no assumption is needed. No fire when a
comment sits on the ``else``/``elif`` lines or at the end of the ``else`` block.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import BodyRule
from tokentrim.rules._cst import as_statements, ends_with_jump, has_comment


@register
class NoElseAfterJump(BodyRule):
    id = "no-else-after-jump"
    level = "standard"
    description = "Drop `else`/`elif` after a branch that ends in return/raise/continue/break."
    before = (
        "def sign(n):\n    if n < 0:\n        raise ValueError(n)\n    else:\n"
        "        print(n)\n        return n\n"
    )
    after = "def sign(n):\n    if n < 0:\n        raise ValueError(n)\n    print(n)\n    return n\n"
    hint = re.compile(r"\b(?:else|elif)\b")
    requires = frozenset({"if-else"})
    trigger = "else-after-jump"

    def rewrite_body(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        changed = False
        i = 0
        while i < len(body):
            stmt = body[i]
            rest = self._split(stmt) if isinstance(stmt, cst.If) else None
            if rest is None:
                i += 1
                continue
            body[i : i + 1] = [stmt.with_changes(orelse=None), *rest]
            self.fired += 1
            changed = True
            i += 1  # the statement after is a former `elif`: look at it as an `if` next
        return body if changed else None

    def _split(self, node: cst.If) -> list[cst.BaseStatement] | None:
        """The statements that replace ``node.orelse``, or None when the rule does not apply."""
        orelse = node.orelse
        if orelse is None or not ends_with_jump(node.body):
            return None
        if isinstance(orelse, cst.If):
            if has_comment(*orelse.leading_lines):
                return None
            return [orelse]
        suite = orelse.body
        extra: list[cst.CSTNode] = [*orelse.leading_lines, orelse.whitespace_before_colon]
        if isinstance(suite, cst.IndentedBlock):
            extra += [suite.header, *suite.footer]
        else:
            assert isinstance(suite, cst.SimpleStatementSuite)
            extra.append(suite.trailing_whitespace)
        if has_comment(*extra):
            return None
        return as_statements(suite)
