"""The token-level shapes of the rules' pre-screen (see :mod:`._screen`): f-strings without a
replacement field, and parentheses that may go. Up to Python 3.11 an f-string is one token."""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize

from tokentrim import pyast
from tokentrim.caching import per_call
from tokentrim.pyast import ODD_LINE_BREAKS, significant_tokens

__all__ = ["plain_fstring", "removable_paren"]


def _may_open_group(code: str) -> bool:
    """Whether some ``(`` in the text might open an expression's parentheses: a cheap scan that
    spares tokenizing a block whose every ``(`` directly follows, on its own line, a name that is
    not a keyword, a closing bracket or a string quote (calls, definitions, bases). Looking back
    stays on the line: a comment earlier on it would hold the ``(`` too, and a string there ends
    in the quote."""
    position = code.find("(")
    while position != -1:
        before = code[code.rfind("\n", 0, position) + 1 : position].rstrip(" \t\f")
        if not before:
            return True
        if before[-1] not in ")]\"'":
            match = _WORD_END.search(before)
            if match is None:
                return True
            word = match.group()
            if word[0].isdigit() or keyword.iskeyword(word) or keyword.issoftkeyword(word):
                return True
        position = code.find("(", position + 1)
    return False


_WORD_END = re.compile(r"\w+$")


def _string_prefix(token: tokenize.TokenInfo) -> str:
    text = token.string
    return text[: len(text) - len(text.lstrip("bBrRuUfF"))].lower()


def plain_fstring(code: str) -> bool:
    """fstring-no-placeholder: some f-string literal (one token up to Python 3.11) that has no
    replacement field: no ``{`` at all, or some ``{{`` (libcst keeps those in the text parts)."""
    tokens = significant_tokens(code)
    if tokens is None:
        return True
    for token in tokens:
        if token.type == tokenize.STRING and "f" in _string_prefix(token):
            if "{" not in token.string or "{{" in token.string:
                return True
    return False


def removable_paren(code: str, tree: ast.Module) -> bool:
    """redundant-parens: some pair of grouping parentheses on one line whose removal alone keeps
    ``ast.dump`` the same.

    The rule only removes parentheses of an expression (a ``(`` that does not follow a name, a
    string or a closing bracket: those open calls, parameters and bases), written on one line, and
    only when the AST stays the same; it fires only when one candidate alone passes (see the rule).
    Removing a node's parentheses with libcst drops each ``(`` with the whitespace after it and
    each ``)`` with the whitespace before it; the text is cut here the same way (whitespace after a
    trailing comma that libcst keeps cannot change a token). A node with two layers ``((x))`` has
    its outer pair pass alone. Up to Python 3.11 an f-string's expressions are inside its token:
    they are scanned as text, and any doubt counts as a candidate.
    """
    if "(" not in code:
        return False
    if ODD_LINE_BREAKS.search(code):
        return True  # lines as Python counts them are not the lines read here: not sure
    if not _may_open_group(code):
        return False
    tokens = significant_tokens(code)
    if tokens is None:
        return True
    offsets = [0]
    for text_line in io.StringIO(code).readlines():
        offsets.append(offsets[-1] + len(text_line))

    def at(position: tuple[int, int]) -> int:
        return offsets[position[0] - 1] + position[1]

    cuts: list[tuple[int, int, int, int, int]] = []  # line, "(" from/to, ")" from/to
    opened: list[tuple[int, bool]] = []
    previous: tokenize.TokenInfo | None = None
    for i, token in enumerate(tokens):
        if token.type == tokenize.STRING and "(" in token.string and "f" in _string_prefix(token):
            found = _fstring_cuts(token.string)
            if found is None:
                return True
            base = at(token.start)
            for a, b, c, d in found:
                cuts.append((token.start[0], base + a, base + b, base + c, base + d))
        elif token.type == tokenize.OP and token.string in ("(", "[", "{"):
            opened.append((i, token.string == "(" and _opens_group(previous)))
        elif token.type == tokenize.OP and token.string in (")", "]", "}"):
            if not opened:
                return True
            start, grouping = opened.pop()
            if grouping and tokens[start].start[0] == token.end[0]:
                inner = start + 1 < i
                cuts.append(
                    (
                        token.start[0],
                        at(tokens[start].start),
                        at(tokens[start + 1].start) if inner else at(tokens[start].end),
                        at(tokens[i - 1].end) if inner else at(token.start),
                        at(token.end),
                    )
                )
        previous = token
    if not cuts:
        return False
    groups = _statement_lines(tree)
    segments: dict[int, tuple[int, str, ast.Module]] = {}
    # A cut's verdict is a function of its group's text and where the cut is in it: the second
    # pass of the same trim() finds most groups as the formatter left them, and their verdicts.
    known = per_call("rules.paren_cuts")
    for line, open_from, open_to, close_from, close_to in cuts:
        group = next((g for g in groups if g[0] <= line <= g[1]), None)
        if group is None:
            return True
        first, last, statements = group
        if first not in segments:
            start, end = offsets[first - 1], offsets[min(last, len(offsets) - 1)]
            segments[first] = (start, code[start:end], ast.Module(body=statements, type_ignores=[]))
        start, segment, reference = segments[first]
        where = (open_from - start, open_to - start, close_from - start, close_to - start)
        key = (segment, *where)
        verdict = known.get(key) if known is not None else None
        if verdict is None:
            a, b, c, d = where
            verdict = _same_without(segment[:a] + segment[b:c] + segment[d:], reference)
            if known is not None:
                known[key] = verdict
        if verdict:
            return True
    return False


