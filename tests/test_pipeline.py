"""trim(): language resolution, statuses, safety nets, bad input."""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

import tokentrim
from tokentrim import Settings, trim
from tokentrim.fences import CodeBlock, split
from tokentrim.languages.python import clean_python
from tokentrim.languages.python.formatting import FORMATTERS, FormatRun, Formatted, Result

FENCE = "```"


def reply(info: str, code: str, before: str = "Intro.\n\n", after: str = "\nOutro.\n") -> str:
    return f"{before}{FENCE}{info}\n{code}{FENCE}\n{after}"


@pytest.mark.parametrize(
    "info", ["python", "py", "python3", "py3", "PYTHON", "Py3", "{.python}", 'python title="x.py"']
)
def test_python_spellings_are_cleaned(info: str) -> None:
    result = trim(reply(info, "x = 1  # one\n"))
    assert "# one" not in result.text
    assert result.blocks[0].lang == "python"
    assert result.blocks[0].status == "changed"


@pytest.mark.parametrize(
    ("info", "code"),
    [
        ("pycon", ">>> x = 1  # one\n"),
        ("doctest", ">>> x = 1  # one\n"),
        ("python", ">>> x = 1  # one\n>>> x\n1\n"),
        ("sql", "SELECT 1; -- one\n"),  # a language without a cleaner
        ("", "just some words # not code\n"),
        ("", "print('hi')  # no def, class, import or assignment\n"),
    ],
)
def test_left_alone(info: str, code: str) -> None:
    text = reply(info, code)
    result = trim(text)
    assert result.text == text
    assert result.blocks[0].status == "skipped"


def test_unlabeled_fence_that_is_python() -> None:
    result = trim(reply("", "import os  # os\n"))
    assert result.blocks[0].lang == "python"
    assert "# os" not in result.text


def test_whole_reply_python_fim() -> None:
    code = "def f(a):\n    # add one\n    return a + 1\n"
    result = trim(code)
    assert result.text == "def f(a):\n    return a + 1\n"
    assert trim(code, code="fenced").text == code
    prose = "This is prose; it has no code.\n"
    assert trim(prose).text == prose


def test_code_whole_forces_one_block() -> None:
    assert trim("x=1 # c\n", code="whole").text == "x = 1\n"


def test_broken_code_is_skipped_not_an_error() -> None:
    text = reply("python", "def f(:\n    return  # oops\n")
    result = trim(text)
    assert result.text == text
    assert result.blocks[0].status == "skipped"
    assert "does not parse" in result.blocks[0].reason


def test_block_of_only_comments_stays() -> None:
    text = reply("python", "# just a note\n# and another\n")
    result = trim(text)
    assert result.text == text
    assert result.blocks[0].status == "unchanged"


def test_pragmas_survive_and_the_ast_is_identical() -> None:
    code = (
        "#!/usr/bin/env python\nimport os  # noqa: F401\nx = []  # type: list[int]\ny = 2  # why\n"
    )
    result = trim(reply("python", code), level="safe")
    new_code = next(s for s in split(result.text) if isinstance(s, CodeBlock)).code
    assert "# noqa: F401" in new_code and "# type: list[int]" in new_code
    assert new_code.startswith("#!/usr/bin/env python\n")
    assert ast.dump(ast.parse(new_code)) == ast.dump(ast.parse(code))


def test_black_runs_and_can_be_turned_off() -> None:
    assert "x = {'a':1}" in trim(reply("python", "x = {'a':1}\n"), format=False).text
    assert 'x = {"a": 1}' in trim(reply("python", "x = {'a':1}\n")).text
    long = "x = [" + ", ".join(str(i) for i in range(30)) + "]\n"
    assert max(map(len, trim(long, line_length=40).text.splitlines())) <= 40


def test_prose_is_byte_identical_crlf_and_no_final_newline() -> None:
    text = "Hi there  \r\n\r\n```python\r\nx = 1  # c\r\n```\r\nBye\ttab"
    result = trim(text)
    assert result.text == "Hi there  \r\n\r\n```python\r\nx = 1\r\n```\r\nBye\ttab"


def test_levels_and_idempotence() -> None:
    text = reply(
        "python",
        "def f(x):\n    # check\n    if x > 1:\n        return True\n    else:\n        return False\n",
    )
    for level in ("safe", "standard", "aggressive"):
        once = trim(text, level=level)
        assert trim(once.text, level=level).text == once.text


class Rewrites:
    """A formatter that rewrites each source with ``change`` and claims nothing is stable."""

    name = "black"

    def __init__(self, change: Callable[[str], str]) -> None:
        self.change = change
        self.seen: list[str] = []

    def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
        self.seen.extend(sources)
        return [Formatted(self.change(source)) for source in sources]


def test_failed_safety_net_keeps_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATTERS, "black", Rewrites(lambda code: code.replace("1", "2")))
    outcome = clean_python("x = 1\n", Settings())
    assert outcome.status == "failed"
    assert outcome.code == "x = 1\n"
    assert "AST" in outcome.reason


