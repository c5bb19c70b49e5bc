"""The formatter seam: black and ruff behind one batch interface, the same safety nets for both,
ruff's fallbacks, one ruff process per batch, and the setting and flag that choose."""

from __future__ import annotations

import ast
import itertools
import os
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from conftest import run_cli

from tokentrim import Settings, load_settings, trim
from tokentrim.errors import ConfigError
from tokentrim.fences import CodeBlock, split
from tokentrim.languages.python import clean_python, clean_python_batch, formatting
from tokentrim.languages.python.formatting import (
    FORMATTERS,
    Formatted,
    Formatter,
    FormatterUnavailable,
    Result,
    RuffFormatter,
    Unformattable,
)
from tokentrim.pipeline import BlockOutcome

pytest.importorskip("ruff")

ROOT = Path(__file__).resolve().parent.parent
CORPORA = sorted((ROOT / "corpora").glob("*.md"))
FENCE = "```"
COUNTER = itertools.count()  # a comment that differs on each run: unstable, the AST kept


def fenced(*codes: str) -> str:
    return "".join(
        f"Block {i}:\n\n{FENCE}python\n{code}{FENCE}\n\n" for i, code in enumerate(codes)
    )


def codes_of(text: str) -> list[str]:
    return [s.code for s in split(text) if isinstance(s, CodeBlock)]


class Wrapped:
    """A registered formatter whose output goes through ``change`` (a formatter with a bug)."""

    def __init__(self, inner: Formatter, change: Callable[[str], str]) -> None:
        self.inner, self.change, self.name = inner, change, inner.name

    def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
        return [
            Formatted(self.change(r.text)) if isinstance(r, Formatted) else r
            for r in self.inner.format_batch(sources, line_length)
        ]


def verdicts(blocks: Sequence[BlockOutcome]) -> list[str]:
    """What the nets decided per block; changed and unchanged both passed (formatting differs)."""
    return [
        "passed" if b.status in ("changed", "unchanged") else f"{b.status}: {b.category}"
        for b in blocks
    ]


def script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "fake-ruff"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


# ------------------------------------------------------------------ the seam itself


def test_ruff_formats_a_batch_in_one_process_and_fails_per_source() -> None:
    ruff = RuffFormatter()
    results = ruff.format_batch(["x=1\n", "def f(:\n    pass\n", "y = 2\n", "z = '\udc80'\n"], 88)
    assert ruff.processes == 1
    assert results[0] == Formatted("x = 1\n", stable=False)
    assert isinstance(results[1], Unformattable) and "parse" in results[1].reason
    assert results[2] == Formatted("y = 2\n", stable=True)
    assert isinstance(results[3], Unformattable) and "UTF-8" in results[3].reason


def test_ruff_ignores_user_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ruff]\nline-length = 20\n[tool.ruff.format]\nquote-style = "single"\n'
    )
    (tmp_path / "ruff.toml").write_text('line-length = 20\n[format]\nquote-style = "single"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the batch directory lies under those files
    source = 'x = {"key": "value", "other": "thing"}\n'
    assert RuffFormatter().format_batch([source], 88) == [Formatted(source, stable=True)]


def test_ruff_keeps_crlf_line_endings() -> None:
    (result,) = RuffFormatter().format_batch(["x=1\r\ny=2\r\n"], 88)
    assert result == Formatted("x = 1\r\ny = 2\r\n")


# ------------------------------------------------------------------ the same nets for both


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        (lambda text: text.replace("1", "2"), "failed", "changed the AST"),
        (lambda text: text + "(\n", "failed", "result does not parse"),
        (lambda text: f"{text}# {next(COUNTER)}\n", "failed", "a second pass"),
        (lambda text: text, "changed", ""),
    ],
    ids=["ast", "parses", "idempotent", "none"],
)
def test_black_and_ruff_nets_decide_alike(
    monkeypatch: pytest.MonkeyPatch, change: Callable[[str], str], status: str, reason: str
) -> None:
    codes = ["x=1  # one\n", "def f( a ):\n    return a+1\n", "y = [1,\n 2]\n"]
    decided = {}
    for name in ("black", "ruff"):
        monkeypatch.setitem(FORMATTERS, name, Wrapped(FORMATTERS[name], change))
        outcomes, warnings = clean_python_batch(codes, Settings(formatter=name, comments="keep"))
        assert warnings == []
        decided[name] = [(o.status, o.reason.replace(name, "F")) for o in outcomes]
        for outcome, code in zip(outcomes, codes, strict=True):
            assert outcome.status == status and reason in outcome.reason
            if status == "failed":
                assert outcome.code == code
            else:
                ast.parse(outcome.code)
    assert decided["black"] == decided["ruff"]


