"""Review time: what a person reads in a reply, and how long that takes.

``review_hours = code_lines / lines_per_hour + prose_words / (words_per_minute × 60)``; the
parameters and their sources are in ``docs/costs.md``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from tokentrim.fences import find_code_blocks
from tokentrim.settings import Settings

__all__ = ["ReviewLoad", "review_hours", "review_load"]

_WORD = re.compile(r"\w+(?:['’.-]\w+)*")


@dataclasses.dataclass(frozen=True)
class ReviewLoad:
    """What a reviewer reads: non-blank lines of fenced code, and words of prose around them."""

    code_lines: int
    prose_words: int

    @classmethod
    def of(cls, prose: Iterable[str], code: Iterable[str]) -> ReviewLoad:
        """The load of a reply already split into prose pieces and code block contents."""
        return cls(
            code_lines=sum(_non_blank_lines(block) for block in code),
            prose_words=sum(len(_WORD.findall(piece)) for piece in prose),
        )


def review_load(text: str, settings: Settings | None = None) -> ReviewLoad:
    """Code lines inside fenced blocks and prose words outside them.

    A reply without fences that ``trim()`` treats as one Python block (``code="whole"``, or
    ``code="auto"`` and it parses as a program) counts as code throughout.
    """
    blocks = find_code_blocks(text)
    if not blocks and _whole_reply_is_code(text, settings or _DEFAULT_SETTINGS):
        return ReviewLoad(code_lines=_non_blank_lines(text), prose_words=0)
    code_lines = sum(_non_blank_lines(block.code) for block in blocks)
    prose_words = 0
    position = 0
    for block in blocks:
        prose_words += len(_WORD.findall(text, position, block.start))
        position = max(position, block.end)
    prose_words += len(_WORD.findall(text, position))
    return ReviewLoad(code_lines=code_lines, prose_words=prose_words)


def review_hours(load: ReviewLoad, settings: Settings) -> float:
    """Hours to review: lines ÷ lines-per-hour + words ÷ (words-per-minute × 60)."""
    return load.code_lines / settings.review_lines_per_hour + load.prose_words / (
        settings.review_words_per_minute * 60
    )


def _whole_reply_is_code(text: str, settings: Settings) -> bool:
    if settings.code == "fenced" or not text.strip():
        return False
    if settings.code == "whole":
        return True
    from tokentrim.languages.python.detect import looks_like_python

    return looks_like_python(text)


_DEFAULT_SETTINGS = Settings()


def _non_blank_lines(code: str) -> int:
    return sum(1 for line in code.splitlines() if line.strip())
