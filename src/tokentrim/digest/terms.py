"""The words the ranking matches a query against: identifier parts, lower case, stemmed. Pure.

``split_camel_and_snake("HTTPTransport")`` is ``["http", "transport"]``; ``words()`` applies it
to every identifier-like token of a text, drops English stop words (bm25s's list, copied here so
that ranking a cached tree does not import bm25s and with it scipy — a test checks that it is still
bm25s's — plus the words every "how do I…" question has) and stems with the Snowball English
stemmer (PyStemmer), so that "redirects" in a query meets "redirect" in a name.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["STOPWORDS_EN", "split_camel_and_snake", "words"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_QUESTION_WORDS = frozenset({"how", "do", "can", "use", "using", "want", "way", "need"})
# bm25s.stopwords.STOPWORDS_EN (bm25s 0.3), Lucene's English stop words.
STOPWORDS_EN = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then "
    "there these they this to was will with".split()
)
_STOP = STOPWORDS_EN | _QUESTION_WORDS


def split_camel_and_snake(name: str) -> list[str]:
    """``HTTPTransport`` → [http, transport]; ``follow_redirects`` → [follow, redirects]."""
    parts: list[str] = []
    for chunk in name.split("_"):
        parts.extend(part.lower() for part in _CAMEL.findall(chunk))
    return parts


def words(text: str) -> list[str]:
    """The ranking's terms of ``text``, in order (repeats kept: BM25 counts them)."""
    parts = [p for token in _IDENTIFIER.findall(text) for p in split_camel_and_snake(token)]
    return list(_stemmer().stemWords([p for p in parts if p not in _STOP and len(p) > 1]))


@functools.cache
def _stemmer() -> Any:
    import Stemmer  # type: ignore[import-not-found]

    return Stemmer.Stemmer("english")
