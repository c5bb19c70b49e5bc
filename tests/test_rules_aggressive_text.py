"""Golden cases and properties for the aggressive text rules: think, filler-prose."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokentrim.fences import find_code_blocks
from tokentrim.rules import apply_text_rules
from tokentrim.rules.filler_prose import FillerProse
from tokentrim.rules.think import Think
from tokentrim.settings import Settings

AGGRESSIVE = Settings(level="aggressive")
FENCE = "```python\ndef f():\n    return 1\n```"


def think(text: str) -> str:
    out = Think(AGGRESSIVE).apply(text)
    assert Think(AGGRESSIVE).apply(out) == out, "second run changed the text"
    return out


def filler(text: str) -> str:
    out = FillerProse(AGGRESSIVE).apply(text)
    assert FillerProse(AGGRESSIVE).apply(out) == out, "second run changed the text"
    return out


# ----------------------------------------------------------------------------------- think

THINK_FIXES = [
    pytest.param(
        "<think>\nThe user wants f.\n</think>\n\nHere it is.\n", "Here it is.\n", id="closed"
    ),
    pytest.param("<think>\n\n</think>\n\nAnswer.", "Answer.", id="empty-qwen3"),
    pytest.param("Okay, so f returns 1.\nDone.\n</think>\n\n" + FENCE, FENCE, id="lone-closer-r1"),
    pytest.param("<thinking>\nhmm\n</thinking>\nAnswer.", "Answer.", id="thinking-tag"),
    pytest.param(
        "<think>\nDraft:\n```python\nx = (\n```\nand an unclosed fence:\n```\n</think>\n\nAnswer.",
        "Answer.",
        id="fences-inside-reasoning",
    ),
    pytest.param(
        "Intro.\n\n<think>\nplan\n</think>\n\nAnswer.", "Intro.\n\nAnswer.", id="mid-reply"
    ),
    pytest.param("Answer.\n\n<think>\nafterthought\n</think>\n", "Answer.\n", id="at-end"),
]

THINK_NOOP = [
    pytest.param("<think>\nnever closed\nAnswer.", id="unclosed"),
    pytest.param("Use tags:\n\n```xml\n<think>\nx\n</think>\n```\n", id="inside-fence"),
    pytest.param("Wrap it as `<think>` ... `</think>` in your prompt.", id="inline-mention"),
    pytest.param("Reply:\n```\n</think>\n```\nAfter.", id="lone-closer-in-fence"),
    pytest.param("<think>\nall reasoning, no answer\n</think>\n", id="would-empty-the-reply"),
    pytest.param("Plain reply with no tags.\n", id="no-tags"),
]


@pytest.mark.parametrize(("before", "after"), THINK_FIXES)
def test_think_fixes(before: str, after: str) -> None:
    assert think(before) == after


@pytest.mark.parametrize("text", THINK_NOOP)
def test_think_noop(text: str) -> None:
    assert think(text) == text


def test_think_follows_the_setting() -> None:
    text = "<think>\nx\n</think>\nAnswer."
    assert apply_text_rules(text, Settings(level="standard")) == (text, [])
    assert apply_text_rules(text, Settings(level="standard", think="strip")) == (
        "Answer.",
        ["think"],
    )
    assert apply_text_rules(text, Settings(level="aggressive", think="keep"))[1] == []


# ---------------------------------------------------------------------------- filler-prose

FILLER_FIXES = [
    pytest.param(
        f"Sure! Here's the code:\n\n{FENCE}\n\nI hope this helps!\n", f"{FENCE}\n", id="both-ends"
    ),
    pytest.param(
        f"Certainly! Below is a function `f` that returns one:\n\n{FENCE}\n",
        f"Below is a function `f` that returns one:\n\n{FENCE}\n",
        id="interjection-only",
    ),
    pytest.param(
        f"Sure, I can help with that. Here is a script that saves JSON:\n\n{FENCE}",
        f"Here is a script that saves JSON:\n\n{FENCE}",
        id="offer-of-help",
    ),
    pytest.param(
        f"Here is a simple Python function that does that:\n{FENCE}",
        FENCE,
        id="lead-in-that-does-that",
    ),
    pytest.param(
        f"{FENCE}\n\nIt is O(n). Let me know if you need anything else! 😊\n",
        f"{FENCE}\n\nIt is O(n).\n",
        id="closer-sentence-with-emoji",
    ),
    pytest.param(
        f"{FENCE}\nIf you have further questions or need changes, feel free to ask!",
        FENCE,
        id="if-you-feel-free",
    ),
    pytest.param(
        f"{FENCE}\n\nHappy coding! Is there anything else I can help you with?\n",
        f"{FENCE}\n",
        id="sign-offs",
    ),
    pytest.param(
        "Of course! The capital of Spain is Madrid.",
        "The capital of Spain is Madrid.",
        id="no-code",
    ),
    pytest.param("Sure, here's the corrected code:\n\n" + FENCE, FENCE, id="sure-comma-lead-in"),
]

FILLER_NOOP = [
    pytest.param(
        f"Here's a function that uses binary search to find the index:\n\n{FENCE}\n",
        id="lead-in-with-content",
    ),
    pytest.param(
        f"Sure, here is a Python function that calculates the factorial:\n\n{FENCE}\n",
        id="sure-comma-with-content",
    ),
    pytest.param(f"{FENCE}\n\n- I hope this helps!\n", id="list-item"),
    pytest.param(f"{FENCE}\n\n**Note:** I hope this helps!\n", id="not-plain-prose"),
    pytest.param(
        f"Intro.\n\nSure!\n\n{FENCE}\n\nI hope this helps!\n\nOne more point.\n",
        id="not-first-or-last-paragraph",
    ),
    pytest.param(
        f"{FENCE}\n\nIf you need case-insensitive matching, lower both strings.\n",
        id="conditional-advice",
    ),
    pytest.param(
        f"{FENCE}\n\nI hope this helps! The function runs in O(n).\n", id="closer-not-at-end"
    ),
    pytest.param("```\nSure!\n```\n", id="inside-fence"),
    pytest.param("Certainly!", id="would-empty-the-reply"),
    pytest.param(
        f"Sure, I'd be happy to help you build a game with sprites.\n\n{FENCE}",
        id="help-with-object",
    ),
]


@pytest.mark.parametrize(("before", "after"), FILLER_FIXES)
def test_filler_prose_fixes(before: str, after: str) -> None:
    assert filler(before) == after


@pytest.mark.parametrize("text", FILLER_NOOP)
def test_filler_prose_noop(text: str) -> None:
    assert filler(text) == text


# ------------------------------------------------------------------------------ properties

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


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(replies())
def test_filler_prose_only_deletes_filler_and_keeps_fences(reply: tuple[str, list[str]]) -> None:
    text, content = reply
    out = filler(text)
    assert [b.code for b in find_code_blocks(out)] == [b.code for b in find_code_blocks(text)]
    assert only_deletions(text, out)
    for sentence in content:
        assert sentence in out


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(replies(), st.sampled_from(["<think>\nplan\n</think>\n\n", "plan\n</think>\n\n", ""]))
def test_think_removes_only_the_reasoning(reply: tuple[str, list[str]], reasoning: str) -> None:
    text = reply[0].lstrip()
    assert think(reasoning + text) == text


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(st.text())
def test_text_rules_never_raise_and_are_idempotent(text: str) -> None:
    out, _ = apply_text_rules(text, AGGRESSIVE)
    assert apply_text_rules(out, AGGRESSIVE)[0] == out
