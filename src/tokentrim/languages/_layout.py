"""Take comments out of source text without reformatting anything else.

* A line that held only removed comments goes, newline and all.
* A comment that ends a line of code goes with the spaces before it; one that starts a line of code
  goes with the spaces after it; one between two tokens goes with the spaces on one side, or
  becomes one space when it touched both tokens (``a/**/b`` → ``a b``: a comment separates tokens
  as whitespace does, so the tokens must stay apart) unless one of them is a bracket, a comma or
  a semicolon (``f(/**/)`` → ``f()``).
* A run of blank lines that the removal joined collapses to what was there: the longest run that
  it merged, none at the start or end of the block, and the count next to a bracket when the run
  opens or closes one.

Offsets are bytes of UTF-8 source; ``\\r\\n`` endings are kept as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["rewrite"]

_SPACE = b" \t"
_OPENERS = (b"{", b"(", b"[")
_CLOSERS = (b"}", b")", b"]")
_TIGHT_AFTER = (*_CLOSERS, b",", b";")
_TIGHT_BEFORE = (*_OPENERS, b",", b";")


def rewrite(
    source: bytes,
    removals: Sequence[tuple[int, int]],
    replacements: Sequence[tuple[int, int, bytes]] = (),
) -> bytes:
    """``source`` with the ``removals`` spans taken out and the ``replacements`` spans replaced.

    Spans must not overlap. A replacement is put in as it is; removals follow the layout rules.
    """
    if replacements:
        source, removals = _replace(source, removals, replacements)
    if not removals:
        return source
    mask = bytearray(len(source))
    for start, end in removals:
        for at in range(start, end):
            byte = source[at]
            # Newlines inside a block comment stay: a line is deleted whole or keeps its ending.
            if byte == 0x0A or (byte == 0x0D and source[at + 1 : at + 2] == b"\n"):
                continue
            mask[at] = 1
    lines = _lines(source)
    kinds: list[str] = []  # "code", "blank" (blank before the removal) or "deleted"
    contents: list[bytes] = []
    for start, end, _ in lines:
        content = source[start:end]
        if not any(mask[start:end]):
            kinds.append("blank" if not content.strip() else "code")
            contents.append(content)
            continue
        kept = bytes(b for b, m in zip(content, mask[start:end], strict=True) if not m)
        if not kept.strip():
            kinds.append("deleted")
            contents.append(b"")
            continue
        kinds.append("code")
        contents.append(_strip_runs(content, mask[start:end]))
    keep = _collapse_blank_runs(kinds, contents)
    return b"".join(
        contents[index] + lines[index][2]
        for index, kind in enumerate(kinds)
        if kind == "code" or (kind == "blank" and keep[index])
    )


def _replace(
    source: bytes,
    removals: Sequence[tuple[int, int]],
    replacements: Sequence[tuple[int, int, bytes]],
) -> tuple[bytes, list[tuple[int, int]]]:
    """Apply the replacements; shift the removal spans to the new offsets."""
    out: list[bytes] = []
    at = 0
    shifts: list[tuple[int, int]] = []  # (offset in the old source, cumulative shift after it)
    shift = 0
    for start, end, text in sorted(replacements):
        out.append(source[at:start])
        out.append(text)
        at = end
        shift += len(text) - (end - start)
        shifts.append((end, shift))
    out.append(source[at:])
    moved = []
    for start, end in removals:
        delta = 0
        for offset, cumulative in shifts:
            if offset <= start:
                delta = cumulative
        moved.append((start + delta, end + delta))
    return b"".join(out), moved


def _lines(source: bytes) -> list[tuple[int, int, bytes]]:
    """(start, end of content, line ending) for every line; the ending is b"" on the last."""
    lines = []
    at = 0
    while at < len(source):
        newline = source.find(b"\n", at)
        if newline == -1:
            lines.append((at, len(source), b""))
            break
        end = newline - 1 if newline > at and source[newline - 1] == 0x0D else newline
        lines.append((at, end, source[end : newline + 1]))
        at = newline + 1
    return lines


def _strip_runs(content: bytes, mask: bytearray) -> bytes:
    """A line of code without its masked runs, spaces handled as the module docstring says."""
    runs = []
    at = 0
    while at < len(content):
        if mask[at]:
            end = at
            while end < len(content) and mask[end]:
                end += 1
            runs.append((at, end))
            at = end
        else:
            at += 1
    text = content
    for start, end in reversed(runs):  # right to left: earlier offsets stay valid
        before, after = text[:start], text[end:]
        if not after.strip(_SPACE):
            text = before.rstrip(_SPACE)
        elif not before.strip(_SPACE):
            text = before + after.lstrip(_SPACE)
        else:
            space_before = before.endswith((b" ", b"\t"))
            space_after = after.startswith((b" ", b"\t"))
            if space_before and space_after:
                text = before + after.lstrip(_SPACE)
            elif space_before and after.startswith(_TIGHT_AFTER):
                text = before.rstrip(_SPACE) + after  # `f(x /* c */)` → `f(x)`
            elif space_after and before.endswith(_OPENERS):
                text = before + after.lstrip(_SPACE)  # `f(/* c */ x)` → `f(x)`
            elif space_before or space_after or before.endswith(_TIGHT_BEFORE):
                text = before + after
            elif after.startswith(_TIGHT_AFTER):
                text = before + after  # `f(/**/)` → `f()`: a bracket never joins a token
            else:
                text = before + b" " + after
    return text


def _collapse_blank_runs(kinds: list[str], contents: list[bytes]) -> list[bool]:
    """For each line, whether a blank line is kept (only blank lines can be dropped here)."""
    keep = [True] * len(kinds)
    index = 0
    while index < len(kinds):
        if kinds[index] == "code":
            index += 1
            continue
        end = index
        while end < len(kinds) and kinds[end] != "code":
            end += 1
        run = kinds[index:end]
        if "deleted" in run:
            target = _blank_target(run, contents, index, end)
            seen = 0
            for at in range(index, end):
                if kinds[at] == "blank":
                    keep[at] = seen < target
                    seen += 1
        index = end
    return keep


def _blank_target(run: list[str], contents: list[bytes], start: int, end: int) -> int:
    first = run.index("deleted")
    last = len(run) - 1 - run[::-1].index("deleted")
    leading = run[:first].count("blank")
    trailing = run[last + 1 :].count("blank")
    if start == 0:
        return leading
    if end == len(contents):
        return trailing
    if contents[start - 1].rstrip().endswith(_OPENERS):
        return leading
    if contents[end].lstrip().startswith(_CLOSERS):
        return trailing
    longest = current = 0
    for kind in run:
        current = current + 1 if kind == "blank" else 0
        longest = max(longest, current)
    return longest
