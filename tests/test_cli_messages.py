"""What the CLI says: errors in the user's words, no silent no-ops, honest summaries."""

from __future__ import annotations

import io
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
