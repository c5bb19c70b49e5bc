"""Properties of tokentrim.fences, with markdown-it-py as the oracle for where fences are.

Runs with fixed seeds (derandomized) in a few seconds; TOKENTRIM_FUZZ=1 runs random seeds with
30 times the examples (the project's Hypothesis profile, tests/conftest.py).
"""

from __future__ import annotations

import bisect
import re

import pytest
from conftest import examples as example_count
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tokentrim.fences import (
    CodeBlock,
    CodeEvent,
    IncrementalScanner,
    ProseEvent,
    can_render,
    find_code_blocks,
    join,
    render_block,
    split,
)

markdown_it = pytest.importorskip("markdown_it")

MARKDOWN = markdown_it.MarkdownIt("commonmark")
EOL = re.compile(r"\r\n|\r|\n")


def examples(quick: int) -> settings:
    return settings(max_examples=example_count(quick))


# --------------------------------------------------------------------------------------------
# Oracle comparison


def oracle_fences(text: str) -> list[tuple[str, str, tuple[int, int]]]:
    """(info, content, line range) of every fence token markdown-it finds."""
    try:
        tokens = MARKDOWN.parse(text)
    except IndexError:  # markdown-it-py crashes on a few inputs; those say nothing about us
        assume(False)
        raise
    return [(t.info.strip(" \t"), t.content, tuple(t.map)) for t in tokens if t.type == "fence"]


