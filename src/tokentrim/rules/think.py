"""``think``: remove ``<think>…</think>`` reasoning (``think=strip``; on at ``aggressive``).

* A ``<think>`` (or ``<thinking>``) that starts a line outside any code fence, up to its closing tag,
  goes — with the blank lines after it, so the text before and after stays byte-identical.
* Reasoning models served without the opening tag (DeepSeek-R1, Qwen3 behind some servers) start the
  reply with their reasoning and a lone ``</think>`` line: when the reply has no opening tag at all,
  everything up to that line goes.
* An opening tag that is never closed is kept: the rule cannot tell where the reasoning ends.
* A reply that would become empty is kept whole.
"""

from __future__ import annotations

import re

from tokentrim.rules import TextRule, register
from tokentrim.rules._prose import fence_spans, inside
from tokentrim.settings import Settings

_OPEN = re.compile(r"^[ \t]*<(think|thinking)>", re.MULTILINE)
_ANY_OPEN = re.compile(r"<(think|thinking)>")
_LONE_CLOSE = re.compile(r"^[ \t]*</(think|thinking)>[ \t]*$", re.MULTILINE)
_TRAILING_SPACE = re.compile(r"\s*")


@register
class Think(TextRule):
    id = "think"
    level = "aggressive"
    description = (
        "Remove <think>…</think> reasoning (also a lone </think> ending leading reasoning)."
    )
    before = "<think>\nThe user wants a greeting...\n</think>\n\nprint('hi')\n"
    after = "print('hi')\n"

    @classmethod
    def wanted(cls, settings: Settings) -> bool:
        return settings.effective_think == "strip"

    def apply(self, text: str) -> str:
        current = text
        while True:  # each step shortens the text; repeat so a second run is a no-op
            new = _strip_once(current)
            if new == current:
                break
            current = new
        return current if current.strip() else text


def _strip_once(text: str) -> str:
    if "think" not in text:  # every tag the rule looks for spells it
        return text
    fences = fence_spans(text)
    if not any(not inside(m.start(), fences) for m in _ANY_OPEN.finditer(text)):
        for match in _LONE_CLOSE.finditer(text):
            if not inside(match.start(), fences):
                return text[_TRAILING_SPACE.match(text, match.end()).end() :]  # type: ignore[union-attr]
        return text
    for match in _OPEN.finditer(text):
        if inside(match.start(), fences):
            continue
        close = text.find(f"</{match.group(1)}>", match.end())
        if close == -1:
            return text
        end = close + len(match.group(1)) + 3
        end = _TRAILING_SPACE.match(text, end).end()  # type: ignore[union-attr]
        if end == len(text):
            # Reasoning at the very end: also drop the whitespace that led up to it.
            start = len(text[: match.start()].rstrip())
            return text[:start] + ("\n" if start and text.endswith("\n") else "")
        return text[: match.start()] + text[end:]
    return text
