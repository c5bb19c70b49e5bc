"""What the CLI says: errors in the user's words, no silent no-ops, honest summaries."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from tokentrim.cli import main

VERBOSE = "Here you go:\n\n```python\nx = 1  # set x\n```\n"
CLEAN = "Here you go:\n\n```python\nx = 1\n```\n"


def run(argv: list[str], capsysbinary, stdin: bytes = b"") -> tuple[int, str, str]:
    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        code = main(argv)
    finally:
        sys.stdin = old
    out, err = capsysbinary.readouterr()
    return code, out.decode(), err.decode()


@pytest.fixture
def reply(tmp_path: Path) -> Path:
    path = tmp_path / "reply.md"
    path.write_text(VERBOSE)
    return path


# -- errors in the user's words


def test_flag_errors_name_the_flag(reply: Path, capsysbinary) -> None:
    code, _, err = run(["report", "--hourly-rate", "-1", str(reply)], capsysbinary)
    assert code == 2
    assert "--hourly-rate must not be negative" in err and "review_hourly_rate" not in err
    code, _, err = run(["clean", "--line-length", "5", str(reply)], capsysbinary)
    assert code == 2 and "--line-length must be an integer >= 10" in err


def test_a_pyproject_typo_names_the_file_and_the_key(
    tmp_path: Path, reply: Path, capsysbinary, monkeypatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.tokentrim]\nlevle = "safe"\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["clean", str(reply)], capsysbinary)
    assert code == 2
    assert str(tmp_path / "pyproject.toml") in err
    assert "unknown key 'levle'" in err and "did you mean 'level'" in err
    assert len(err.strip().splitlines()) == 1


def test_a_bad_value_in_pyproject_names_the_file(
    tmp_path: Path, reply: Path, capsysbinary, monkeypatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.tokentrim]\nlevel = "extreme"\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["clean", str(reply)], capsysbinary)
    assert code == 2 and str(tmp_path / "pyproject.toml") in err and "'extreme'" in err


def test_a_bad_environment_value_names_the_variable(reply: Path, capsysbinary, monkeypatch) -> None:
    monkeypatch.setenv("TOKENTRIM_LEVEL", "extreme")
    code, _, err = run(["clean", str(reply)], capsysbinary)
    assert code == 2
    assert "TOKENTRIM_LEVEL='extreme': level must be one of safe, standard, aggressive" in err
    monkeypatch.setenv("TOKENTRIM_LEVEL", "safe")
    monkeypatch.setenv("TOKENTRIM_LINE_LENGTH", "wide")
    code, _, err = run(["clean", str(reply)], capsysbinary)
    assert code == 2 and "TOKENTRIM_LINE_LENGTH='wide'" in err


def test_other_sections_of_the_table_are_not_typos(
    tmp_path: Path, reply: Path, capsysbinary, monkeypatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.tokentrim]\nlevel = "safe"\n[tool.tokentrim.route]\nx = 1\n'
    )
    monkeypatch.chdir(tmp_path)
    assert run(["clean", str(reply)], capsysbinary)[0] == 0


def test_undecodable_input_has_one_wording_in_every_command(tmp_path: Path, capsysbinary) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("caf\xe9\n".encode("latin-1"))
    messages = set()
    for command in (["clean"], ["count"], ["report", "-q"]):
        _, _, err = run([*command, str(path)], capsysbinary)
        line = next(line for line in err.splitlines() if "UTF-8" in line)
        messages.add(line.split(f"{path}: ", 1)[-1])
    assert messages == {"not UTF-8 (byte 0xe9 on line 1)"}


# -- honest summaries (1)


def _immutable(path: Path) -> bool:
    import shutil
    import subprocess

    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0


def test_a_failed_write_is_not_counted_as_saved(tmp_path: Path, capsysbinary) -> None:
    import subprocess

    ro, ok = tmp_path / "ro.md", tmp_path / "ok.md"
    ro.write_text(VERBOSE)
    ok.write_text(VERBOSE)
    if not _immutable(ro):
        pytest.skip("chattr +i is not available here")
    try:
        code, _, err = run(["clean", "-i", str(ro), str(ok)], capsysbinary)
    finally:
        subprocess.run(["chattr", "-i", str(ro)], check=False)
    assert code == 2
    assert ro.read_text() == VERBOSE and ok.read_text() == CLEAN
    assert f"error: {ro}" in err
    assert "1 reply in 1 input" in err and "1 input changed" in err


def test_a_read_only_logs_db_reports_no_savings(tmp_path: Path, capsysbinary) -> None:
    import sqlite3

    db = tmp_path / "logs.db"
    sqlite3.connect(db).execute("create table responses (id text)").connection.commit()
    code, out, err = run(["clean", str(db)], capsysbinary)
    assert code == 2 and out == ""
    assert "read-only" in err and "saved" not in err


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_in_place_keeps_owner_and_group(reply: Path, capsysbinary) -> None:
    os.chown(reply, 65534, 65534)
    assert run(["clean", "-i", str(reply)], capsysbinary)[0] == 0
    status = reply.stat()
    assert (status.st_uid, status.st_gid) == (65534, 65534)
    assert reply.read_text() == CLEAN


# -- say what was skipped (2)


def test_skipped_blocks_are_summarised_and_listed_with_verbose(
    tmp_path: Path, capsysbinary
) -> None:
    broken = tmp_path / "broken.md"
    broken.write_text("Try:\n\n```python\ndef f(:\n    pass\n```\n\n```js\nlet x = 1 // c\n```\n")
    code, _, err = run(["clean", "--check", str(broken)], capsysbinary)
    assert code == 0
    assert "1 block skipped: 1 does not parse" in err
    assert "block 1" not in err  # one summary line by default
    _, _, err = run(["clean", "--check", "-v", str(broken)], capsysbinary)
    assert f"{broken}: block 1 (python) skipped: does not parse: invalid syntax (line 1)" in err
    assert f"{broken}: block 2 (js) skipped" in err


def test_a_block_over_the_size_limit_is_summarised(tmp_path: Path, capsysbinary) -> None:
    big = tmp_path / "big.md"
    big.write_text("```python\n" + "x = 1\n" * 170_000 + "```\n")
    _, _, err = run(["clean", "--check", str(big)], capsysbinary)
    assert "1 block skipped: 1 over 1,000,000 characters" in err


# -- no silent no-ops (3)


class _Terminal(io.TextIOWrapper):
    def isatty(self) -> bool:
        return True


def test_reading_stdin_from_a_terminal_says_so(capsysbinary) -> None:
    old = sys.stdin
    sys.stdin = _Terminal(io.BytesIO(VERBOSE.encode()))
    try:
        code = main(["clean"])
    finally:
        sys.stdin = old
    out, err = capsysbinary.readouterr()
    assert code == 0 and out.decode() == CLEAN
    assert "reading a reply from stdin" in err.decode()


def test_an_empty_directory_says_no_files_matched(tmp_path: Path, capsysbinary) -> None:
    code, out, err = run(["clean", "--check", str(tmp_path)], capsysbinary)
    assert code == 0 and out == ""
    assert f"no files to trim in {tmp_path}" in err


def test_bare_tokentrim_prints_help_not_an_error(capsysbinary) -> None:
    code, out, err = run([], capsysbinary)
    assert code == 0
    assert "Usage: tokentrim" in out and "clean" in out
    assert "error" not in err


# -- black's flag conventions (5)


def test_check_and_diff_together_exit_1_with_the_diff(reply: Path, capsysbinary) -> None:
    code, out, err = run(["clean", "--check", "--diff", str(reply)], capsysbinary)
    assert code == 1
    assert "-x = 1  # set x\n+x = 1\n" in out and "would trim" in err
    assert reply.read_text() == VERBOSE


def test_directories_respect_gitignore_and_exclude(tmp_path: Path, capsysbinary) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored.md\nbuild/\n")
    for name in ("kept.md", "ignored.md", "build/out.md", "drafts/a.md", "drafts/b.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(VERBOSE)
    code, _, err = run(["clean", "--check", str(tmp_path)], capsysbinary)
    trimmed = sorted(
        line.split(str(tmp_path) + "/")[1] for line in err.splitlines() if "would trim" in line
    )
    assert code == 1 and trimmed == ["drafts/a.md", "drafts/b.md", "kept.md"]
    _, _, err = run(["clean", "--check", "--exclude", "drafts/b.md", str(tmp_path)], capsysbinary)
    assert "drafts/a.md" in err and "drafts/b.md" not in err
    # Named explicitly, an ignored file is still read.
    assert run(["clean", "--check", str(tmp_path / "ignored.md")], capsysbinary)[0] == 1


def test_stdin_filename_names_stdin(capsysbinary) -> None:
    code, out, err = run(
        ["clean", "--check", "--diff", "--stdin-filename", "chat/reply.md"],
        capsysbinary,
        VERBOSE.encode(),
    )
    assert code == 1
    assert out.startswith("--- a/chat/reply.md\n+++ b/chat/reply.md\n")
    assert "would trim chat/reply.md" in err


def test_color_and_no_color_diffs(reply: Path, capsysbinary) -> None:
    colored = run(["clean", "--diff", "--color", str(reply)], capsysbinary)[1]
    plain = run(["clean", "--diff", "--no-color", str(reply)], capsysbinary)[1]
    assert "\x1b[31m-x = 1  # set x" in colored and "\x1b[" not in plain


def test_jobs_give_the_same_output_in_the_same_order(tmp_path: Path, capsysbinary) -> None:
    for n in range(6):
        (tmp_path / f"r{n}.md").write_text(VERBOSE.replace("x = 1", f"x = {n}"))
    serial = run(["clean", "--diff", str(tmp_path)], capsysbinary)
    parallel = run(["clean", "--diff", "-j", "2", str(tmp_path)], capsysbinary)
    assert parallel[0] == serial[0] == 0
    assert parallel[1] == serial[1] and serial[1].count("+++ ") == 6
    assert "6 replies in 6 inputs" in parallel[2]


# -- one --json schema (7)


def test_clean_json_has_one_schema_for_every_kind_of_input(tmp_path: Path, capsysbinary) -> None:
    import json
    import sqlite3

    import jsonschema

    schema = json.loads(
        (Path(__file__).parent.parent / "docs" / "clean-json.schema.json").read_text()
    )
    jsonschema.Draft202012Validator.check_schema(schema)
    text = tmp_path / "reply.md"
    text.write_text(VERBOSE + "\n```python\ndef f(:\n```\n")
    jsonl = tmp_path / "replies.jsonl"
    jsonl.write_text(
        json.dumps({"model": "gpt-4o", "response": VERBOSE})
        + "\n"
        + json.dumps({"response": "hi"})
        + "\n"
    )
    db = tmp_path / "logs.db"
    connection = sqlite3.connect(db)
    connection.execute("create table responses (id text, model text, prompt text, response text)")
    connection.execute("insert into responses values ('1', 'gpt-4o', 'p', ?)", (VERBOSE,))
    connection.commit()
    reports = []
    for argv, stdin in (
        ([str(text)], b""),
        (["--model", "gpt-4o", str(text)], b""),
        ([str(jsonl)], b""),
        ([str(db)], b""),
        (["-"], VERBOSE.encode()),
        (["-"], (json.dumps({"response": VERBOSE}) + "\n").encode()),
    ):
        code, out, err = run(["clean", "--json", *argv], capsysbinary, stdin)
        assert code == 0, err
        reports.extend(json.loads(line) for line in out.splitlines())
    for report in reports:
        jsonschema.validate(report, schema)
    assert {r["kind"] for r in reports} == {"text", "jsonl", "llm-logs"}
    assert reports[0]["problems"][0]["reason"].startswith("does not parse")
