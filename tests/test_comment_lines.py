"""strip_comment_lines: libcst's statement-level comment stripping, from the tokens alone.

It must give exactly what ``strip_comments(parse_module(code), statements_only=True)`` prints, or
None; the property tests build programs dense in the shapes where libcst's ownership of comment
and blank lines decides the result (footers of blocks a statement dedents out of, blocks that open
with a comment, decorators, ``else``, the module's header), and compare the two.
"""

from __future__ import annotations

import json
import tokenize
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from tokentrim import pyast
from tokentrim.fences import CodeBlock, split
from tokentrim.languages.python.comments import scan_comments, strip_comment_lines, strip_comments

DEV = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real-replies-dev.jsonl"
CORPORA = Path(__file__).resolve().parents[1] / "corpora"


def libcst_strip(code: str, only: frozenset[str] | None = None) -> str:
    return strip_comments(cst.parse_module(code), statements_only=True, only=only).code


def check(code: str, only: frozenset[str] | None = None) -> str | None:
    """strip_comment_lines agrees with libcst wherever it answers; its answer."""
    got = strip_comment_lines(code, only)
    if got is not None:
        assert got == libcst_strip(code, only), code
        # The significant tokens it leaves for the pre-screen are the result's own.
        seeded = pyast.significant_tokens(got)
        fresh = pyast.significant_tokens.__wrapped__(got)
        assert _shapes(seeded) == _shapes(fresh), code
    return got


def _shapes(tokens: tuple[tokenize.TokenInfo, ...] | None) -> list[tuple[object, ...]] | None:
    if tokens is None:
        return None
    return [(t.type, t.string, t.start, t.end) for t in tokens]


@pytest.mark.parametrize(
    "code",
    [
        "x = 1;  # c\ny = 2\n",
        "class A:\n    # c\n\n    @dec\n    def f(): ...\n",
        "@a\n# c\n\n@b\n# d\n\ndef f(): pass\n",
        "if x:\n    y\n    # c\n\n# d\nelse:\n    z\n",
        "x = 1\n\n\n\n# c\n\ny\n",
        "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# hi\n\nx = 1  # c\n",
        "def f():\n    return 1\n\n    # in\n\n\n# out\n\n",
        "def f():\n  if x:\n    y\n    # deep\n  # mid\n\n# top\nz\n",
        "x = 1  # c",
        "def f():  # c\n    x = (1,\n  2)  # d\n    # e\n",
        "x = 1  # type: ignore\n# noqa\ny = 2  # c\n",
        'x = """a\n# not a comment\n"""  # c\n',
        "def f():\n\t# tab\n\n\treturn 1\n",
        "x = 1\n    \n# c\n  \ny\n",
    ],
)
def test_agrees_with_libcst(code: str) -> None:
    assert check(code) is not None


def test_declines_what_it_does_not_model() -> None:
    assert strip_comment_lines("x = [1,  # c\n 2]\n") is None  # inside brackets
    assert strip_comment_lines("# only a comment\n") is None  # no statement
    assert strip_comment_lines("x = 1\f  # c\n") is None  # a form feed
    assert strip_comment_lines("x = (\n") is None  # does not tokenize


def test_only_removes_the_texts_named() -> None:
    code = "# Step 1: add\nx = 1  # why: the API counts from 1\ny = 2  # set y\n"
    got = check(code, frozenset({"# Step 1: add", "# set y"}))
    assert got == "x = 1  # why: the API counts from 1\ny = 2\n"


_NAMES = st.sampled_from(["x", "y", "total", "items"])
_COMMENT = st.sampled_from(
    ["# c", "# Step 1: go", "# noqa", "# type: ignore", "#", "# -*- coding: utf-8 -*-", "#!x"]
)


