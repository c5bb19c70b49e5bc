"""``think``: reasoning blocks go, mentions and fenced tags stay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rule_harness import assert_text_fixes, assert_text_noop, fix_text
from sample_replies import FENCE, replies

from tokentrim.rules import apply_text_rules
from tokentrim.settings import Settings

RULE = "think"


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
    assert_text_fixes(RULE, before, after)


@pytest.mark.parametrize("text", THINK_NOOP)
def test_think_noop(text: str) -> None:
    assert_text_noop(RULE, text)


def test_think_follows_the_setting() -> None:
    text = "<think>\nx\n</think>\nAnswer."
    assert apply_text_rules(text, Settings(level="standard")) == (text, [])
    assert apply_text_rules(text, Settings(level="standard", think="strip")) == (
        "Answer.",
        ["think"],
    )
    assert apply_text_rules(text, Settings(level="aggressive", think="keep"))[1] == []


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(replies(), st.sampled_from(["<think>\nplan\n</think>\n\n", "plan\n</think>\n\n", ""]))
def test_think_removes_only_the_reasoning(reply: tuple[str, list[str]], reasoning: str) -> None:
    text = reply[0].lstrip()
    out = fix_text(RULE, reasoning + text)
    assert fix_text(RULE, out) == out, "second run changed the text"
    assert out == text