def our_fences(text: str) -> list[tuple[str, str, tuple[int, int]]]:
    starts = [0] + [m.end() for m in EOL.finditer(text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset) - 1

    # markdown-it replaces NUL by U+FFFD before parsing; we keep the text as it is.
    return [
        (
            b.info.replace("\0", "\ufffd"),
            b.code.replace("\0", "\ufffd"),
            (line_of(b.start), line_of(b.end - 1) + 1),
        )
        for b in find_code_blocks(text)
    ]


def assert_agrees_with_oracle(text: str) -> None:
    assert our_fences(text) == oracle_fences(text)


# --------------------------------------------------------------------------------------------
# A generator of markdown that is hard on fences: every container, indentation 0-5 with tabs,
# wrong indentation under list items, lazy quote lines, unclosed fences, CR/CRLF endings.

INDENTS = st.sampled_from(["", "", "", " ", "  ", "   ", "    ", "     ", "\t", " \t"])
WORDS = st.sampled_from(
    [
        "foo",
        "bar baz",
        "`code`",
        "a```b",
        "~",
        "*emph*",
        "#5",
        "1. x",
        "2) y",
        "- z",
        "<div>",
        "<span>",
        "</div>",
        "<!-- c",
        "-->",
        "[a]: /url",
        "[b]: <x> 'title'",
        "***",
        "===",
        "---",
        "> q",
        "\tt",
        "```",
        "~~~",
        "    ```",
        "x\0y",
    ]
)
CONTENT = st.one_of(
    st.sampled_from(
        [
            "x = 1",
            "",
            "",
            "  indented",
            "    four",
            "\ttab",
            " \tmixed",
            "```",
            "~~~",
            "````",
            "  ```",
            "    ```",
            "```py",
            "~~~ ~",
            "> quoted",
            "- item",
            "1. item",
            "</div>",
            "  ",
            "\t",
        ]
    ),
    st.text(alphabet=" \t`~>-*#<a1.", max_size=8),
)
INFOS = st.sampled_from(
    ["", "python", " py ", "{.python .numberLines}", "js x=1", "a`b", "~~", "\tpython\t", "py3"]
)


@st.composite
def fence_lines(draw: st.DrawFn) -> list[str]:
    char = draw(st.sampled_from("`~"))
    size = draw(st.integers(3, 5))
    indent = draw(INDENTS)
    lines = [indent + char * size + draw(INFOS)]
    lines += draw(st.lists(CONTENT, max_size=4))
    closing = draw(
        st.sampled_from(["same", "same", "longer", "shorter", "none", "other", "trailing"])
    )
    close_indent = draw(INDENTS)
    if closing == "same":
        lines.append(close_indent + char * size)
    elif closing == "longer":
        lines.append(close_indent + char * (size + 1))
    elif closing == "shorter":
        lines.append(close_indent + char * (size - 1))
    elif closing == "other":
        lines.append(close_indent + ("~" if char == "`" else "`") * size)
    elif closing == "trailing":
        lines.append(close_indent + char * size + draw(st.sampled_from([" ", "\t", " x"])))
    return lines


@st.composite
def leaf_lines(draw: st.DrawFn) -> list[str]:
    kind = draw(
        st.sampled_from(
            ["fence", "fence", "fence", "para", "para", "blank", "code", "heading", "html", "hr"]
        )
    )
    if kind == "fence":
        return draw(fence_lines())
    if kind == "para":
        return [draw(INDENTS) + draw(WORDS) for _ in range(draw(st.integers(1, 3)))]
    if kind == "blank":
        return [draw(st.sampled_from(["", "", " ", "\t"]))]
    if kind == "code":
        return ["    " + draw(WORDS), draw(st.sampled_from(["", "    more", "\tmore"]))]
    if kind == "heading":
        return [
            draw(st.sampled_from(["# Title", "Title", "## x ##"])),
            "===" if draw(st.booleans()) else "---",
        ]
    if kind == "html":
        return [
            draw(st.sampled_from(["<div>", "<pre>", "<!--", "<custom-tag>"])),
            draw(WORDS),
            draw(st.sampled_from(["", "</pre>", "-->", "</div>"])),
        ]
    return [draw(st.sampled_from(["***", "- - -", "___"]))]


@st.composite
def quote_lines(draw: st.DrawFn, depth: int) -> list[str]:
    marker = draw(st.sampled_from([">", "> ", "> ", " > ", ">  ", ">\t"]))
    out = []
    for line in draw(blocks(depth + 1)):
        lazy = draw(st.integers(0, 9)) == 0
        out.append(line if lazy else marker + line)
    return out


@st.composite
def item_lines(draw: st.DrawFn, depth: int) -> list[str]:
    marker = draw(st.sampled_from(["-", "-", "*", "+", "1.", "1.", "2)", "10."]))
    gap = draw(st.sampled_from([" ", " ", "  ", "   ", "     ", "\t", ""]))
    inner = draw(blocks(depth + 1))
    width = len(marker) + max(1, len(gap.expandtabs(4)) if gap != "\t" else 4 - len(marker) % 4)
    if gap == "" or width - len(marker) > 4:
        width = len(marker) + 1
    first = marker + (gap + inner[0] if gap else "")
    rest = inner[1:] if gap else inner
    out = [first]
    for line in rest:
        shift = draw(st.sampled_from([0, 0, 0, 0, -1, 1, -width]))
        out.append(" " * max(0, width + shift) + line if line.strip() else line)
    return out


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["leaf", "leaf", "quote", "item"] if depth < 3 else ["leaf"]))
        if kind == "quote":
            lines += draw(quote_lines(depth))
        elif kind == "item":
            lines += draw(item_lines(depth))
        else:
            lines += draw(leaf_lines())
    return lines


@st.composite
def markdown_texts(draw: st.DrawFn) -> str:
    lines = draw(blocks())
    eol = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    mixed = draw(st.booleans())
    text = ""
    for line in lines:
        text += line + (draw(st.sampled_from(["\n", "\r\n", "\r"])) if mixed else eol)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


SOUP = st.lists(
    st.sampled_from(
        [
            " ",
            "  ",
            "    ",
            "\t",
            ">",
            "> ",
            "- ",
            "-",
            "* ",
            "1. ",
            "2) ",
            "`",
            "```",
            "````",
            "~~~",
            "<div>",
            "<!--",
            "-->",
            "# ",
            "a",
            "b c",
            "===",
            "---",
            "\n",
            "\n",
            "\n",
            "\r\n",
            "\r",
        ]
    ),
    max_size=40,
).map("".join)


# --------------------------------------------------------------------------------------------
# 1. Oracle agreement


@examples(400)
@given(markdown_texts())
def test_agrees_with_markdown_it_on_generated_markdown(text: str) -> None:
    assert_agrees_with_oracle(text)


@examples(400)
@given(SOUP)
def test_agrees_with_markdown_it_on_symbol_soup(text: str) -> None:
    assert_agrees_with_oracle(text)


