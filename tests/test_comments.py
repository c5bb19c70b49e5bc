"""Comment stripping: what goes, what stays, and the AST never changes."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import hypothesmith
import libcst as cst
import pytest
from conftest import examples
from hypothesis import given, settings

import tokentrim
from tokentrim.languages.python import narration
from tokentrim.languages.python.comments import has_strippable_comment, strip_comments


def strip(code: str) -> str:
    from tokentrim.languages.python.comments import scan_comments

    full = strip_comments(cst.parse_module(code)).code
    if scan_comments(code) == "statements":
        assert strip_comments(cst.parse_module(code), statements_only=True).code == full
    return full


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param("x = 1  # one\n", "x = 1\n", id="inline-with-spaces"),
        pytest.param("# Step 1: set x\nx = 1\n", "x = 1\n", id="own-line"),
        pytest.param(
            "x = 1\n\n# a\n\n# b\n\ny = 2\n", "x = 1\n\ny = 2\n", id="blank-runs-collapse"
        ),
        pytest.param(
            "x = 1\n\n\n# section\n\n\ndef f(): pass\n",
            "x = 1\n\n\ndef f(): pass\n",
            id="two-blank-lines-kept",
        ),
        pytest.param(
            "def f():\n    # first\n\n    return 1\n",
            "def f():\n    return 1\n",
            id="block-opening-comment",
        ),
        pytest.param(
            "x = [1,  # one\n     # two\n     2]\n", "x = [1,\n     2]\n", id="inside-brackets"
        ),
        pytest.param(
            "if x:\n    pass\n# about else\nelse:\n    pass\n",
            "if x:\n    pass\nelse:\n    pass\n",
            id="before-else",
        ),
        pytest.param("x = 1\n# trailing\n", "x = 1\n", id="module-footer"),
        pytest.param(
            "def f():\n    return 1\n    # dangling\n",
            "def f():\n    return 1\n",
            id="block-footer",
        ),
        pytest.param(
            "@dec\n# between\ndef f(): pass\n", "@dec\ndef f(): pass\n", id="after-decorator"
        ),
        pytest.param(
            's = "# not a comment"  # a comment\n', 's = "# not a comment"\n', id="hash-in-string"
        ),
        pytest.param('f"{x!r}  # no"\n', 'f"{x!r}  # no"\n', id="hash-in-fstring"),
    ],
)
def test_strips(before: str, after: str) -> None:
    assert strip(before) == after


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("import os  # noqa: F401\n", id="noqa"),
        pytest.param("x = []  # type: list[int]\n", id="type"),
        pytest.param("def f():  # pragma: no cover\n    pass\n", id="pragma"),
        pytest.param("# fmt: off\nx = [1,2]\n# fmt: on\n", id="fmt"),
        pytest.param("x = 1  # pylint: disable=invalid-name\n", id="pylint"),
        pytest.param("# mypy: ignore-errors\nx = 1\n", id="mypy"),
        pytest.param("x = 1  # pyright: ignore\n", id="pyright"),
        pytest.param("#!/usr/bin/env python3\nx = 1\n", id="shebang"),
        pytest.param("# -*- coding: utf-8 -*-\nx = 1\n", id="cookie-line-1"),
        pytest.param(
            "#!/usr/bin/env python3\n# vim: set fileencoding=utf-8 :\nx = 1\n", id="cookie-line-2"
        ),
    ],
)
def test_keeps_pragmas_shebang_and_cookie(code: str) -> None:
    assert strip(code) == code
    assert not has_strippable_comment(code)


def test_shebang_only_on_line_one() -> None:
    assert strip("x = 1\n#!/not/a/shebang\n") == "x = 1\n"


def test_cookie_only_on_first_two_lines() -> None:
    assert strip("x = 1\ny = 2\n# coding: utf-8\n") == "x = 1\ny = 2\n"


def test_precheck_finds_comments() -> None:
    assert has_strippable_comment("x = 1  # hi\n")
    assert not has_strippable_comment("x = '#'\n")
    assert not has_strippable_comment("x = 1\n")


@settings(max_examples=examples(150))
@given(hypothesmith.from_grammar())
def test_stripping_keeps_the_ast_on_generated_programs(source: str) -> None:
    try:
        module = cst.parse_module(source)
        expected = ast.dump(ast.parse(source))
    except Exception:  # noqa: BLE001 - hypothesmith can produce code one of the parsers rejects
        return
    stripped = strip_comments(module).code
    assert ast.dump(ast.parse(stripped)) == expected
    again = cst.parse_module(stripped)
    # libcst does not round-trip a last line of only whitespace without a newline; the pipeline's
    # own second-pass net catches that case, so only judge stability where libcst round-trips.
    if again.code == stripped:
        assert strip_comments(again).code == stripped


@settings(max_examples=examples(150))
@given(hypothesmith.from_grammar())
def test_statement_walk_equals_full_pass(source: str) -> None:
    from tokentrim.languages.python.comments import scan_comments

    try:
        module = cst.parse_module(source)
    except Exception:  # noqa: BLE001
        return
    if scan_comments(source) == "statements":
        assert strip_comments(module, statements_only=True).code == strip_comments(module).code


@pytest.mark.parametrize(
    ("code", "where"),
    [
        ("x = 1\n", "none"),
        ("x = 1  # c\n", "statements"),
        ("x = [1,  # c\n 2]\n", "brackets"),
        ("x = 1  # noqa\n", "none"),
    ],
)
def test_scan_comments(code: str, where: str) -> None:
    from tokentrim.languages.python.comments import scan_comments

    assert scan_comments(code) == where


# ------------------------------------------------------------------ comments=narration

# Written for these tests: blocks whose comments are labelled by hand, narration or informative.
LABELLED: list[tuple[str, dict[int, str]]] = [
    (
        "import time\n"
        "\n"
        "# Retry settings\n"
        "RETRIES = 5\n"
        "DELAY = 0.5  # seconds between attempts\n"
        "\n"
        "\n"
        "def fetch(session, url):\n"
        "    # Loop over the attempts\n"
        "    for attempt in range(RETRIES):\n"
        "        # Send the request\n"
        "        response = session.get(url)\n"
        "        # The server answers 503 while it warms up, so wait and try again\n"
        "        if response.status == 503:\n"
        "            time.sleep(DELAY)\n"
        "            continue\n"
        "        return response  # Return the response\n"
        "    # TODO: raise a clearer error once the API documents its codes\n"
        "    return None\n",
        {
            3: "narration",
            5: "informative",
            9: "narration",
            11: "narration",
            13: "informative",
            17: "narration",
            18: "informative",
        },
    ),
    (
        "def mean(values):\n"
        "    # Calculate the sum of the values\n"
        "    total = sum(values)\n"
        "    # Assumes values is not empty: an empty list divides by zero\n"
        "    return total / len(values)\n"
        "\n"
        "\n"
        "# Example usage\n"
        "print(mean([1, 2, 3]))  # Output: 2.0\n"
        "# print(mean([]))\n",
        {2: "narration", 4: "informative", 8: "narration", 9: "narration", 10: "narration"},
    ),
    (
        "# ------------------------------------------------------------\n"
        "# Step 1: read the file\n"
        "# ------------------------------------------------------------\n"
        "def load(path):\n"
        "    # Open the file\n"
        "    with open(path, encoding='utf-8') as handle:\n"
        "        # Read all lines\n"
        "        return handle.read().splitlines()\n"
        "\n"
        "\n"
        "def search(items, target):\n"
        "    # Binary search: O(log n), items must already be sorted\n"
        "    lo, hi = 0, len(items)\n"
        "    while lo < hi:\n"
        "        mid = (lo + hi) // 2  # Find the middle index\n"
        "        if items[mid] < target:\n"
        "            lo = mid + 1\n"
        "        else:\n"
        "            hi = mid\n"
        "    return lo\n",
        {
            1: "narration",
            2: "narration",
            3: "narration",
            5: "narration",
            7: "narration",
            12: "informative",
            15: "narration",
        },
    ),
    (
        "def handler(event):\n"
        "    # Your code here\n"
        "    pass\n"
        "\n"
        "\n"
        "def checksum(data):\n"
        "    # See https://en.wikipedia.org/wiki/Adler-32 for the algorithm\n"
        "    a, b = 1, 0\n"
        "    for byte in data:\n"
        "        # Update both sums\n"
        "        a = (a + byte) % 65521\n"
        "        b = (b + a) % 65521\n"
        "    # NOTE: mod 65521 is the largest prime below 2**16\n"
        "    return (b << 16) | a\n",
        {2: "informative", 7: "informative", 10: "narration", 13: "informative"},
    ),
    (
        "def scale(image, factor):\n"
        "    # We clamp the factor because values above 4 exhaust memory on large images\n"
        "    # and the caller cannot recover from that\n"
        "    factor = min(factor, 4)\n"
        "    # Resize the image\n"
        "    return image.resize(factor)\n",
        {2: "informative", 3: "informative", 5: "narration"},
    ),
]


def _narration_items() -> list[tuple[str, int, str, str]]:
    items = []
    for code, labels in LABELLED:
        lines = code.splitlines()
        for line, label in labels.items():
            comment = lines[line - 1][lines[line - 1].index("#") :]
            items.append((code, line, comment, label))
    return items


def _bench_comments() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_comments.py"
    spec = importlib.util.spec_from_file_location("bench_comments", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_comments", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_narration_on_our_labelled_blocks() -> None:
    scores = _bench_comments().evaluate(_narration_items())
    assert scores.counted == sum(len(labels) for _, labels in LABELLED)
    assert not scores.errors, scores.errors


def test_narration_on_the_dev_labels_stays_above_ninety_percent() -> None:
    bench = _bench_comments()
    labels = bench.SHARED / "comment-labels-dev.jsonl"
    replies = bench.SHARED / "real-replies-dev.jsonl"
    if not (labels.is_file() and replies.is_file()):
        pytest.skip("labelled dev comments not present")
    scores = bench.evaluate(bench.load_labelled(labels, replies))
    assert scores.narration_precision >= 0.90
    assert scores.narration_recall >= 0.90
    assert scores.informative_kept >= 0.90


def test_every_decision_has_a_reason() -> None:
    code, labels = LABELLED[0]
    decided = narration.comment_decisions(code)
    assert sorted(decided) == sorted(labels)
    assert all(decision.reason for decision in decided.values())
    assert decided[13] == narration.CommentDecision(False, "reason")


def test_narration_through_trim_keeps_what_informs() -> None:
    code, _ = LABELLED[1]
    result = tokentrim.trim(f"```python\n{code}```\n", comments="narration")
    assert "# Assumes values is not empty" in result.text
    assert "Calculate the sum" not in result.text and "Output: 2.0" not in result.text
    block = result.blocks[0]
    assert block.status == "changed"
    assert "line 4: kept (caveat or assumption)" in block.reason
    assert "line 9: removed (example output)" in block.reason


def test_comments_keep_and_all() -> None:
    code = "x = 1  # seconds\n# Set y\ny = 2\n"
    assert (
        tokentrim.trim(f"```python\n{code}```\n", comments="keep").text == f"```python\n{code}```\n"
    )
    assert "#" not in tokentrim.trim(f"```python\n{code}```\n", comments="all").text
    kept = tokentrim.trim(f"```python\n{code}```\n", comments="narration").text
    assert "# seconds" in kept and "# Set y" not in kept


def test_narration_keeps_pragmas() -> None:
    code = "import os  # noqa: F401\n# Print the path\nprint(os.sep)\n"
    out = tokentrim.trim(f"```python\n{code}```\n", comments="narration").text
    assert "# noqa: F401" in out and "Print the path" not in out


def test_a_text_that_informs_anywhere_stays_everywhere() -> None:
    code = "# x\n# because y is slow\nx = 1\n\n\n# x\nz = 2\n"
    assert "# x" not in narration.plan(code).remove


def test_comments_option_on_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from tokentrim.cli import main

    path = tmp_path / "reply.md"
    path.write_text("```python\nx = 1  # seconds\ny = 2  # Set y\n```\n", encoding="utf-8")
    assert main(["clean", "--comments", "narration", str(path)]) == 0
    out = capsys.readouterr().out
    assert "# seconds" in out and "# Set y" not in out
    assert main(["clean", "--comments", "bogus", str(path)]) == 2
