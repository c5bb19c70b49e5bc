"""Doc comments cut to their first sentence, the way Python docstrings are (``docstrings=summary``).

A block doc comment (``/** … */``, ``/*! … */``) becomes ``/** Summary. */`` on one line; a run of
line doc comments (``///``, ``//!``, a Go doc comment's ``//``) becomes its first line,
``/// Summary.``. The summary is the first sentence of the first paragraph, which ends at a blank
line or at the first tag or section (``@param``, ``# Examples``, ``<param>``, ``- Returns:``). A
comment with no prose before its tags has no summary: it is kept whole. A summary of a summary is
itself, so a second pass changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tokentrim.words import first_sentence

__all__ = ["body", "summary_block", "summary_lines"]

_SECTION = re.compile(
    r"(@\w|#|```|~~~|<(?!summary\b|/summary\b)\w|[-*+]\s|\d+[.)]\s|"
    r"(Args|Arguments|Parameters?|Returns?|Throws|Raises|Errors|Panics|Safety|Examples?|Notes?|"
    r"Usage|See also)\s*:)",
    re.IGNORECASE,
)
_SUMMARY_TAG = re.compile(r"</?summary>", re.IGNORECASE)
_MARKER = re.compile(r"\A(?://+[!/]?|/\*+!?|#+|=begin\b)")


def body(text: str) -> str:
    """A comment's text without its markers (``//``, ``/*``, ``*/``, ``#``, leading ``*``)."""
    inner = _MARKER.sub("", text, count=1)
    if text.startswith("/*") and inner.endswith("*/"):
        inner = inner[:-2]
    elif text.startswith("=begin") and inner.rstrip().endswith("=end"):
        inner = inner.rstrip()[:-4]
    return inner.strip()


def summary_block(text: str) -> str | None:
    """``/** Summary. */`` (with the comment's own opener) for a block doc comment, or None."""
    opener = next(o for o in ("/*!", "/**", "/*") if text.startswith(o))
    inner = text[len(opener) : -2] if text.endswith("*/") else text[len(opener) :]
    lines = [line.strip().lstrip("*").strip() for line in inner.split("\n")]
    summary = _first_sentence(lines)
    if summary is None or "*/" in summary:
        return None
    return f"{opener} {summary} */"


def summary_lines(texts: Sequence[str], prefix: str) -> str | None:
    """``/// Summary.`` for a run of line doc comments starting with ``prefix``, or None."""
    lines = [text[len(prefix) :].strip() for text in texts]
    summary = _first_sentence(lines)
    if summary is None:
        return None
    if any(_SUMMARY_TAG.search(line) for line in lines):
        return f"{prefix} <summary>{summary}</summary>"
    return f"{prefix} {summary}"


def _first_sentence(lines: Sequence[str]) -> str | None:
    paragraph: list[str] = []
    for raw in lines:
        line = raw.strip()
        tagged = bool(_SUMMARY_TAG.search(line))
        line = _SUMMARY_TAG.sub("", line).strip()
        if not line:
            if paragraph or (tagged and not raw.strip().startswith("<summary")):
                break
            continue
        if _SECTION.match(line):
            break
        paragraph.append(line)
        if tagged and raw.strip().endswith("</summary>"):
            break
    if not paragraph:
        return None
    return first_sentence(" ".join(paragraph))
