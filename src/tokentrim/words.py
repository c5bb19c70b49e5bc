"""Words for people: counts with the right plural, the one helper every report and summary uses."""

from __future__ import annotations

__all__ = ["plural"]


def plural(number: int, one: str, many: str, *, count: bool = True) -> str:
    """``1 reply``, ``2 replies``, ``1,000 blocks``; with ``count=False`` only the word."""
    word = one if number == 1 else many
    return f"{number:,} {word}" if count else word
