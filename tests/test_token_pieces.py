"""Counting a reply piece by piece (tokens.count_joined) gives the count of the whole, exactly.

trim() counts the reply before and after, and each block, from pieces cut after a line break
where the next character is neither whitespace nor "/": tiktoken's pre-tokenizer cuts there
anyway. Checked here against one encode of the whole on texts dense in what could break the
rule (whitespace of every kind around line breaks, slashes, special-token text, digits, letters
of other scripts, lone surrogates), and through trim() on every reply of corpora/ and the dev set.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from tokentrim import trim
from tokentrim.tokens import count_joined, count_with, encoding_for

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpus" / "real-replies-dev.jsonl"
ENCODING, _ = encoding_for(None)

ATOMS = [
    "\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "\t",
    "\u00a0",
    "\u2028",
    "\x1c",
    "\x0b",
    "\f",
    "\u3000",
    "/",
    "//",
    "#",
    "```",
    "~~~",
    "```python",
    "x",
    "def",
    " f",
    "(",
    ")",
    "'s",
    "'ll",
    "123",
    "4567",
    "é",
    "日本",
    "<|endoftext|>",
    "<|fim_prefix|>",
    "\ud800",
    "!",
    "...",
    "-",
    "*",
    "\\",
]


@st.composite
def pieces(draw: st.DrawFn) -> list[str]:
    words = st.lists(st.sampled_from(ATOMS), max_size=8).map("".join)
    return draw(st.lists(words, max_size=8))


@settings(max_examples=examples(600))
@given(pieces())
def test_pieces_count_as_the_whole(parts: list[str]) -> None:
    known: dict[str, int] = {}
    assert count_joined(ENCODING, parts, known) == count_with(ENCODING, "".join(parts))
    # Counted again with what the first call learnt: the same.
    assert count_joined(ENCODING, parts, known) == count_with(ENCODING, "".join(parts))


def test_a_cut_the_pre_tokenizer_makes_is_counted_apart() -> None:
    """Not vacuous: clean joints are counted run by run, others together."""
    known: dict[str, int] = {}
    count_joined(ENCODING, ["Some prose:\n", "x = 1\n", "```\n", " indented\n", "/path\n"], known)
    assert "x = 1\n" in known and "```\n" not in known  # " indented" and "/path" join their left
    assert "```\n indented\n/path\n" in known


def test_an_unknown_pattern_counts_the_whole() -> None:
    class Other:
        _pat_str = "something else"

        def encode(self, text: str, disallowed_special: tuple[()] = ()) -> list[int]:
            return ENCODING.encode(text, disallowed_special=disallowed_special)

    known: dict[str, int] = {}
    other: Any = Other()
    assert count_joined(other, ["a\n", "b\n"], known) == count_with(ENCODING, "a\nb\n")
    assert list(known) == ["a\nb\n"]


def _replies() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpora").glob("*.md"))]
    if DEV.is_file():
        with DEV.open(encoding="utf-8") as lines:
            texts += [json.loads(line)["response"] for line in lines if line.strip()]
    return texts


def test_trim_counts_are_those_of_the_whole_texts() -> None:
    texts = _replies()
    texts += [
        "Code:\n```python\n  x = 1  # indented start\n```\n",
        "> ```python\n> x = 1  # quoted\n> ```\n",
        "1. item\n   ```python\n   x = 1  # in a list\n   ```\n",
        "```python\nx = 1  # unclosed",
        "```python\n/x\n```\n",
        "<think>first this</think>\nCode:\n```python\nx = 1  # after a text rule\n```\n",
    ]
    for level in ("standard", "aggressive"):
        for prose in ("keep", "drop"):
            for text in texts[:: 1 if level == "standard" and prose == "keep" else 4]:
                result = trim(text, level=level, prose=prose)
                assert result.tokens_before == count_with(ENCODING, result.original)
                assert result.tokens_after == count_with(ENCODING, result.text)
    # Each block's own counts: its code, before and after, counted alone.
    from tokentrim.fences import find_code_blocks

    compared = 0
    for text in texts[:60]:
        result = trim(text)
        codes = [block.code for block in find_code_blocks(text)]
        if len(codes) == len(result.blocks):
            for block, code in zip(result.blocks, codes, strict=True):
                assert block.tokens_before == count_with(ENCODING, code)
                compared += 1
    assert compared > 40  # not vacuous: most replies' blocks are compared


def test_str_isspace_covers_the_pattern_whitespace() -> None:
    """The joint check reads ``str.isspace``; it must be true of every character ``\\s`` matches."""
    import regex

    space = regex.compile(r"\s")
    missed = [
        hex(point)
        for point in range(0x110000)
        if not 0xD800 <= point < 0xE000 and space.match(chr(point)) and not chr(point).isspace()
    ]
    assert missed == []


def test_counts_after_a_text_rule_rewrote_the_reply() -> None:
    text = "<think>first this</think>\nCode:\n```python\nx = 1  # after a text rule\n```\n"
    result = trim(text, level="aggressive")
    assert "think" in result.rules  # the text rule fired: the split text is not the reply
    assert result.tokens_before == count_with(ENCODING, text)
    assert result.tokens_after == count_with(ENCODING, result.text)