# --------------------------------------------------------------------------------------------
# 3. Lossless


@examples(300)
@given(st.text())
def test_split_join_round_trips_any_text(text: str) -> None:
    assert join(split(text)) == text


@examples(300)
@given(st.one_of(markdown_texts(), SOUP))
def test_split_join_and_render_round_trip_markdown(text: str) -> None:
    segments = split(text)
    assert join(segments) == text
    assert all(s for s in segments if isinstance(s, str))
    for block in find_code_blocks(text):
        assert text[block.start : block.end] == block.text
        assert render_block(block, block.code) == block.text
        assert join([(block, block.code)]) == block.text


NEW_LINES = st.lists(
    st.sampled_from(["y = 2", "", "  deep", "\tt", "# c", "> q", "- i", "```x", "    ```", " ~"]),
    max_size=4,
)


@examples(300)
@given(markdown_texts(), st.data())
def test_rendered_code_parses_back(text: str, data: st.DataObject) -> None:
    blocks = find_code_blocks(text)
    assume(blocks)
    index = data.draw(st.integers(0, len(blocks) - 1))
    block = blocks[index]
    new_code = "".join(line + "\n" for line in data.draw(NEW_LINES))
    assume(can_render(block, new_code))
    segments = [
        (s, new_code) if isinstance(s, CodeBlock) and s.start == block.start else s
        for s in split(text)
    ]
    rendered = join(segments)
    after = find_code_blocks(rendered)
    assert [(b.info, b.start) for b in after[:index]] == [(b.info, b.start) for b in blocks[:index]]
    assert len(after) == len(blocks)
    assert after[index].code == new_code
    assert after[index].info == block.info
    assert [b.code for b in after[index + 1 :]] == [b.code for b in blocks[index + 1 :]]
    assert_agrees_with_oracle(rendered)


# --------------------------------------------------------------------------------------------
# 4. Incremental == batch


def scan_in_chunks(chunks: list[str]) -> list[ProseEvent | CodeEvent]:
    scanner = IncrementalScanner()
    events = []
    for chunk in chunks:
        events += scanner.feed(chunk)
    return events + scanner.close()


def assert_incremental_matches(text: str, chunks: list[str]) -> None:
    events = scan_in_chunks(chunks)
    assert "".join(e.raw for e in events) == text
    assert [e.block for e in events if isinstance(e, CodeEvent)] == find_code_blocks(text)
    for event in events:
        if isinstance(event, CodeEvent):
            assert event.raw == event.block.text
        else:
            assert event.text


@st.composite
def chunked(draw: st.DrawFn, texts: st.SearchStrategy[str]) -> tuple[str, list[str]]:
    text = draw(texts)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=12))))
    bounds = [0, *cuts, len(text)]
    return text, [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


@examples(300)
@given(chunked(st.one_of(markdown_texts(), SOUP, st.text(max_size=30))))
def test_incremental_equals_batch_for_any_chunking(case: tuple[str, list[str]]) -> None:
    text, chunks = case
    assert_incremental_matches(text, chunks)


@examples(150)
@given(st.one_of(markdown_texts(), SOUP))
def test_incremental_equals_batch_one_char_at_a_time(text: str) -> None:
    assert_incremental_matches(text, list(text))


@examples(150)
@given(st.one_of(markdown_texts(), SOUP))
def test_incremental_releases_complete_prose_lines_at_once(text: str) -> None:
    """After each complete line, everything not in a still open block has been released."""
    scanner = IncrementalScanner()
    released = 0
    lines = EOL.split(text)
    pieces = [m.group() for m in EOL.finditer(text)]
    blocks = find_code_blocks(text)
    position = 0
    for line, eol in zip(lines, pieces, strict=False):
        events = scanner.feed(line + eol)
        released += sum(len(e.raw) for e in events)
        position += len(line) + len(eol)
        # An unclosed block ending here is not known to be over until the next line comes.
        held = any(
            b.start < position < b.end or (b.end == position and not b.closed) for b in blocks
        )
        if eol != "\r" and not held:
            assert released == position


def test_block_is_a_code_block() -> None:
    assert isinstance(find_code_blocks("```\nx\n```\n")[0], CodeBlock)
