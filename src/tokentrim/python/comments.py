"""Comment stripping with libcst: every comment goes except pragmas, the shebang and the cookie."""

from __future__ import annotations

import io
import re
import tokenize

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
    if "#" not in code:
        return False
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT and not is_kept_comment(token.string, token.start[0]):
                return True
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return True  # let libcst decide
    return False


def strip_comments(module: cst.Module) -> cst.Module:
    """Return ``module`` without its comments (pragmas, shebang and cookie stay)."""
    return module.visit(_CommentStripper())


class _CommentStripper(cst.CSTTransformer):
    def _drop(self, comment: cst.Comment | None) -> bool:
        return comment is not None and not PRAGMA.match(comment.value)

    def leave_TrailingWhitespace(
        self, original_node: cst.TrailingWhitespace, updated_node: cst.TrailingWhitespace
    ) -> cst.TrailingWhitespace:
        if self._drop(updated_node.comment):
            return updated_node.with_changes(comment=None, whitespace=cst.SimpleWhitespace(""))
        return updated_node

    # EmptyLine lists are rebuilt by their owner, so the blank lines around a removed comment
    # line can be collapsed: a run of blanks never grows longer than the longest run there was.
    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        updated = super().on_leave(original_node, updated_node)
        if not isinstance(updated, cst.CSTNode):
            return updated
        changes = {}
        for field in _LINE_FIELDS:
            lines = getattr(updated, field, None)
            if not isinstance(lines, (list, tuple)) or not lines:
                continue
            if not all(isinstance(line, cst.EmptyLine) for line in lines):
                continue
            kept = [
                line
                for number, line in enumerate(lines, start=1)
                if self._keeps(line)
                # The shebang and the cookie can only be the module's first two lines.
                or isinstance(updated, cst.Module)
                and field == "header"
                and line.comment is not None
                and is_kept_comment(line.comment.value, number)
            ]
            if len(kept) != len(lines):
                changes[field] = _collapse_blank_runs(kept, _longest_blank_run(lines))
        if isinstance(updated, cst.IndentedBlock) and updated.body:
            first = updated.body[0]
            original_first = original_node.body[0]  # type: ignore[attr-defined]
            lines = getattr(first, "leading_lines", ())
            original_lines = getattr(original_first, "leading_lines", ())
            if lines and original_lines and not self._keeps(original_lines[0]):
                # The comment opened the block: do not leave a blank line in its place.
                while lines and lines[0].comment is None:
                    lines = lines[1:]
                changes_first = first.with_changes(leading_lines=lines)
                updated = updated.with_changes(body=[changes_first, *updated.body[1:]])
        if changes:
            updated = updated.with_changes(**changes)
        return updated

    def _keeps(self, line: cst.EmptyLine) -> bool:
        return not self._drop(line.comment)


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