def test_a_formatter_that_renames_a_global_fails_the_net(monkeypatch: pytest.MonkeyPatch) -> None:
    """black's own AST check skips the names of ``global``; the net counts them."""
    code = "def f( ):\n    global total\n    total = total+1\n"
    rename = Wrapped(FORMATTERS["black"], lambda text: text.replace("global total", "global other"))
    monkeypatch.setitem(FORMATTERS, "black", rename)
    (outcome,), _ = clean_python_batch([code], Settings())
    assert (outcome.status, outcome.code) == ("failed", code)
    assert "changed the AST" in outcome.reason


def test_an_unformattable_source_is_kept_unformatted_by_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Refuses:
        def __init__(self, name: str) -> None:
            self.name = name

        def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
            return [Unformattable("no") for _ in sources]

    for name in ("black", "ruff"):
        monkeypatch.setitem(FORMATTERS, name, Refuses(name))
        outcome = clean_python("x=1  # one\n", Settings(formatter=name))
        assert (outcome.status, outcome.code) == ("changed", "x=1\n")


def test_ruff_output_parses_and_is_idempotent_on_the_corpora() -> None:
    """Not black's bytes: the nets' verdicts, the result parsing and a second trim changing
    nothing are what ruff must share with black."""
    assert CORPORA
    for path in CORPORA:
        text = path.read_text(encoding="utf-8")
        by_ruff, by_black = trim(text, formatter="ruff"), trim(text)
        assert not [w for w in by_ruff.warnings if "unavailable" in w], path.name
        assert verdicts(by_ruff.blocks) == verdicts(by_black.blocks), path.name
        for block, code in zip(by_ruff.blocks, codes_of(by_ruff.text), strict=False):
            if block.lang == "python" and block.status == "changed":
                ast.parse(code)
        assert trim(by_ruff.text, formatter="ruff").text == by_ruff.text, path.name


# ------------------------------------------------------------------ processes and fallbacks


def test_one_ruff_process_per_pass_whatever_the_number_of_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ruff = RuffFormatter()
    monkeypatch.setitem(FORMATTERS, "ruff", ruff)
    text = fenced(*(f"def f{i}( a ):\n    return a+{i}  # add\n" for i in range(40)))
    result = trim(text, formatter="ruff")
    assert [b.status for b in result.blocks] == ["changed"] * 40
    assert ruff.processes == 2  # the first pass, and the second that proves nothing changes
    again = trim(text, formatter="ruff")
    assert again.text == result.text and ruff.processes == 2  # results and fixed points kept


