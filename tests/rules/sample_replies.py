"""Replies for the properties of the text rules: filler at both ends, fences, content sentences."""

from __future__ import annotations

import difflib

from hypothesis import strategies as st

FENCE = "```python\ndef f():\n    return 1\n```"

OPENERS = ["Sure!", "Certainly!", "Of course!", "Here is the code:", "Here's a simple example:"]
CLOSERS = ["I hope this helps!", "Let me know if you have questions.", "Happy coding!"]
# Content sentences start with a word no filler pattern starts with, so none of them is filler.
first_word = st.sampled_from(["The", "Values", "Keys", "Binary", "Sorted"])
word = st.sampled_from(
    "function returns a list of values sorted by key and uses binary search here it is "
    "you can sure feel free code let me know hope this helps".split()
)
content_sentence = st.builds(
    lambda first, rest, end: " ".join([first, *rest]) + end,
    first_word,
    st.lists(word, min_size=2, max_size=8),
    st.sampled_from([".", ":", "!"]),
)
fence = st.builds(
    lambda lang, body: f"```{lang}\n{body}\n```",
    st.sampled_from(["python", "", "js"]),
    st.sampled_from(["Sure!", "I hope this helps!", "x = 1", "<think>\n</think>", "print('hi')"]),
)


@st.composite
def replies(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A reply with optional filler at both ends, and the content sentences it holds."""
    parts: list[str] = []
    content: list[str] = []
    if draw(st.booleans()):
        parts.append(" ".join(draw(st.lists(st.sampled_from(OPENERS), min_size=1, max_size=2))))
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            parts.append(draw(fence))
        else:
            sentences = draw(st.lists(content_sentence, min_size=1, max_size=3))
            content += sentences
            parts.append(" ".join(sentences))
    if draw(st.booleans()):
        parts.append(" ".join(draw(st.lists(st.sampled_from(CLOSERS), min_size=1, max_size=2))))
    text = draw(st.sampled_from(["\n\n", "\n"])).join(parts) + draw(st.sampled_from(["", "\n"]))
    return text, content


def only_deletions(before: str, after: str) -> bool:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return all(tag in ("equal", "delete") for tag, *_ in matcher.get_opcodes())
