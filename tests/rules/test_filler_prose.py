"""``filler-prose``: greetings, lead-ins and sign-offs go; content and fences stay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from rule_harness import assert_text_fixes, assert_text_noop, fix_text
from sample_replies import FENCE, only_deletions, replies

from tokentrim.fences import find_code_blocks

RULE = "filler-prose"


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
    assert_text_fixes(RULE, before, after)


@pytest.mark.parametrize("text", FILLER_NOOP)
def test_filler_prose_noop(text: str) -> None:
    assert_text_noop(RULE, text)


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(replies())
def test_filler_prose_only_deletes_filler_and_keeps_fences(reply: tuple[str, list[str]]) -> None:
    text, content = reply
    out = fix_text(RULE, text)
    assert fix_text(RULE, out) == out, "second run changed the text"
    assert [b.code for b in find_code_blocks(out)] == [b.code for b in find_code_blocks(text)]
    assert only_deletions(text, out)
    for sentence in content:
        assert sentence in out