def test_ruff_missing_falls_back_to_black(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = fenced("x = {'a':1}  # c\n", "def f( a ):\n    return a\n")
    monkeypatch.setitem(FORMATTERS, "ruff", RuffFormatter(executable=str(tmp_path / "no-ruff")))
    result = trim(text, formatter="ruff")
    assert result.text == trim(text).text
    assert len(result.warnings) == 1 and "formatter ruff unavailable" in result.warnings[0]
    assert "formatted with black" in result.warnings[0]


def test_ruff_package_missing_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ruff", None)
    monkeypatch.setattr(formatting, "_RUFF_BIN", [])
    monkeypatch.setitem(FORMATTERS, "ruff", RuffFormatter())
    outcome = clean_python("x=1\n", Settings(formatter="ruff"))
    assert outcome.code == "x = 1\n"
    assert any("tokentrim[ruff]" in w for w in outcome.warnings)


@pytest.mark.parametrize(
    ("body", "timeout", "why"),
    [
        ('echo "error: something broke" >&2; exit 2', None, "something broke"),
        ("echo 'thread main panicked' >&2; exit 101", None, "panicked"),
        ("exit 0", None, None),  # claims success but formats nothing: black's output is kept
        ("sleep 5", 0.3, "timed out"),
    ],
    ids=["error", "crash", "does-nothing", "timeout"],
)
def test_ruff_failing_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, timeout: float | None, why: str
) -> None:
    text = fenced("x = {'a':1}  # c\n", "y=[1,\n2]\n")
    ruff = RuffFormatter(executable=script(tmp_path, body), timeout=timeout)
    monkeypatch.setitem(FORMATTERS, "ruff", ruff)
    result = trim(text, formatter="ruff")
    if why is None:
        # Unchanged files read back as formatted: the nets still hold, nothing is lost.
        assert result.warnings == ()
        assert [b.status for b in result.blocks] == ["changed", "unchanged"]
        assert codes_of(result.text) == ["x = {'a':1}\n", "y=[1,\n2]\n"]
        return
    assert result.text == trim(text).text
    assert len(result.warnings) == 1 and why in result.warnings[0]
    assert ruff.processes == 1  # given up once, not once per pass or block


def test_ruff_failing_in_the_second_pass_redoes_both_with_black(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class FailsSecond:
        name = "ruff"

        def __init__(self) -> None:
            self.calls = 0

        def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
            self.calls += 1
            if self.calls > 1:
                raise FormatterUnavailable("gone")
            return [Formatted(s.replace("=", " = ")) for s in sources]

    monkeypatch.setitem(FORMATTERS, "ruff", FailsSecond())
    text = fenced("x=1  # c\n", "y=[1,\n2]\n")
    result = trim(text, formatter="ruff")
    assert result.text == trim(text).text
    assert [b.status for b in result.blocks] == ["changed", "changed"]
    assert result.warnings == ("formatter ruff unavailable (gone): formatted with black",)


def test_a_formatter_that_raises_never_loses_the_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    class Raises:
        name = "black"

        def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
            raise RuntimeError("bug")

    monkeypatch.setitem(FORMATTERS, "black", Raises())
    monkeypatch.setitem(FORMATTERS, "ruff", Raises())
    text = fenced("x=1  # c\n")
    for name in ("black", "ruff"):
        result = trim(text, formatter=name)
        assert codes_of(result.text) == ["x=1\n"]  # comments gone, formatting not done


# ------------------------------------------------------------------ the setting and the flag


def test_formatter_setting_values_and_sources(tmp_path: Path) -> None:
    assert Settings().formatter == "black"
    with pytest.raises(ConfigError, match="formatter must be one of black, ruff, not 'yapf'"):
        Settings(formatter="yapf")  # type: ignore[arg-type]
    (tmp_path / "pyproject.toml").write_text('[tool.tokentrim]\nformatter = "ruff"\n')
    assert load_settings(start=tmp_path, environ={}).formatter == "ruff"
    env = {"TOKENTRIM_FORMATTER": "black"}
    assert load_settings(start=tmp_path, environ=env).formatter == "black"
    with pytest.raises(ConfigError, match="TOKENTRIM_FORMATTER"):
        load_settings(start=tmp_path, environ={"TOKENTRIM_FORMATTER": "nope"})


def test_formatter_flag(tmp_path: Path, capsysbinary, monkeypatch: pytest.MonkeyPatch) -> None:
    ruff = RuffFormatter()
    monkeypatch.setitem(FORMATTERS, "ruff", ruff)
    path = tmp_path / "r.md"
    path.write_text(fenced("x = {'a':1}  # c\n", "y=2\n"))
    code, out, _ = run_cli(["clean", "--formatter", "ruff", str(path)], capsysbinary)
    assert code == 0 and codes_of(out) == ['x = {"a": 1}\n', "y = 2\n"]
    assert ruff.processes == 2
    assert run_cli(["clean", str(path)], capsysbinary)[1] == out and ruff.processes == 2
    code, _, err = run_cli(["clean", "--formatter", "yapf", str(path)], capsysbinary)
    assert code == 2 and "--formatter" in err
    assert os.environ.get("TOKENTRIM_FORMATTER") is None
