"""``removed-prose``: a sentence about comments, docstrings or example usage goes only when
tokentrim really removes them; every other byte stays."""

from __future__ import annotations

import pytest
from rule_harness import assert_text_fixes, assert_text_noop, fix_text

from tokentrim import trim

RULE = "removed-prose"
COMMENTED = "```python\ndef add(a, b):\n    # Add the numbers\n    return a + b\n```\n"
PLAIN = "```python\ndef add(a, b):\n    return a + b\n```\n"
DOCUMENTED = '```python\ndef add(a, b):\n    """Add a and b."""\n    return a + b\n```\n'
DEMO = (
    "```python\ndef add(a, b):\n    return a + b\n\n\n"
    'if __name__ == "__main__":\n    print(add(1, 2))\n```\n'
)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            f"{COMMENTED}\nI've added comments to explain each step. It returns the sum.\n",
            f"{COMMENTED}\nIt returns the sum.\n",
            id="added-comments",
        ),
        pytest.param(
            f"Here it is:\n\n{COMMENTED}\nThe code is well-commented to explain each step.\n",
            f"Here it is:\n\n{COMMENTED}",
            id="whole-paragraph",
        ),
        pytest.param(
            f"{COMMENTED}\nIt is O(n). I have also added detailed inline comments for clarity.\n",
            f"{COMMENTED}\nIt is O(n).\n",
            id="last-sentence",
        ),
    ],
)
def test_removed_prose_fixes(before: str, after: str) -> None:
    assert_text_fixes(RULE, before, after)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            f"{PLAIN}\nI've added comments to explain each step.\n", id="no-comment-in-code"
        ),
        pytest.param(
            f"{COMMENTED}\nComment your code to help reviewers.\n", id="advice-not-description"
        ),
        pytest.param(
            f"{DOCUMENTED}\nThe docstring explains the arguments.\n", id="docstring-kept-by-default"
        ),
        pytest.param(f"{DEMO}\nExample usage is included at the bottom.\n", id="demo-code-off"),
        pytest.param(f"- I've added comments to explain each step.\n\n{COMMENTED}", id="list-item"),
        pytest.param(
            f"{COMMENTED}\nI've added comments and type hints.\n", id="and-something-kept"
        ),
    ],
)
def test_removed_prose_noop(text: str) -> None:
    assert_text_noop(RULE, text)


def test_comments_kept_keeps_the_sentence() -> None:
    text = f"{COMMENTED}\nI've added comments to explain each step.\n"
    assert fix_text(RULE, text, comments="keep") == text


def test_docstring_sentence_goes_when_docstrings_are_stripped() -> None:
    text = f"{DOCUMENTED}\nThe docstring explains the arguments. It adds.\n"
    assert fix_text(RULE, text, docstrings="strip") == f"{DOCUMENTED}\nIt adds.\n"


def test_example_sentence_goes_only_when_demo_code_drops_the_example() -> None:
    text = f"{DEMO}\nExample usage is included at the bottom.\n"
    result = trim(text, level="aggressive")
    assert "__main__" not in result.text and "Example usage" not in result.text
    assert "removed-prose" in result.rules
    # A __main__ block that reads argv is the script's interface: kept, and so is the sentence.
    script = text.replace("print(add(1, 2))", "import sys\n    print(add(*map(int, sys.argv[1:])))")
    kept = trim(script, level="aggressive")
    assert "__main__" in kept.text and "Example usage is included" in kept.text


def test_prose_is_byte_identical_at_standard() -> None:
    text = f"{COMMENTED}\nI've added comments to explain each step.\n"
    assert "I've added comments" in trim(text, level="standard").text