def test_unstable_result_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMATTERS, "black", Rewrites(lambda code: code + "\n"))
    outcome = clean_python("x = 1\n", Settings())
    assert outcome.status == "failed"
    assert "second pass" in outcome.reason


def test_black_fixed_points_are_proven_not_assumed(monkeypatch: pytest.MonkeyPatch) -> None:
    black_formatter = FORMATTERS["black"]

    class Counting(Rewrites):
        def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
            self.seen.extend(sources)
            return black_formatter.format_batch(sources, line_length)

    counting = Counting(str)
    monkeypatch.setitem(FORMATTERS, "black", counting)
    run = FormatRun("black", 88)
    # format_str's own second pass saw "x = [1, 2]\n" come back unchanged: a proven fixed point.
    assert run.format(["x=[1,\n 2]\n"]) == [Formatted("x = [1, 2]\n", stable=True)]
    assert run.format(["x = [1, 2]\n"]) == [Formatted("x = [1, 2]\n", stable=True)]
    assert counting.seen == ["x=[1,\n 2]\n"]
    # A formatter that proves nothing has its output formatted again.
    unproven = Rewrites(lambda code: code.replace("=", " = "))
    monkeypatch.setitem(FORMATTERS, "black", unproven)
    run = FormatRun("black", 88)
    (first,) = run.format(["x=1\n"])
    assert isinstance(first, Formatted) and not first.stable
    run.format([first.text])
    assert unproven.seen == ["x=1\n", "x = 1\n"]


def test_deeply_nested_code_is_skipped() -> None:
    code = "x = " + "(" * 500 + "1" + ")" * 500 + "  # deep\n"
    result = trim(reply("python", code))
    assert result.blocks[0].status in ("skipped", "failed")
    assert result.text == reply("python", code)


def test_bad_input_types() -> None:
    assert trim(b"x = 1  # c\n").text == "x = 1\n"
    assert trim("\udcff lone surrogate").tokens_before > 0


@pytest.mark.parametrize("value", [None, 123, ["x = 1"]])
def test_a_reply_that_is_not_text_is_a_programmer_error(value: object) -> None:
    with pytest.raises(TypeError, match="trim\\(\\) takes the reply as str"):
        trim(value)  # type: ignore[arg-type]


def test_repr_shows_sizes_and_counts_not_the_texts() -> None:
    big = reply("python", "x = 1  # one\n" * 2_000)
    shown = repr(trim(big, level="safe"))
    assert len(shown) < 400
    assert f"original=<{len(big):,} chars>" in shown and "1 changed" in shown


def test_block_outcome_category_and_left_alone() -> None:
    result = trim(
        reply("python", "def f(:\n") + reply("sql", "select 1;\n") + reply("", "plain words\n")
    )
    broken, sql, plain = result.blocks
    assert broken.category == "does not parse" and not broken.left_alone
    assert sql.left_alone and plain.left_alone
    huge = tokentrim.BlockOutcome(
        "python", "skipped", "block of 1,234,567 characters is over the 1,000,000 limit"
    )
    assert huge.category == "over 1,000,000 characters"


def test_prose_drop() -> None:
    text = "Sure!\n\n```python\nx = 1\n```\n\nAnd JS:\n\n```js\nlet y = 2\n```\nBye\n"
    assert trim(text, prose="drop").text == "```python\nx = 1\n```\n\n```js\nlet y = 2\n```\n"
    assert trim("No code here.\n", prose="drop").text == "No code here.\n"


def test_result_fields() -> None:
    result = trim(reply("python", "x = 1  # one\n"), model="gpt-4o")
    assert result.tokens_before > result.tokens_after > 0
    assert result.tokens_saved == result.tokens_before - result.tokens_after
    block = result.blocks[0]
    assert block.tokens_before > block.tokens_after
    assert result.changed


def test_unknown_rule_is_a_config_error() -> None:
    with pytest.raises(tokentrim.UnknownRuleError):
        trim("x", enable={"no-such-rule"})
    with pytest.raises(tokentrim.ConfigError):
        trim("x", level="extreme")


def test_large_reply_is_linear_enough() -> None:
    # 5 MB of prose and code: completes (quadratic paths would not); timing lives in benchmarks/.
    chunk = reply("python", "def f(a):\n    # c\n    return a\n") + "word " * 200 + "\n"
    text = chunk * (5_000_000 // len(chunk))
    result = trim(text, level="safe")
    assert result.tokens_after < result.tokens_before


@settings(max_examples=examples(200))
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    result = trim(text)
    assert isinstance(result.text, str)


markdown = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(blacklist_characters="`~"), max_size=40),
        st.sampled_from(
            [
                "```python\nx = 1  # c\n```\n",
                "```py\ndef f( a ):\n    # c\n    return a\n```\n",
                "~~~python\nif x:\n    pass\nelse:\n    pass\n~~~\n",
                "```\nimport os\n```\n",
                "```js\n// js\n```\n",
                "> ```python\n> y = 2  # quoted\n> ```\n",
                "1. item\n\n   ```python\n   z = 3  # listed\n   ```\n",
                "```python\ndef broken(:\n```\n",
                "\r\n",
                "\n\n",
            ]
        ),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=examples(150))
