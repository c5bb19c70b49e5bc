"""`tokentrim route classify|simulate|plan` end to end: outputs, exit codes, HTML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tokentrim.cli import main

ROOT = Path(__file__).resolve().parent.parent
HUMANEVAL_RUNS = ROOT.parent / "shared/corpus/humaneval-runs.jsonl"


def run(*args: str, input: str | None = None) -> Result:
    from tokentrim.cli import cli

    return CliRunner().invoke(cli, ["route", *args], input=input, catch_exceptions=False)


def _runs(tmp_path: Path) -> Path:
    # cheap passes t0 and t1; mid passes t2; premium passes everything but t3.
    table = {
        "cheap": [True, True, False, False],
        "mid": [False, True, True, False],
        "premium": [True, True, True, False],
    }
    costs = {"cheap": 0.001, "mid": 0.004, "premium": 0.01}
    lines = []
    for model, verdicts in table.items():
        for task, passed in enumerate(verdicts):
            lines.append(
                {
                    "task_id": f"t{task}",
                    "model": model,
                    "passed": passed,
                    "prompt_tokens": 100,
                    "completion_tokens": 50,
                    "cost_usd": costs[model],
                    "prompt": [
                        "Write a docstring for f.",
                        "Convert this JSON to YAML.",
                        "Refactor it with dependency injection.",
                        "Implement JWT authentication.",
                    ][task],
                }
            )
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_classify_prompts_and_json() -> None:
    result = run("classify", "--json", "Write a docstring for f", "Implement OAuth2 login")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [r["name"] for r in data["results"]] == ["simple", "complex"]
    assert all(r["reasons"] for r in data["results"])


def test_classify_reads_stdin_and_prints_a_table() -> None:
    result = run("classify", input="Refactor this class to use dependency injection")
    assert result.exit_code == 0
    assert "moderate" in result.stdout and "dependency injection" in result.stdout


def test_classify_labelled_jsonl_prints_the_accuracy() -> None:
    corpus = ROOT / "corpora/route/prompts.json"
    result = run("classify", "--labelled", str(corpus))
    assert result.exit_code == 0
    assert "accuracy " in result.stdout
    data = json.loads(run("classify", "--labelled", str(corpus), "--json").stdout)
    assert data["accuracy"] >= 0.85


def test_simulate_json_text_and_html(tmp_path: Path) -> None:
    path = _runs(tmp_path)
    args = ["simulate", str(path), "--premium", "premium", "--cascade", "cheap,mid,premium"]
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    premium, cascade, tiers = data["strategies"]
    assert (premium["passed"], premium["spend"]) == (3, pytest.approx(0.04))
    # t0, t1: cheap; t2: cheap, mid; t3: all three fail.
    assert cascade["passed"] == 3
    assert cascade["spend"] == pytest.approx(0.001 * 4 + 0.004 * 2 + 0.01 * 1)
    assert cascade["escalated"] == 2 and cascade["calls"] == 7
    assert cascade["saving_vs_premium"] == pytest.approx(1 - 0.022 / 0.04)
    assert tiers["kind"] == "tiers" and tiers["tiers"] == {"simple": 2, "moderate": 1, "complex": 1}

    html_file = tmp_path / "sim.html"
    text = run(*args, "--html", str(html_file))
    assert text.exit_code == 0
    assert "cheap → mid → premium" in text.stdout and "45.0%" in text.stdout
    page = html_file.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_simulate_tier_flags_and_prompts_file(tmp_path: Path) -> None:
    path = _runs(tmp_path)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for record in records:
        del record["prompt"]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    bare = run("simulate", str(path), "--cascade", "cheap,premium", "--json")
    assert [s["kind"] for s in json.loads(bare.stdout)["strategies"]] == ["single", "cascade"]
    assert "no prompts" in bare.stderr
    prompts = tmp_path / "prompts.json"
    prompts.write_text(
        "".join(
            json.dumps({"task_id": f"t{i}", "prompt": "Write a docstring."}) + "\n"
            for i in range(4)
        )
    )
    result = run(
        "simulate",
        str(path),
        "--prompts",
        str(prompts),
        "--tier",
        "simple=cheap",
        "--tier",
        "complex=premium",
        "--json",
    )
    tiers = json.loads(result.stdout)["strategies"][-1]
    assert tiers["tiers"]["simple"] == 4 and tiers["calls_per_model"] == {"cheap": 4}


def test_plan_finds_and_reports(tmp_path: Path) -> None:
    path = _runs(tmp_path)
    result = run("plan", str(path), "--min-pass", "0.75", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["best"]["name"] == "cheap → mid"
    assert data["best"]["spend"] == pytest.approx(0.001 * 4 + 0.004 * 2)
    assert data["best"]["reference"] == "premium"
    assert data["best"]["saving_vs_reference"] == pytest.approx(1 - 0.012 / 0.04)
    assert data["searched"] == 3 + 6 + 6
    html_file = tmp_path / "plan.html"
    table = run("plan", str(path), "--min-pass", "0.75", "--html", str(html_file))
    assert "cheap → mid" in table.stdout and "<svg" in html_file.read_text()


def test_plan_exits_1_when_nothing_reaches_the_rate(tmp_path: Path) -> None:
    result = run("plan", str(_runs(tmp_path)), "--min-pass", "1")
    assert result.exit_code == 1
    assert "no cascade reaches a pass rate of 100.0%" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["simulate", "missing.jsonl"], "no such file"),
        (["simulate", "{runs}", "--premium", "nobody"], "'nobody' is not in"),
        (["simulate", "{runs}", "--tier", "hard=cheap"], "expected TIER=MODEL"),
        (["plan", "{runs}", "--min-pass", "2"], "2"),
        (["plan", "{runs}", "--min-pass", "0.5", "--prices", "missing.toml"], "prices file"),
        (["classify", "--labelled", "missing.jsonl"], "cannot read"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    runs = str(_runs(tmp_path))
    argv = ["route", *(runs if a == "{runs}" else a for a in args)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_list_prices_flag(tmp_path: Path) -> None:
    record: dict[str, Any] = {
        "task_id": "t0",
        "model": "gpt-4o-mini",
        "passed": True,
        "prompt_tokens": 1_000_000,
        "completion_tokens": 0,
        "cost_usd": 99.0,
    }
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps(record) + "\n")
    billed = json.loads(run("simulate", str(path), "--json").stdout)
    listed = json.loads(run("simulate", str(path), "--list-prices", "--json").stdout)
    assert billed["strategies"][0]["spend"] == 99.0
    assert listed["strategies"][0]["spend"] == pytest.approx(0.15)  # gpt-4o-mini: $0.15/M input
    prices = tmp_path / "prices.toml"
    prices.write_text('[models."gpt-4o-mini"]\ninput = 1.0\noutput = 2.0\n')
    custom = run("simulate", str(path), "--list-prices", "--prices", str(prices), "--json")
    assert json.loads(custom.stdout)["strategies"][0]["spend"] == pytest.approx(1.0)


@pytest.mark.skipif(not HUMANEVAL_RUNS.is_file(), reason="shared corpus absent")
def test_humaneval_simulate_and_plan_commands() -> None:
    deepseek, qwen = "deepseek/deepseek-chat", "qwen/qwen-2.5-7b-instruct"
    result = run(
        "simulate", str(HUMANEVAL_RUNS), "--premium", deepseek, "--cascade", f"{qwen},{deepseek}"
    )
    assert result.exit_code == 0
    assert "90.9%" in result.stdout and "95.1%" in result.stdout
    found = json.loads(run("plan", str(HUMANEVAL_RUNS), "--min-pass", "0.95", "--json").stdout)
    assert found["premium"]["name"] == deepseek
    assert found["best"]["saving_vs_premium"] >= 0.70


def test_check_compiles_flag(tmp_path: Path) -> None:
    path = _runs(tmp_path)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for record in records:
        # cheap's wrong answers still compile: with --check compiles it is never escalated.
        record["answer"] = "def f():\n    return 1\n"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    args = ["simulate", str(path), "--premium", "premium", "--cascade", "cheap,mid,premium"]
    verdict = json.loads(run(*args, "--json").stdout)["strategies"][1]
    compiled = json.loads(run(*args, "--check", "compiles", "--json").stdout)
    cascade = compiled["strategies"][1]
    assert compiled["check"] == "compiles"
    assert (cascade["calls"], cascade["escalated"], cascade["passed"]) == (4, 0, 2)
    assert verdict["passed"] == 3


def test_classify_labelled_jsonl_too(tmp_path: Path) -> None:
    path = tmp_path / "labelled.jsonl"
    path.write_text(
        json.dumps({"prompt": "Write a docstring", "label": "simple"})
        + "\n\n"
        + json.dumps({"prompt": "Implement SAML SSO", "label": "moderate"})
        + "\n"
    )
    data = json.loads(run("classify", "--labelled", str(path), "--json").stdout)
    assert data["accuracy"] == 0.5
    bad = tmp_path / "bad.json"
    bad.write_text('[{"text": "no prompt"}]')
    result = run("classify", "--labelled", str(bad))
    assert result.exit_code == 2 and "item 1: expected an object" in result.stderr