def _same_without(cut: str, reference: ast.Module) -> bool:
    """The text with a pair of parentheses cut out parses to ``reference``."""
    try:
        return pyast.same(pyast.parse(cut), reference)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _statement_lines(tree: ast.Module) -> list[tuple[int, int, list[ast.stmt]]]:
    """The module's top-level statements in groups that share no line with another group: (first
    line, last line, statements). A cut inside one line changes only its group's statements, and a
    group's lines parse on their own (they start at column 0)."""
    groups: list[tuple[int, int, list[ast.stmt]]] = []
    for stmt in tree.body:
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        last = stmt.end_lineno or stmt.lineno
        if groups and first <= groups[-1][1]:
            start, end, statements = groups[-1]
            groups[-1] = (start, max(end, last), [*statements, stmt])
        else:
            groups.append((first, last, [stmt]))
    return groups


def _fstring_cuts(text: str) -> list[tuple[int, int, int, int]] | None:
    """The grouping parentheses on one line inside an f-string token, as cuts relative to the
    token ("(" from/to, ")" from/to), or None when the text is too involved to tell (a nested
    string, an escape, a comment sign or an unmatched parenthesis after a ``(``)."""
    cuts: list[tuple[int, int, int, int]] = []
    for k, char in enumerate(text):
        if char != "(":
            continue
        before = text[:k].rstrip(" \t")
        match = _WORD_END.search(before)
        word = match.group() if match else ""
        if word and not word[0].isdigit():
            if not (keyword.iskeyword(word) or keyword.issoftkeyword(word)):
                continue  # a call
        elif before.endswith((")", "]")):
            continue  # a call
        depth, end = 0, None
        for m in range(k, len(text)):
            if text[m] in "'\"\\#\n":
                return None
            if text[m] == "(":
                depth += 1
            elif text[m] == ")":
                depth -= 1
                if depth == 0:
                    end = m
                    break
        if end is None:
            return None
        inner_from = k + 1 + len(text[k + 1 : end]) - len(text[k + 1 : end].lstrip(" \t"))
        inner_to = k + 1 + len(text[k + 1 : end].rstrip(" \t"))
        cuts.append((k, max(inner_from, k + 1), max(inner_to, inner_from), end + 1))
    return cuts


def _opens_group(previous: tokenize.TokenInfo | None) -> bool:
    """A ``(`` after ``previous`` can be an expression's parenthesis (not a call's)."""
    if previous is None:
        return True
    if previous.type == tokenize.NAME:
        return keyword.iskeyword(previous.string) or keyword.issoftkeyword(previous.string)
    return previous.type != tokenize.STRING and previous.string not in (")", "]")
