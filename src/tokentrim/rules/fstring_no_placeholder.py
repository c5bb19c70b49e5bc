"""``fstring-no-placeholder``: an f-string without a ``{...}`` field becomes a plain string.

``{{`` and ``}}`` in the text become ``{`` and ``}``; the other prefix letters (``r``) and the
quotes stay, so escapes mean the same. Not fired on a literal that holds ``\\N{...}`` (a named
escape, not a field), nor on a string that is a whole statement: a plain string there could become a
docstring and change ``__doc__``. No assumption: a literal with no field is its text.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.settings import Settings


@register
class FStringNoPlaceholder(StandardRule):
    id = "fstring-no-placeholder"
    level = "standard"
    description = "Turn an f-string without placeholders into a plain string."
    before = 'print(f"Done!")\n'
    after = 'print("Done!")\n'
    hint = re.compile(r"[fF][rR]?[\"']|[rR][fF][\"']")
    requires = frozenset({"fstring"})
    trigger = "fstring-plain"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._statement_strings: set[int] = set()

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.BaseString):
            self._statement_strings.add(id(node.value))

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        if id(node) in self._statement_strings:
            self._statement_strings.update((id(node.left), id(node.right)))

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.BaseExpression:
        if id(original_node) in self._statement_strings:
            return updated_node
        parts = updated_node.parts
        if not all(isinstance(part, cst.FormattedStringText) for part in parts):
            return updated_node
        text = "".join(part.value for part in parts if isinstance(part, cst.FormattedStringText))
        if "\\N{" in text or "\\N" in text.replace("\\\\", ""):
            return updated_node
        start = updated_node.start.replace("f", "").replace("F", "")
        value = start + text.replace("{{", "{").replace("}}", "}") + updated_node.end
        self.fired += 1
        return cst.SimpleString(value, lpar=updated_node.lpar, rpar=updated_node.rpar)
