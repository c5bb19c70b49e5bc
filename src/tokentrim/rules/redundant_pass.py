"""``redundant-pass``: drop ``pass`` from a block that has other statements, and ``else: pass``.

Only a ``pass`` alone on its line goes, and only when it carries no comment (a ``# noqa`` or
``# pragma`` on it stays with it). A block whose statements are all ``pass`` keeps the first one.
A ``pass`` that would let a bare string become a docstring stays (``__doc__`` would change), and so
does every ``pass`` of a block that holds a ``from __future__`` import (one after a ``pass`` is an
error that must stay one). An ``else:`` whose only statement is ``pass`` goes whole — after ``if``,
``for``, ``while`` and ``try`` alike, it runs nothing — unless a comment sits on it. Otherwise no
assumption: ``pass`` does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment, is_string_statement, single_small_statement

_WithElse = TypeVar("_WithElse", cst.If, cst.For, cst.While, cst.Try)


@register
class RedundantPass(StandardRule):
    id = "redundant-pass"
    level = "standard"
    description = "Drop `pass` from a block that has other statements, and `else: pass`."
    before = "def stop(self):\n    pass\n    self.running = False\n"
    after = "def stop(self):\n    self.running = False\n"
    hint = re.compile(r"\bpass\b")
    requires = frozenset({"redundant-pass"})
    prune = (cst.SimpleStatementLine, cst.BaseExpression)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = self._without_pass(updated_node.body)
        return updated_node if body is None else updated_node.with_changes(body=body)

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        return self._without_else_pass(updated_node)

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        return self._without_else_pass(updated_node)

    def leave_While(self, original_node: cst.While, updated_node: cst.While) -> cst.While:
        return self._without_else_pass(updated_node)

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        return self._without_else_pass(updated_node)

    def _without_else_pass(self, node: _WithElse) -> _WithElse:
        orelse = node.orelse
        if not isinstance(orelse, cst.Else) or not _only_pass(orelse):
            return node
        self.fired += 1
        return node.with_changes(orelse=None)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.skip:
            return updated_node
        body = self._without_pass(updated_node.body)
        return updated_node if body is None else updated_node.with_changes(body=body)

    def _without_pass(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        if any(_is_future_import(stmt) for stmt in body):
            return None  # `pass` before `from __future__` is an error that must stay one
        kept = [stmt for stmt in body if not _is_lone_pass(stmt)]
        if not kept or (kept[0] is not body[0] and is_string_statement(kept[0])):
            # A block cannot be empty; and a string after a leading `pass` must not become the
            # docstring (`__doc__` would change).
            kept.insert(0, body[0])
        if len(kept) == len(body):
            return None
        self.fired += len(body) - len(kept)
        return kept


def _only_pass(orelse: cst.Else) -> bool:
    """``else: pass`` with no comment anywhere on it (a comment would be lost with it)."""
    suite = orelse.body
    if has_comment(*orelse.leading_lines, orelse.whitespace_before_colon):
        return False
    if isinstance(suite, cst.SimpleStatementSuite):
        return (
            len(suite.body) == 1
            and isinstance(suite.body[0], cst.Pass)
            and not has_comment(suite.trailing_whitespace)
        )
    assert isinstance(suite, cst.IndentedBlock)
    return (
        len(suite.body) == 1
        and _is_lone_pass(suite.body[0])
        and not has_comment(suite.header, *suite.footer)
    )


def _is_future_import(stmt: cst.BaseStatement) -> bool:
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) else None
    return (
        isinstance(small, cst.ImportFrom)
        and isinstance(small.module, cst.Name)
        and small.module.value == "__future__"
    )


def _is_lone_pass(stmt: cst.BaseStatement) -> bool:
    return isinstance(single_small_statement(stmt), cst.Pass) and not has_comment(stmt)
