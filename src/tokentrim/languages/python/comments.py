"""Comment stripping with libcst: every comment goes except pragmas, the shebang and the cookie.

With ``only`` (``comments=narration``), just the comments whose text is in that set go: the ones
:mod:`.narration` finds narrating the code.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import tokenize
from collections.abc import Callable

import libcst as cst

PRAGMA = re.compile(
    r"#\s*(type:|noqa\b|pragma\b|fmt:|pylint:|mypy:|pyright:|ruff:|isort:)", re.IGNORECASE
)
CODING_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


def is_kept_comment(comment: str, line: int) -> bool:
    """Pragmas on any line; the shebang on line 1; the encoding cookie on line 1 or 2."""
    if PRAGMA.match(comment):
        return True
    if line == 1 and comment.startswith("#!"):
        return True
    return line <= 2 and CODING_COOKIE.match(comment) is not None


def has_strippable_comment(code: str) -> bool:
    """Cheap pre-check with tokenize so blocks without comments never reach libcst."""
    return scan_comments(code) != "none"


def scan_comments(code: str) -> str:
    """Where the strippable comments are: ``"none"``, ``"statements"`` or ``"brackets"``.

    ``"statements"`` means every one is outside brackets, so it sits in a statement's leading
    lines or trailing whitespace and :func:`strip_comments` can skip expressions entirely.
    """
    if "#" not in code:
        return "none"
    found = "none"
    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.OP:
                if token.string in "([{":
                    depth += 1
                elif token.string in ")]}":
                    depth -= 1
            elif token.type == tokenize.COMMENT and not is_kept_comment(
                token.string, token.start[0]
            ):
                if depth > 0:
                    return "brackets"
                found = "statements"
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return "brackets"  # let the full libcst pass decide
    return found


def strip_comments(
    module: cst.Module, *, statements_only: bool = False, only: frozenset[str] | None = None
) -> cst.Module:
    """Return ``module`` without its comments (pragmas, shebang and cookie stay).

    ``statements_only`` walks statements and suites but not expressions: right, and several
    times faster, when no comment is inside brackets (see :func:`scan_comments`). ``only``: remove
    just the comments with these texts.
    """
    drop = _drop if only is None else functools.partial(_drop_only, only)
    if statements_only:
        return _strip_statements(module, drop)  # type: ignore[return-value]
    return module.visit(_CommentStripper(drop))


_STATEMENT_LEVEL = (
    cst.BaseStatement,
    cst.BaseSuite,
    cst.Else,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Finally,
    cst.Decorator,
    cst.MatchCase,
)


def _strip_statements(node: cst.CSTNode, drop: _Drop) -> cst.CSTNode:
    changes: dict[str, object] = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        new: object = value
        if isinstance(value, cst.TrailingWhitespace):
            if drop(value.comment):
                new = value.with_changes(comment=None, whitespace=cst.SimpleWhitespace(""))
        elif isinstance(value, _STATEMENT_LEVEL):
            new = _strip_statements(value, drop)
        elif isinstance(value, (tuple, list)) and value:
            if isinstance(value[0], cst.EmptyLine):
                new = _strip_lines(node, field.name, value, drop)
            elif isinstance(value[0], _STATEMENT_LEVEL):
                stripped = [_strip_statements(child, drop) for child in value]
                if any(a is not b for a, b in zip(stripped, value, strict=True)):
                    new = stripped
        if new is not value:
            changes[field.name] = new
    if not changes:
        return node
    updated = node.with_changes(**changes)
    if isinstance(updated, cst.IndentedBlock):
        updated = _no_blank_after_opening_comment(node, updated, drop)  # type: ignore[arg-type]
    return updated


def _strip_lines(owner: cst.CSTNode, field: str, lines, drop: _Drop) -> object:  # type: ignore[no-untyped-def]
    kept = [
        line
        for number, line in enumerate(lines, start=1)
        if not drop(line.comment)
        # The shebang and the cookie can only be the module's first two lines.
        or isinstance(owner, cst.Module)
        and field == "header"
        and is_kept_comment(line.comment.value, number)
    ]
    if len(kept) == len(lines):
        return lines
    return _collapse_blank_runs(kept, _longest_blank_run(lines))


def _no_blank_after_opening_comment(
    original: cst.IndentedBlock, updated: cst.IndentedBlock, drop: _Drop
) -> cst.IndentedBlock:
    """A comment that opened the block must not leave a blank line in its place."""
    if not updated.body:
        return updated
    first, original_first = updated.body[0], original.body[0]
    lines = getattr(first, "leading_lines", ())
    original_lines = getattr(original_first, "leading_lines", ())
    if not (lines and original_lines and drop(original_lines[0].comment)):
        return updated
    while lines and lines[0].comment is None:
        lines = lines[1:]
    return updated.with_changes(body=[first.with_changes(leading_lines=lines), *updated.body[1:]])


def _drop(comment: cst.Comment | None) -> bool:
    return comment is not None and not PRAGMA.match(comment.value)


def _drop_only(texts: frozenset[str], comment: cst.Comment | None) -> bool:
    return _drop(comment) and comment is not None and comment.value in texts


_Drop = Callable[[cst.Comment | None], bool]


class _CommentStripper(cst.CSTTransformer):
    """The full pass, for comments inside brackets: visits every node, expressions included."""

    def __init__(self, drop: _Drop) -> None:
        super().__init__()
        self.drop = drop

    def leave_TrailingWhitespace(
        self, original_node: cst.TrailingWhitespace, updated_node: cst.TrailingWhitespace
    ) -> cst.TrailingWhitespace:
        if self.drop(updated_node.comment):
            return updated_node.with_changes(comment=None, whitespace=cst.SimpleWhitespace(""))
        return updated_node

    # EmptyLine lists are rebuilt by their owner, so the blank lines around a removed comment
    # line can be collapsed: a run of blanks never grows longer than the longest run there was.
    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]:
        updated = super().on_leave(original_node, updated_node)
        if not isinstance(updated, cst.CSTNode):
            return updated
        changes = {}
        for field in _LINE_FIELDS:
            lines = getattr(updated, field, None)
            if isinstance(lines, (list, tuple)) and lines and isinstance(lines[0], cst.EmptyLine):
                new = _strip_lines(updated, field, lines, self.drop)
                if new is not lines:
                    changes[field] = new
        if changes:
            updated = updated.with_changes(**changes)
        if isinstance(updated, cst.IndentedBlock):
            updated = _no_blank_after_opening_comment(original_node, updated, self.drop)  # type: ignore[arg-type]
        return updated


_LINE_FIELDS = ("leading_lines", "header", "footer", "lines_after_decorators", "empty_lines")


def _longest_blank_run(lines) -> int:  # type: ignore[no-untyped-def]
    longest = run = 0
    for line in lines:
        run = run + 1 if line.comment is None else 0
        longest = max(longest, run)
    return longest


def _collapse_blank_runs(lines, limit: int) -> list[cst.EmptyLine]:  # type: ignore[no-untyped-def]
    out: list[cst.EmptyLine] = []
    run = 0
    for line in lines:
        if line.comment is None:
            run += 1
            if run > max(limit, 1):
                continue
        else:
            run = 0
        out.append(line)
    return out
