"""``filler-prose``: remove pleasantries at the start and end of a reply.

Conservative by construction — when unsure, keep:

* only whole sentences, only leading sentences of the first prose paragraph (before any code) and
  trailing sentences of the last one (after all code), only paragraphs of running text;
* a sentence goes only if it matches a pattern in full: an interjection ("Sure!", "Certainly!"), an
  offer of help with no object ("Sure, I can help with that."), a lead-in that names nothing but
  generic code ("Here's the corrected code:", "Here is a simple Python function that does that:"),
  or a sign-off ("I hope this helps!", "Let me know if …", "Feel free to ask!", "Happy coding!");
* a sentence that says what the code does ("Here's a function that uses binary search to …") stays;
* text outside the removed sentences is byte-identical; code fences are never touched.
"""

from __future__ import annotations

import re

from tokentrim.rules import TextRule, register
from tokentrim.rules._prose import Span, fence_spans, is_plain_prose, paragraphs, sentences

_EMOJI = r"(?:\s*[\u2600-\u27bf\U0001f300-\U0001faff\ufe0f]+)*"
_WITH_THAT = r"(?:\s+you)?(?:\s+with\s+(?:that|this|your\s+(?:request|question)))?"
_ADJECTIVES = (
    r"simple|basic|quick|possible|complete|full|working|revised|updated|corrected|fixed|final|"
    r"improved|modified|refactored|short|sample|concise|clean|straightforward|minimal|new|"
    r"example|python|python\s+3|rewritten|cleaner|simpler|possible|straightforward"
)
_NOUNS = (
    r"code(?:\s+snippet)?|snippet|solution|implementation|function|script|program|version|"
    r"example|answer|approach|class|fix|one|result"
)
_OPENERS = [
    # Interjections.
    r"(?:sure|certainly|of\s+course|absolutely|definitely|great|great\s+question|good\s+question|"
    r"excellent\s+question|no\s+problem|sure\s+thing|okay|ok|alright|all\s+right|gladly|"
    r"happy\s+to\s+help|glad\s+to\s+help)\s*[.!]",
    # Offers of help with no object.
    r"(?:(?:sure|certainly|of\s+course|absolutely|okay|ok|yes)\s*[,!.]\s*)?"
    r"(?:i(?:'d|\s+would)\s+be\s+(?:happy|glad|delighted)\s+to\s+help"
    + _WITH_THAT
    + r"|i\s+can\s+(?:help|assist)"
    + _WITH_THAT
    + r"|i(?:'ll|\s+will)\s+(?:help|assist)"
    + _WITH_THAT
    + r"|let\s+me\s+help"
    + _WITH_THAT
    + r"|i(?:'d|\s+would)\s+be\s+(?:happy|glad)\s+to\s+assist"
    + _WITH_THAT
    + r")\s*[.!]",
    # Lead-ins that name nothing but generic code.
    r"(?:(?:sure|certainly|of\s+course|absolutely|okay|ok|alright)\s*[,!.]?\s*)?"
    r"(?:here(?:'s|’s|\s+is|\s+are)|below\s+is|below\s+are)\s+"
    r"(?:(?:the|a|an|your|my)\s+)?(?:(?:" + _ADJECTIVES + r")[\s,]+)*"
    r"(?:" + _NOUNS + r")s?(?:\s+in\s+python)?"
    r"(?:\s+(?:that|which)\s+(?:does|do|should\s+do|will\s+do)\s+(?:that|this|it|the\s+job|the\s+trick)"
    r"|\s+(?:that|which)\s+(?:meets|satisfies|fulfills|fulfils)\s+(?:all\s+)?(?:your|the|these)\s+"
    r"requirements|\s+as\s+(?:requested|per\s+your\s+(?:request|requirements|specifications)))?"
    r"\s*[:.!]",
    r"here(?:'s|’s|\s+is)\s+how(?:\s+you\s+(?:can|could)\s+do\s+(?:it|that|this))?\s*[:.!]",
]
_CLOSERS = [
    r"(?:i\s+)?hope\s+(?:this|that|it|the\s+above|my\s+(?:answer|explanation))\s+"
    r"(?:helps|is\s+helpful|was\s+helpful|helped|answers\s+your\s+question)\b[^.!?`]*[.!]",
    r"(?:please\s+)?(?:do\s+)?let\s+me\s+know\s+if\b[^.!?`]*[.!?]",
    r"(?:please\s+)?(?:feel\s+free|don't\s+hesitate|do\s+not\s+hesitate)\s+to\s+"
    r"(?:ask|reach\s+out|let\s+me\s+know|contact\s+me)\b[^.!?`]*[.!]",
    r"if\s+you\s+(?:have|need|want|would\s+like|'d\s+like)\b[^.!?`]*,\s*(?:please\s+|just\s+)?"
    r"(?:feel\s+free\s+to\s+(?:ask|reach\s+out|let\s+me\s+know)|let\s+me\s+know|"
    r"(?:don't|do\s+not)\s+hesitate\s+to\s+(?:ask|reach\s+out))[^.!?`]*[.!]",
    r"(?:is\s+there\s+)?anything\s+else\s+(?:i\s+can\s+help(?:\s+you)?\s+with|you\s+need)\s*\?",
    r"(?:happy\s+coding|good\s+luck|enjoy(?:\s+coding)?|have\s+fun(?:\s+coding)?|cheers)\s*[.!]",
]
_OPENER = re.compile(r"(?:" + "|".join(_OPENERS) + r")" + _EMOJI, re.IGNORECASE)
_CLOSER = re.compile(r"(?:" + "|".join(_CLOSERS) + r")" + _EMOJI, re.IGNORECASE)


@register
class FillerProse(TextRule):
    id = "filler-prose"
    level = "aggressive"
    description = "Remove filler sentences at the start and end of a reply ('Sure! Here's…')."
    before = "Sure! Here's the code:\n\n```python\nprint('hi')\n```\n\nI hope this helps!\n"
    after = "```python\nprint('hi')\n```\n"

    def apply(self, text: str) -> str:
        fences = fence_spans(text)
        head = paragraphs(text, 0, fences[0][0] if fences else len(text))[:1]
        tail = paragraphs(text, fences[-1][1] if fences else 0, len(text))[-1:]
        cuts: list[Span] = []
        if head:
            cuts += _cuts(text, head[0], leading=True, trailing=head == tail)
        if tail and tail != head:
            cuts += _cuts(text, tail[0], leading=False, trailing=True)
        new = text
        for start, end in sorted(cuts, reverse=True):
            new = new[:start] + new[end:]
        return new if new.strip() else text


def _cuts(text: str, span: Span, *, leading: bool, trailing: bool) -> list[Span]:
    """What to delete from one paragraph: its leading opener and trailing closer sentences."""
    if not is_plain_prose(text, span):
        return []
    parts = sentences(text, span)
    lead = 0
    while leading and lead < len(parts) and _OPENER.fullmatch(text, *parts[lead]):
        lead += 1
    trail = 0
    while trailing and trail < len(parts) - lead and _CLOSER.fullmatch(text, *parts[-1 - trail]):
        trail += 1
    start, end = span
    if lead + trail == len(parts):
        # The whole paragraph goes, with the blank lines that separate it from the rest.
        if leading:
            after = end
            while after < len(text) and text[after] in " \t\r\n":
                after += 1
            return [(start, after)]
        before = len(text[:start].rstrip())
        return [(before, end) if before else (start, end)]
    cuts = []
    if lead:
        cuts.append((start, parts[lead][0]))
    if trail:
        cuts.append((parts[-1 - trail][1], end))
    return cuts
