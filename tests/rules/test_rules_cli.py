"""``tokentrim rules``: the registry as plain lines, a table on a terminal, or JSON."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from tokentrim.cli import main
from tokentrim.rules import all_rules
from tokentrim.rules_cli import render_table, rule_rows


def test_plain_lines_in_run_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [line.split("\t")[0] for line in lines] == [rule.id for rule in all_rules()]
    assert all(len(line.split("\t")) == 4 for line in lines)
    assert "if-return-bool\tstandard\tcode\t" in out
    assert err == ""


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
