"""Unit tests for tokentrim.fences; markdown-it-py is the judge wherever CommonMark decides."""

from __future__ import annotations

import bisect
import re

import pytest

import tokentrim.fences as fences
from tokentrim.fences import (
    CodeBlock,
    CodeEvent,
    IncrementalScanner,
    ProseEvent,
    can_render,
    find_code_blocks,
    join,
    normalize_lang,
    render_block,
    split,
)

markdown_it = pytest.importorskip("markdown_it")
MARKDOWN = markdown_it.MarkdownIt("commonmark")
EOL = re.compile(r"\r\n|\r|\n")


def oracle_fences(text: str) -> list[tuple[str, str, tuple[int, int]]]:
    tokens = MARKDOWN.parse(text)
    return [(t.info.strip(" \t"), t.content, tuple(t.map)) for t in tokens if t.type == "fence"]


def our_fences(text: str) -> list[tuple[str, str, tuple[int, int]]]:
    starts = [0] + [m.end() for m in EOL.finditer(text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    return [
        (b.info, b.code, (line_of(b.start), line_of(b.end - 1) + 1)) for b in find_code_blocks(text)
    ]


def only_block(text: str) -> CodeBlock:
    (block,) = find_code_blocks(text)
    return block


# --------------------------------------------------------------------------------------------
# CommonMark 0.31.2, section 4.5 "Fenced code blocks", examples 119-147.

SPEC_FENCED_CODE = {
    119: "```\n<\n >\n```\n",
    120: "~~~\n<\n >\n~~~\n",
    121: "``\nfoo\n``\n",
    122: "```\naaa\n~~~\n```\n",
    123: "~~~\naaa\n```\n~~~\n",
    124: "````\naaa\n```\n``````\n",
    125: "~~~~\naaa\n~~~\n~~~~\n",
    126: "```\n",
    127: "`````\n\n```\naaa\n",
    128: "> ```\n> aaa\n\nbbb\n",
    129: "```\n\n  \n```\n",
    130: "```\n```\n",
    131: " ```\n aaa\naaa\n```\n",
    132: "  ```\naaa\n  aaa\naaa\n  ```\n",
    133: "   ```\n   aaa\n    aaa\n  aaa\n   ```\n",
    134: "    ```\n    aaa\n    ```\n",
    135: "```\naaa\n  ```\n",
    136: "   ```\naaa\n  ```\n",
    137: "```\naaa\n    ```\n",
    138: "``` ```\naaa\n",
    139: "~~~~~~\naaa\n~~~ ~~\n",
    140: "foo\n```\nbar\n```\nbaz\n",
    141: "foo\n---\n~~~\nbar\n~~~\n# baz\n",
    142: "```ruby\ndef foo(x)\n  return 3\nend\n```\n",
    143: "~~~~    ruby startline=3 $%@#$\ndef foo(x)\n  return 3\nend\n~~~~~~~\n",
    144: "````;\n````\n",
    145: "``` aa ```\nfoo\n",
    146: "~~~ aa ``` ~~~\nfoo\n~~~\n",
    147: "```\n``` aaa\n```\n",
}

# Spec examples from other sections where a fence meets tabs, lists, quotes or HTML blocks.
SPEC_CONTAINERS = {
    "tabs-9": " - foo\n   - bar\n\t - baz\n",
    "html-block-fence-inside": "<div>\n```\nx\n```\n</div>\n",
    "html-comment-then-fence": "<!-- a -->\n```\nx\n```\n",
    "indented-code-then-fence": "    code\n```\nx\n```\n",
    "quote-lazy-paragraph": "> foo\nbar\n```\nx\n```\n",
    "quote-unclosed-ends-with-quote": "> ```\n> aaa\nbbb\n```\n",
    "list-item-fence": "- ```\n  a\n\n\n  b\n  ```\n",
    "list-item-two-items": "1. ```\n   a\n   ```\n2. ```\n   b\n",
    "list-item-outdented-content": "- ```\n a\n```\n",
    "list-item-blank-start": "-\n  ```\n  a\n  ```\n",
    "list-item-blank-start-twice": "-\n\n  ```\n  a\n  ```\n",
    "list-item-indented-code-start": "-     ```\n  ```\n",
    "list-in-quote": "> 1. ```py\n>    x = 1\n>    ```\n",
    "quote-in-list": "- > ```\n  > a\n  > ```\n",
    "quote-in-list-lazy": "- > ```\n> a\n",
    "nested-lists": "- a\n  - ```\n    x\n    ```\n",
    "ordered-cannot-interrupt": "para\n2. ```\nx\n```\n",
    "empty-item-cannot-interrupt": "para\n-\n```\nx\n```\n",
    "setext-not-fence": "Title\n===\n```\nx\n```\n",
    "tab-after-marker": "-\t```\n\tx\n\t```\n",
    "tab-after-quote": ">\t```\n>\t\tx\n>\t```\n",
    "four-space-quote-continuation": "> ```\n    > code\n> ```\n",
    "deep-lazy-list": "1.   a\n    ```\n     x\n     ```\n",
    "quote-eof-bare-marker": ">~~~\n>",
    "whitespace-only-last-line": "```\nfoo\n   ",
    "blank-line-in-list-fence": "- ```\n      \n  ```",
    "nesting-19-quotes": "> " * 19 + "```\nx\n",
    "nesting-20-quotes-dropped": "> " * 20 + "```\nx\n",
    "nesting-10-lists-dropped": "- " * 10 + "a\n```\nz\n",
    "nesting-9-lists": "- " * 9 + "a\n" + " " * 18 + "```\n" + " " * 18 + "b\n",
}


@pytest.mark.parametrize("number", sorted(SPEC_FENCED_CODE))
def test_spec_fenced_code_block_examples(number: int) -> None:
    text = SPEC_FENCED_CODE[number]
    assert our_fences(text) == oracle_fences(text)


@pytest.mark.parametrize("name", sorted(SPEC_CONTAINERS))
def test_fences_in_containers_agree_with_markdown_it(name: str) -> None:
    text = SPEC_CONTAINERS[name]
    assert our_fences(text) == oracle_fences(text)
    for ending in ("\r\n", "\r"):
        converted = text.replace("\n", ending)
        assert our_fences(converted) == oracle_fences(converted)


def test_spec_examples_cover_the_expected_shapes() -> None:
    assert [only_block(SPEC_FENCED_CODE[n]).code for n in (119, 122, 124)] == [
        "<\n >\n",
        "aaa\n~~~\n",
        "aaa\n```\n",
    ]
    assert find_code_blocks(SPEC_FENCED_CODE[121]) == []
    assert find_code_blocks(SPEC_FENCED_CODE[134]) == []
    assert find_code_blocks(SPEC_FENCED_CODE[138]) == []
    assert only_block(SPEC_FENCED_CODE[143]).info == "ruby startline=3 $%@#$"
    assert only_block(SPEC_FENCED_CODE[146]).info == "aa ``` ~~~"


# --------------------------------------------------------------------------------------------
# Unit cases


def test_crlf_is_normalised_in_code_and_kept_in_text() -> None:
    text = "Intro\r\n```py\r\nx = 1\r\ny = 2\r\n```\r\nOutro\r\n"
    block = only_block(text)
    assert block.code == "x = 1\ny = 2\n"
    assert block.line_ending == "\r\n"
    assert block.closed
    assert text[block.start : block.end] == "```py\r\nx = 1\r\ny = 2\r\n```\r\n"
    rendered = join([(s, "a = 3\n\nb\n") if isinstance(s, CodeBlock) else s for s in split(text)])
    assert rendered == "Intro\r\n```py\r\na = 3\r\n\r\nb\r\n```\r\nOutro\r\n"


def test_lone_cr_line_endings() -> None:
    block = only_block("```\rx\r```\rafter")
    assert (block.code, block.closed, block.end) == ("x\n", True, 10)


def test_tabs_count_to_the_next_multiple_of_four() -> None:
    assert find_code_blocks("\t```\nx\n\t```\n") == []  # a tab is 4 columns: indented code
    block = only_block(" ```\n\tx\n ```\n")
    assert block.code == "   x\n"  # one column of the tab removed, the rest kept as spaces
    assert only_block("-\t```\n\tx\n\t```\n").code == "x\n"


def test_trailing_spaces_after_fences() -> None:
    block = only_block("```   python   \nx\n```   \t\n")
    assert (block.info, block.lang, block.code, block.closed) == ("python", "python", "x\n", True)
    assert not only_block("```\nx\n``` x\n").closed  # text after the closing run: content


def test_no_final_newline() -> None:
    text = "```\nx\n```"
    block = only_block(text)
    assert (block.closed, block.end, block.closing_line) == (True, len(text), "```")
    unclosed = only_block("```py\nx")
    assert (unclosed.closed, unclosed.code, unclosed.end) == (False, "x", 7)
    assert render_block(unclosed, "y\n") == "```py\ny\n"


def test_tilde_fence_allows_backticks_in_info() -> None:
    assert only_block("~~~ a`b\nx\n~~~\n").info == "a`b"
    assert find_code_blocks("``` a`b\nx\n```\n")[0].info == ""  # the second ``` opens one


def test_longer_fence_contains_shorter_fence() -> None:
    text = "````md\n```py\nx = 1\n```\n````\n"
    block = only_block(text)
    assert block.code == "```py\nx = 1\n```\n"
    assert (block.fence, block.lang, block.end) == ("````", "md", len(text))


def test_closing_fence_must_be_as_long_and_same_char() -> None:
    assert only_block("~~~~\nx\n~~~\n```\n~~~~~\n").code == "x\n~~~\n```\n"


def test_fence_in_block_quote() -> None:
    text = "Look:\n> ```py\n> x = 1\n>\n> ```\nDone\n"
    block = only_block(text)
    assert (block.code, block.prefix, block.closed) == ("x = 1\n\n", "> ", True)
    assert text[block.start : block.end] == "> ```py\n> x = 1\n>\n> ```\n"


def test_unclosed_fence_ends_with_its_block_quote() -> None:
    text = "> ```\n> a\nb\n```\n"
    first, second = find_code_blocks(text)
    assert (first.code, first.closed, first.end) == ("a\n", False, 10)
    assert (second.start, second.code, second.closed) == (12, "", False)


def test_fence_in_list_item() -> None:
    text = "1. ```py\n   x = 1\n\n   y = 2\n   ```\n2. next\n"
    block = only_block(text)
    assert (block.code, block.prefix, block.indent) == ("x = 1\n\ny = 2\n", "   ", 0)
    assert text[block.start : block.end] == "1. ```py\n   x = 1\n\n   y = 2\n   ```\n"


def test_unclosed_fence_ends_with_its_list_item() -> None:
    block = only_block("- ```\n  a\n\nb\n")
    assert (block.code, block.closed) == ("a\n\n", False)


def test_fence_in_html_block_or_indented_code_is_not_a_fence() -> None:
    assert find_code_blocks("<div>\n```\nx\n```\n</div>\n") == []
    assert find_code_blocks("    ```\n    x\n    ```\n") == []
    assert len(find_code_blocks("<div>\n\n```\nx\n```\n")) == 1  # the blank line ends the HTML


def test_fence_interrupts_a_paragraph() -> None:
    assert only_block("Here it is:\n```py\nx\n```\n").code == "x\n"


def test_render_block_reapplies_quote_and_list_prefixes() -> None:
    quoted = only_block("> ```py\n> x = 1\n> ```\n")
    assert render_block(quoted, "a\n\n  b\n") == "> ```py\n> a\n>\n>   b\n> ```\n"
    listed = only_block("- item\n\n  ```py\n  x = 1\n  ```\n")
    assert render_block(listed, "a\n\nb\n") == "  ```py\n  a\n\n  b\n  ```\n"
    nested = only_block("> 1. ```\n>    x\n>    ```\n")
    assert render_block(nested, "y\n") == "> 1. ```\n>    y\n>    ```\n"
    deep = only_block("- > ```\n  > x\n  > ```\n")
    assert render_block(deep, "y\nz\n") == "- > ```\n  > y\n  > z\n  > ```\n"


def test_render_block_keeps_unchanged_lines_byte_for_byte() -> None:
    block = only_block(">```\n>x = 1\n>   y = 2\n>```\n")
    assert render_block(block, block.code) == block.text
    assert render_block(block, "x = 1\n  y = 2\nz\n") == ">```\n>x = 1\n>   y = 2\n> z\n>```\n"


def test_render_block_rejects_a_line_that_would_close_the_fence() -> None:
    block = only_block("```\nx\n```\n")
    assert not can_render(block, "a\n```\nb\n")
    assert can_render(block, "a\n    ```\n``` not a closing fence\n~~~\n")
    with pytest.raises(ValueError):
        render_block(block, "```\n")


def test_render_block_never_lets_a_cr_run_into_a_following_lf() -> None:
    text = "- x\n\n  ```\r  a = 1\n  >```\nafter\n"
    block = only_block(text)
    assert block.line_ending == "\r" and block.text.endswith("\n")
    rendered = join([(s, "\n") if isinstance(s, CodeBlock) else s for s in split(text)])
    assert rendered == "- x\n\n  ```\r\r\nafter\n"
    assert only_block(rendered).code == "\n"


def test_render_block_without_final_newline() -> None:
    block = only_block("> ```\n> a\n> ```\n")
    assert render_block(block, "b\nc") == "> ```\n> b\n> c\n> ```\n"
    assert render_block(block, "") == "> ```\n> ```\n"


def test_split_and_join() -> None:
    text = "Intro\n```py\nx = 1\n```\nMiddle\n~~~\ny\n~~~\n"
    segments = split(text)
    assert [type(s).__name__ for s in segments] == ["str", "CodeBlock", "str", "CodeBlock"]
    assert join(segments) == text
    assert split("") == [] and join([]) == ""
    replaced = join([(s, "z = 2\n") if isinstance(s, CodeBlock) else s for s in segments])
    assert replaced == "Intro\n```py\nz = 2\n```\nMiddle\n~~~\nz = 2\n~~~\n"


# --------------------------------------------------------------------------------------------
# Incremental scanner


def test_incremental_releases_prose_that_cannot_open_a_fence() -> None:
    scanner = IncrementalScanner()
    assert scanner.feed("Hello wo") == [ProseEvent("Hello wo")]
    assert scanner.feed("rld\n> - ") == [ProseEvent("rld\n")]  # "> - " may still become a fence
    assert scanner.feed("``") == []
    assert scanner.feed("`py\n>   x = 1\n") == []
    events = scanner.feed(">   ```\nbye")
    assert [type(e) for e in events] == [CodeEvent, ProseEvent]
    assert events[0].raw == "> - ```py\n>   x = 1\n>   ```\n"
    assert events[1] == ProseEvent("bye")
    assert scanner.close() == []


def test_incremental_emits_unclosed_block_when_its_container_ends() -> None:
    scanner = IncrementalScanner()
    assert scanner.feed("> ```\n> a\n") == []
    events = scanner.feed("b\n")
    assert [e.raw for e in events] == ["> ```\n> a\n", "b\n"]
    assert scanner.close() == []


def test_incremental_unclosed_block_at_close() -> None:
    scanner = IncrementalScanner()
    assert scanner.feed("```\nx\n  ") == []
    events = scanner.close()
    assert [e.raw for e in events] == ["```\nx\n", "  "]
    assert isinstance(events[0], CodeEvent) and not events[0].block.closed


def test_incremental_handles_crlf_split_between_chunks() -> None:
    text = "a\r\n```\r\nx\r\n```\r\nb\r"
    events: list[ProseEvent | CodeEvent] = []
    scanner = IncrementalScanner()
    for piece in ("a\r", "\n``", "`\r", "\nx\r", "\n```\r", "\nb\r"):
        events += scanner.feed(piece)
    events += scanner.close()
    assert "".join(e.raw for e in events) == text
    assert [e.block for e in events if isinstance(e, CodeEvent)] == find_code_blocks(text)


def test_incremental_is_linear_for_one_character_chunks() -> None:
    # A long undecided line and a long code block, fed one character at a time: quadratic
    # work would take minutes here.
    text = "> " * 50_000 + "x\n```\n" + "y = 1\n" * 20_000 + "```\n"
    scanner = IncrementalScanner()
    raw = []
    for char in text:
        raw += [e.raw for e in scanner.feed(char)]
    raw += [e.raw for e in scanner.close()]
    assert "".join(raw) == text


def test_find_code_blocks_on_megabytes() -> None:
    reply = (
        "Here is the fix:\n\n```python\n"
        + "def f(x):\n    return x + 1\n\n" * 10
        + "```\n\n1. Step one:\n   ```sh\n   pip install x\n   ```\n"
        + "> Note: `f` is pure.\n\nThat is all, it works because of reasons.\n\n"
    )
    text = reply * (5_000_000 // len(reply))
    blocks = find_code_blocks(text)
    assert len(blocks) == 2 * (5_000_000 // len(reply))
    assert blocks[-1].code == "pip install x\n"


# --------------------------------------------------------------------------------------------
# normalize_lang


@pytest.mark.parametrize(
    ("info", "lang"),
    [
        ("python", "python"),
        ("py", "python"),
        ("python3", "python"),
        ("py3", "python"),
        ("PYTHON", "python"),
        ("Python3", "python"),
        ("{.python}", "python"),
        ("{.py .numberLines}", "python"),
        ("{#id .python}", "python"),
        ('python title="x.py"', "python"),
        ("python{1,3}", "python"),
        ("py:example.py", "python"),
        ("pycon", "pycon"),
        ("doctest", "doctest"),
        ("js", "js"),
        ("JavaScript", "javascript"),
        ("ts", "ts"),
        ("go", "go"),
        ("Rust ignore", "rust"),
        ("c++", "c++"),
        ("{=html}", "html"),
        ("", ""),
        ("   ", ""),
        ("{}", ""),
    ],
)
def test_normalize_lang(info: str, lang: str) -> None:
    assert normalize_lang(info) == lang


def test_all_is_sorted_and_exported() -> None:
    assert fences.__all__ == sorted(fences.__all__)
    assert all(hasattr(fences, name) for name in fences.__all__)