@st.composite
def _programs(draw: st.DrawFn) -> str:
    unit = draw(st.sampled_from(["    ", "  ", "\t"]))
    out: list[str] = []

    def gap(indent: str) -> None:
        for _ in range(draw(st.integers(0, 3))):
            kind = draw(st.integers(0, 3))
            if kind == 0:
                out.append("\n")
            elif kind == 1:
                out.append(draw(st.sampled_from(["", indent, indent + unit, " ", "\t"])) + "\n")
            else:
                depth = draw(st.sampled_from(["", indent, indent + unit, indent[: len(unit)]]))
                out.append(f"{depth}{draw(_COMMENT)}{draw(st.sampled_from(['', ' ']))}\n")

    def trailing() -> str:
        return draw(st.sampled_from(["", "", f"  {draw(_COMMENT)}", f"\t{draw(_COMMENT)}"]))

    def compound(indent: str, depth: int, header: str, clause: str | None) -> None:
        """A compound statement, and a clause after its body (else, except) with its own."""
        out.append(f"{indent}{header}:{trailing()}\n")
        block(indent + unit, depth + 1)
        if clause is not None:
            gap(indent)
            out.append(f"{indent}{clause}:{trailing()}\n")
            block(indent + unit, depth + 1)

    def block(indent: str, depth: int) -> None:
        for _ in range(draw(st.integers(1, 3))):
            gap(indent)
            name = draw(_NAMES)
            kind = draw(st.integers(0, 9 if depth < 3 else 3))
            if kind <= 1:
                out.append(f"{indent}{name} = 1{trailing()}\n")
            elif kind == 2:
                out.append(f"{indent}{name} = 1;{trailing()}\n")
            elif kind == 3:
                out.append(f"{indent}{name} = (\n{indent}{unit}1,\n{indent}){trailing()}\n")
            elif kind == 4:
                out.append(f'{indent}{name} = """\n# text\n"""{trailing()}\n')
            elif kind in (5, 6):
                if draw(st.booleans()):
                    out.append(f"{indent}@{name}{trailing()}\n")
                    gap(indent)
                compound(indent, depth, f"def {name}()", None)
            elif kind == 7:
                compound(indent, depth, f"if {name}", "else" if draw(st.booleans()) else None)
            elif kind == 8:
                compound(indent, depth, "try", "except E")
            else:
                out.append(f"{indent}while {name}: pass{trailing()}\n")

    gap("")
    block("", 0)
    gap("")
    text = "".join(out)
    if draw(st.booleans()) and text.endswith("\n"):
        text = text[:-1]
    return text.replace("\n", "\r\n") if draw(st.integers(0, 4)) == 0 else text


@settings(max_examples=examples(400))
@given(_programs(), st.data())
def test_agrees_with_libcst_on_generated_programs(code: str, data: st.DataObject) -> None:
    try:
        cst.parse_module(code)
    except cst.ParserSyntaxError:
        return
    if scan_comments(code) == "brackets":
        return
    check(code)
    texts = sorted({line.strip(" \t") for line in code.splitlines() if "#" in line})
    check(code, frozenset(data.draw(st.lists(st.sampled_from(texts))) if texts else []))


@settings(max_examples=examples(100))
@given(hypothesmith.from_grammar())
def test_agrees_with_libcst_on_hypothesmith_programs(source: str) -> None:
    try:
        cst.parse_module(source)
    except Exception:  # noqa: BLE001 - hypothesmith can produce code libcst rejects
        return
    if scan_comments(source) == "statements":
        check(source)


def _blocks() -> list[str]:
    replies = [p.read_text(encoding="utf-8") for p in sorted(CORPORA.glob("*.md"))]
    if DEV.is_file():
        with DEV.open(encoding="utf-8") as stream:
            replies += [json.loads(line)["response"] for line in stream if line.strip()]
    return [s.code for r in replies for s in split(r) if isinstance(s, CodeBlock)]


def test_agrees_with_libcst_on_every_real_block() -> None:
    answered = 0
    for code in _blocks():
        if scan_comments(code) != "statements":
            continue
        try:
            cst.parse_module(code)
        except cst.ParserSyntaxError:
            continue
        answered += check(code) is not None
    assert answered >= 20
