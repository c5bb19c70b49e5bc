"""Comment stripping: every comment goes except pragmas, the shebang and the cookie.

:func:`strip_comments` works on a libcst module; :func:`strip_comment_lines` gives the same text
from the tokens alone when no comment is inside brackets (most blocks), so that such a block
needs no libcst parse unless a rule may change it. With ``only`` (``comments=narration``), just
the comments whose text is in that set go: the ones :mod:`.narration` finds narrating the code.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tokenize
from collections.abc import Callable, Sequence
from typing import TypeVar

import libcst as cst

from tokentrim import pyast
from tokentrim.pyast import ODD_LINE_BREAKS

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
    tokens = pyast.tokens(code)
    if tokens is None:
        return "brackets"  # let the full libcst pass decide
    found = "none"
    depth = 0
    for token in tokens:
        if token.type == tokenize.OP:
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
        elif token.type == tokenize.COMMENT and not is_kept_comment(token.string, token.start[0]):
            if depth > 0:
                return "brackets"
            found = "statements"
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
    return _collapse_blank_runs(kept, _longest_blank_run(lines, _no_comment), _no_comment)


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


def _no_comment(line: cst.EmptyLine) -> bool:
    return line.comment is None


_T = TypeVar("_T")


def _longest_blank_run(lines: Sequence[_T], blank: Callable[[_T], bool]) -> int:
    longest = run = 0
    for line in lines:
        run = run + 1 if blank(line) else 0
        longest = max(longest, run)
    return longest


def _collapse_blank_runs(lines: Sequence[_T], limit: int, blank: Callable[[_T], bool]) -> list[_T]:
    """``lines`` with each run of blank ones cut to its first ``max(limit, 1)``."""
    out: list[_T] = []
    run = 0
    for line in lines:
        if blank(line):
            run += 1
            if run > max(limit, 1):
                continue
        else:
            run = 0
        out.append(line)
    return out


def strip_comment_lines(code: str, only: frozenset[str] | None = None) -> str | None:
    """What ``strip_comments(parse_module(code), statements_only=True, only=only).code`` gives,
    without libcst: from the tokens, for a block whose comments are all outside brackets (see
    :func:`scan_comments`). None when the block has a shape this does not model (the caller
    takes the libcst path).

    The comment-only and blank lines between two statements belong, as in libcst, to the next
    statement, except that each block the next statement dedents out of first takes, as its
    footer, those up to the last one indented at its own level. Within each such list the
    comment lines go and a run of blank lines never grows longer than the longest run the list
    had; a list that opens a block and started with a removed comment loses its leading blanks.
    A removed trailing comment takes the whitespace before it (not a ``;``'s).
    """
    if ODD_LINE_BREAKS.search(code):
        return None  # lines as Python counts them are not str.splitlines' lines
    tokens = pyast.tokens(code)
    if tokens is None:
        return None
    lines = code.splitlines(keepends=True)

    def drop(text: str) -> bool:
        return not PRAGMA.match(text) and (only is None or text in only)

    cut: dict[int, int] = {}  # line number -> column where a removed trailing comment's cut starts
    removed: set[int] = set()  # comment-only and blank lines that go
    indents: list[str] = []
    closing: list[str] = []  # the indentation of each block closed since the last logical line
    gap_start, opening, line_start, seen_statement, depth = 1, False, True, False, 0
    last_code: tokenize.TokenInfo | None = None
    for token in tokens:
        kind = token.type
        if kind == tokenize.COMMENT:
            if depth:
                return None
            if not line_start:  # a trailing comment: code before it on its logical line
                if last_code is None or last_code.end[0] != token.start[0]:
                    return None
                if drop(token.string):
                    keep = last_code.type == tokenize.OP and last_code.string == ";"
                    cut[token.start[0]] = token.start[1] if keep else last_code.end[1]
        elif kind == tokenize.INDENT:
            indents.append(token.string)
            opening = True
        elif kind == tokenize.DEDENT:
            closing.append(indents.pop())
        elif kind == tokenize.NEWLINE:
            gap_start, opening, line_start, closing = token.start[0] + 1, False, True, []
        elif kind != tokenize.NL:
            if line_start:  # the first token of a logical line: the lines before it are a gap
                owner = "next" if seen_statement else "header"
                if kind == tokenize.ENDMARKER:
                    owner = "footer"
                    if not seen_statement:
                        return None  # nothing but comments: libcst decides where they go
                    end = len(lines) + 1
                    if any(
                        lines[n - 1].strip(" \t\r\n") == "" != lines[n - 1].strip("\r\n")
                        for n in range(gap_start, end)
                    ):
                        return None  # libcst's print drops lines before such a last line
                else:
                    end = token.start[0]
                    owner = "opening" if opening else owner
                gap = list(range(gap_start, end))
                if not _strip_gap(lines, gap, closing, owner, drop, removed):
                    return None
                seen_statement, line_start = True, False
            if kind == tokenize.OP:
                depth += token.string in "([{"
                depth -= token.string in ")]}"
            last_code = token
    out = []
    for number, line in enumerate(lines, start=1):
        if number in removed:
            continue
        column = cut.get(number)
        if column is not None:
            body = line.rstrip("\r\n")
            line = line[:column] + line[len(body) :]
        out.append(line)
    text = "".join(out)
    if not code.endswith(("\n", "\r")) and text.endswith("\n"):
        # libcst keeps the module's lack of a final newline, whichever line ends it now.
        return text[: -2 if text.endswith("\r\n") else -1]
    if code.endswith("\n"):  # (tokenize ends an unterminated last line with a NEWLINE of its own)
        # The pre-screen reads the result's significant tokens next: the block's, moved.
        pyast.significant_tokens.seed(_moved(tokens, removed, cut), text)
    return text


def _moved(
    tokens: tuple[tokenize.TokenInfo, ...], removed: set[int], cut: dict[int, int]
) -> tuple[tokenize.TokenInfo, ...]:
    """The significant tokens of the block once ``removed`` lines and the ``cut`` trailing
    comments are gone: positions move up by the lines gone before them, and a line's NEWLINE to
    where its comment was cut (``line`` stays the original's)."""
    before = [0] * (max(removed, default=0) + 2)
    for number in range(1, len(before)):
        before[number] = before[number - 1] + (number - 1 in removed)
    moved = []
    last = len(before) - 1
    for token in tokens:
        kind, string, (start_line, start_col), (end_line, end_col), line = token
        if kind in pyast.INSIGNIFICANT:
            continue
        if kind == tokenize.NEWLINE and start_line in cut:
            start_col = cut[start_line]
            end_col = start_col + len(string)
        elif not before[min(end_line, last)]:
            moved.append(token)  # nothing gone before it
            continue
        start = (start_line - before[min(start_line, last)], start_col)
        end = (end_line - before[min(end_line, last)], end_col)
        moved.append(tokenize.TokenInfo(kind, string, start, end, line))
    return tuple(moved)


def _strip_gap(
    lines: list[str],
    gap: list[int],
    closing: list[str],
    owner: str,
    drop: Callable[[str], bool],
    removed: set[int],
) -> bool:
    """Mark the lines of one gap that go; False when a line is not blank or a comment."""
    comments: dict[int, str] = {}
    for number in gap:
        text = lines[number - 1].lstrip(" \t").rstrip("\r\n")
        if text.startswith("#"):
            comments[number] = text  # as tokenize spells it, trailing whitespace included
        elif text.strip(" \t"):
            return False
    if not comments:
        return True
    rest = gap
    for indent in closing:  # innermost first: each closed block's footer
        last = max((i for i, n in enumerate(rest) if lines[n - 1].startswith(indent)), default=-1)
        _strip_list(lines, rest[: last + 1], comments, False, False, drop, removed)
        rest = rest[last + 1 :]
    if owner == "footer" and any(lines[n - 1][:1] in (" ", "\t") for n in rest):
        return False  # libcst's module footer loses the lines before an indented one
    _strip_list(lines, rest, comments, owner == "header", owner == "opening", drop, removed)
    return True


def _strip_list(
    lines: list[str],
    numbers: list[int],
    comments: dict[int, str],
    header: bool,
    opening: bool,
    drop: Callable[[str], bool],
    removed: set[int],
) -> None:
    """One list of empty lines, as :func:`_strip_lines` and
    :func:`_no_blank_after_opening_comment` treat it."""
    gone = {
        n
        for position, n in enumerate(numbers, start=1)
        if n in comments
        and drop(comments[n])
        and not (header and is_kept_comment(comments[n], position))
    }
    if not gone:
        return

    def blank(number: int) -> bool:
        return number not in comments

    kept = _collapse_blank_runs(
        [n for n in numbers if n not in gone], _longest_blank_run(numbers, blank), blank
    )
    gone.update(set(numbers) - set(kept))
    if opening and numbers[0] in gone:
        for n in kept:
            if n in comments:
                break
            gone.add(n)
    removed.update(gone)