@given(markdown, st.sampled_from(["safe", "standard", "aggressive"]))
def test_idempotent_and_prose_unchanged(text: str, level: str) -> None:
    once = trim(text, level=level)
    assert trim(once.text, level=level).text == once.text
    if level != "aggressive":
        before = [s for s in split(text) if isinstance(s, str)]
        after = [s for s in split(once.text) if isinstance(s, str)]
        assert before == after


def test_docstring_doctest_is_still_python() -> None:
    code = 'def f(x):\n    """Double.\n\n    >>> f(2)\n    4\n    """\n    # comment\n    return 2 * x\n'
    result = trim(reply("python", code))
    assert result.blocks[0].status == "changed"
    assert "# comment" not in result.text and ">>> f(2)" in result.text


def test_black_may_not_explode_a_block() -> None:
    code = "x = " + "[" * 100 + "0" + "]" * 100 + "  # deep\n"
    result = trim(reply("python", code))
    assert result.tokens_after <= result.tokens_before
    assert trim(result.text).text == result.text


def test_whole_reply_keeps_missing_final_newline() -> None:
    text = "total = 0  # running\nfor n in items:\n    total += n"
    result = trim(text)
    assert result.text == "total = 0\nfor n in items:\n    total += n"
    assert trim(result.text).text == result.text


def test_prose_drop_lifts_blocks_out_of_containers() -> None:
    text = "1. Step:\n   - Sub:\n\n     ```python\n     x = 1  # c\n     ```\n> ```js\n> let y\n> ```\n"
    result = trim(text, prose="drop")
    assert result.text == "```python\nx = 1\n```\n\n```js\nlet y\n```\n"
    assert trim(result.text, prose="drop").text == result.text


def test_prose_drop_lengthens_a_fence_the_code_could_close() -> None:
    text = "  ```python\n     ```\n  x = 1\n  ```\n"
    dropped = trim(text, prose="drop", format=False).text
    assert [b.code for b in tokentrim.find_code_blocks(dropped)] == [
        b.code for b in tokentrim.find_code_blocks(text)
    ]


def test_giant_block_is_skipped_with_a_reason() -> None:
    from tokentrim.languages.python.detect import MAX_BLOCK_CHARS

    code = "x = 1  # c\n" * (MAX_BLOCK_CHARS // 11 + 1)
    result = trim(reply("python", code), level="safe")
    assert result.blocks[0].status == "skipped"
    assert "limit" in result.blocks[0].reason


@settings(max_examples=examples(100))
@given(
    markdown | st.sampled_from(["def f(a):\n    # c\n    return a\n", "just prose\n"]),
    st.sampled_from([{}, {"prose": "drop"}, {"code": "whole"}, {"level": "aggressive"}]),
)
def test_cost_review_load_equals_measuring_the_texts(text: str, overrides: dict) -> None:
    # trim() prices review time from the split it already made; it must equal a fresh measurement.
    from tokentrim.cost import review_load

    settings = Settings(**overrides)
    result = trim(text, model="gpt-4o", settings=settings)
    cost = result.cost
    before = review_load(text, settings)
    assert (before.code_lines, before.prose_words) == (
        cost.code_lines_before,
        cost.prose_words_before,
    )
    after = review_load(result.text, settings)
    assert (after.code_lines, after.prose_words) == (cost.code_lines_after, cost.prose_words_after)


def test_trim_reads_no_prices_file(tmp_path) -> None:
    """trim() is pure: a prices path in Settings is the entry point's to load, not trim's."""
    from tokentrim.cost import load_prices

    path = tmp_path / "prices.toml"
    path.write_text('[models."house-model"]\ninput = 1.0\noutput = 2.0\n')
    unread = trim("hi", model="house-model", prices=str(tmp_path / "missing.toml"))
    assert unread.cost is not None and unread.cost.compute is None
    assert any("trim() reads no files" in w for w in unread.warnings)
    priced = trim("hi", model="house-model", prices=load_prices(path))
    assert priced.cost is not None and priced.cost.compute is not None


def test_a_block_removed_prose_cleans_is_not_cleaned_again(monkeypatch: pytest.MonkeyPatch) -> None:
    import tokentrim.languages.python as py

    reply = (
        "```python\ndef double(x):\n    return 2 * x\n\n\nif __name__ == '__main__':\n"
        "    print(double(21))\n```\n\nI've added an example usage.\n"
    )
    expected = trim(reply, level="aggressive")
    cleaned: list[str] = []
    fresh = py._clean_fresh

    def counting(codes: Sequence[str], settings: Settings) -> object:
        cleaned.extend(codes)
        return fresh(codes, settings)

    monkeypatch.setattr(py, "_clean_fresh", counting)
    result = trim(reply, level="aggressive")
    assert "__main__" not in result.text
    assert result.text == expected.text and result.blocks == expected.blocks
    assert len(cleaned) == 1  # removed-prose asked, the pipeline reused its outcome
    trim(reply, level="aggressive")
    assert len(cleaned) == 2  # nothing is shared between calls
