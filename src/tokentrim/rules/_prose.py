"""Helpers for the text rules: where the fences are, paragraphs and sentences of the prose around them.

Every helper returns character spans into the original text, so a rule can delete exactly the bytes
it means to and leave everything else byte-identical.
"""

from __future__ import annotations

import re

from tokentrim import fences

Span = tuple[int, int]

_BLANK_LINE = re.compile(r"\n[ \t]*(?=\n|$)")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?:])\s+")
_DECORATION = re.compile(r"^[\W_]+$")  # emoji or punctuation only: belongs to the sentence before


def fence_spans(text: str) -> list[Span]:
    """``(start, end)`` of every fenced code block, fences included (CommonMark, as the pipeline)."""
    return [(block.start, block.end) for block in fences.find_code_blocks(text)]


def inside(position: int, spans: list[Span]) -> bool:
    return any(start <= position < end for start, end in spans)


def paragraphs(text: str, start: int, end: int) -> list[Span]:
    """Runs of non-blank lines in ``text[start:end]``, trimmed of surrounding whitespace."""
    found: list[Span] = []
    cursor = start
    chunk = text[start:end]
    for match in _BLANK_LINE.finditer(chunk):
        _add(found, text, cursor, start + match.start())
        cursor = start + match.end()
    _add(found, text, cursor, end)
    return found


def _add(found: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        found.append((start + lead, start + lead + len(stripped)))


def sentences(text: str, span: Span) -> list[Span]:
    """Sentences of a paragraph: split after ``. ! ? :`` followed by whitespace."""
    start, end = span
    found: list[Span] = []
    cursor = start
    for match in _SENTENCE_BREAK.finditer(text, start, end):
        found.append((cursor, match.start()))
        cursor = match.end()
    found.append((cursor, end))
    merged: list[Span] = []
    for piece in found:
        if merged and _DECORATION.match(text[piece[0] : piece[1]]):
            merged[-1] = (merged[-1][0], piece[1])
        else:
            merged.append(piece)
    return merged


def is_plain_prose(text: str, span: Span) -> bool:
    """A paragraph of running text: no heading, list, quote, table, HTML or indented code lines."""
    for line in text[span[0] : span[1]].split("\n"):
        if line.startswith(("    ", "\t")) or re.match(r"\s*([#>|<*+-]|\d+[.)]\s|`)", line):
            return False
    return True
