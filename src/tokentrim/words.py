"""Words for people: counts with the right plural, and a text's first sentence.

``first_sentence`` is the one cut that Python docstrings and other languages' doc comments share.
"""

from __future__ import annotations

import re

__all__ = ["first_sentence", "plural"]

#: Abbreviations whose dot does not end a sentence.
NOT_A_SENTENCE_END = frozenset({"e.g", "i.e", "etc", "vs", "cf", "mr", "mrs", "dr", "approx"})
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def first_sentence(text: str) -> str:
    """``text`` up to the end of its first sentence (all of it when no sentence ends)."""
    for match in _SENTENCE_END.finditer(text):
        word = text[: match.start()].rsplit(None, 1)[-1].lower() if match.start() else ""
        if word.strip("(") not in NOT_A_SENTENCE_END:
            return text[: match.end()]
    return text


def plural(number: int, one: str, many: str, *, count: bool = True) -> str:
    """``1 reply``, ``2 replies``, ``1,000 blocks``; with ``count=False`` only the word."""
    word = one if number == 1 else many
    return f"{number:,} {word}" if count else word
