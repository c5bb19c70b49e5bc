"""``tokentrim rules``: the registry as plain lines, a table on a terminal, or JSON."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from tokentrim.cli import main
from tokentrim.cli.rules import render_table, rule_rows
from tokentrim.rules import all_rules


def test_a_table_with_a_header_in_run_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out, err = capsys.readouterr()
    header, *lines = out.splitlines()
    assert header.split() == ["ID", "LEVEL", "KIND", "DESCRIPTION"]
    assert [line.split()[0] for line in lines] == [rule.id for rule in all_rules()]
    row = next(line for line in lines if line.startswith("if-return-bool "))
    assert row.split()[1:3] == ["standard", "code"]
    # Columns line up under the header.
    assert {line.index(line.split()[1]) for line in lines} == {header.index("LEVEL")}
    assert err == ""


def test_one_rule_explained_with_its_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "if-return-bool"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("if-return-bool (standard, code)\n")
    assert "provably an exact bool" in out  # what the rule checks before it fires
    assert "    -    if n % 2 == 0:\n" in out and "    +    return bool(n % 2 == 0)\n" in out
    assert main(["rules", "--json", "think"]) == 0
    assert json.loads(capsys.readouterr().out)["level"] == "aggressive"


def test_an_unknown_rule_suggests_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "if-return-bol"]) == 2
    assert "did you mean 'if-return-bool'" in capsys.readouterr().err


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == rule_rows()
    by_id = {row["id"]: row for row in rows}
    assert by_id["ternary-return"]["level"] == "standard"
    assert by_id["ternary-return"]["kind"] == "code"
    assert by_id["ternary-return"]["after"].startswith("def parity")
    assert {row["kind"] for row in rows} <= {"code", "text"}


def test_table_on_a_terminal() -> None:
    buffer = io.StringIO()
    render_table(rule_rows(), Console(file=buffer, force_terminal=True, width=200))
    text = buffer.getvalue()
    for rule in all_rules():
        assert rule.id in text


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--bogus"]) == 2
    assert "bogus" in capsys.readouterr().err
