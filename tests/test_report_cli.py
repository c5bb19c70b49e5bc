"""`tokentrim report` end to end: real SDK records, a real llm logs.db, exit codes, outputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from genai_prices import Usage as GenaiUsage
from genai_prices import calc_price

from tokentrim.cli.report import report_command

VERBOSE = """Sure! Here's the function:

```python
# Compute the factorial of n
def factorial(n):
    # Base case
    if n == 0:
        return 1  # factorial of 0 is 1
    # Recursive case
    return n * factorial(n - 1)
```

This uses recursion. Let me know if you have any questions!
"""


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(report_command, list(args), input=input, catch_exceptions=False)


def chat_completion(model: str, text: str, prompt: int, completion: int, cached: int = 0) -> str:
    from openai.types.chat import ChatCompletion

    completion_obj = ChatCompletion.model_validate(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": text},
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": cached},
            },
        }
    )
    return completion_obj.model_dump_json()


def anthropic_message(model: str, text: str, inp: int, out: int, read: int, write: int) -> str:
    from anthropic.types import Message

    message = Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {
                "input_tokens": inp,
                "output_tokens": out,
                "cache_read_input_tokens": read,
                "cache_creation_input_tokens": write,
            },
        }
    )
    return message.model_dump_json()


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "runs.jsonl"
    lines = [
        chat_completion("gpt-4o-2024-08-06", VERBOSE, 1_500, 120, cached=1_024),
        chat_completion("gpt-4o-2024-08-06", "No code here, just an answer.", 200, 9),
        anthropic_message("claude-3-5-sonnet-20240620", VERBOSE, 30, 130, 2_000, 500),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_compute(model: str, **usage: int) -> float:
    return float(calc_price(GenaiUsage(**usage), model).total_price)


def test_json_report_matches_genai_prices_per_model(jsonl: Path) -> None:
    result = run("--json", str(jsonl))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    models = {row["model"]: row for row in data["models"]}
    gpt = models["gpt-4o-2024-08-06"]
    assert gpt["replies"] == 2 and gpt["priced_as"] == "openai:gpt-4o"
    assert gpt["estimated_replies"] == 0
    assert gpt["input_tokens"] == 1_700 and gpt["cache_read_tokens"] == 1_024
    expected = expected_compute(
        "gpt-4o", input_tokens=1_500, output_tokens=120, cache_read_tokens=1_024
    ) + expected_compute("gpt-4o", input_tokens=200, output_tokens=9)
    assert gpt["compute"] == pytest.approx(expected, rel=1e-12)
    claude = models["claude-3-5-sonnet-20240620"]
    # Anthropic's input_tokens exclude the cache: 30 + 2,000 read + 500 written.
    assert claude["input_tokens"] == 2_530
    assert claude["compute"] == expected_compute(
        "claude-3-5-sonnet",
        input_tokens=2_530,
        output_tokens=130,
        cache_read_tokens=2_000,
        cache_write_tokens=500,
    )
    assert data["total"]["replies"] == 3
    assert data["total"]["tokens_after"] < data["total"]["tokens_before"]
    assert data["total"]["review_hours_after"] < data["total"]["review_hours_before"]


def test_llm_logs_db_written_by_llm_itself(tmp_path: Path) -> None:
    llm = pytest.importorskip("llm")
    sqlite_utils = pytest.importorskip("sqlite_utils")
    from llm.migrations import migrate

    class Canned(llm.Model):
        model_id = "gpt-4o-mini"

        def execute(self, prompt, stream, response, conversation):  # type: ignore[no-untyped-def]
            response.set_usage(
                input=400, output=90, details={"prompt_tokens_details": {"cached_tokens": 128}}
            )
            yield VERBOSE

    path = tmp_path / "logs.db"
    db = sqlite_utils.Database(path)
    migrate(db)
    for _ in range(2):
        response = Canned().prompt("write factorial")
        response.text()
        response.log_to_db(db)
    db.close()

    result = run("--json", str(path))
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["models"]
    assert row["model"] == "gpt-4o-mini" and row["replies"] == 2
    one = expected_compute("gpt-4o-mini", input_tokens=400, output_tokens=90, cache_read_tokens=128)
    assert row["compute"] == pytest.approx(2 * one, rel=1e-12)
    assert row["estimated_replies"] == 0


def test_markdown_files_use_the_default_model(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(VERBOSE, encoding="utf-8")
    (tmp_path / "b.md").write_text(VERBOSE, encoding="utf-8")
    result = run("--json", "--model", "deepseek/deepseek-chat", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["models"]
    assert row["model"] == "deepseek/deepseek-chat"
    assert row["priced_as"] == "deepseek:deepseek-chat"
    assert row["estimated_replies"] == 2
    half = row["tokens_before"] // 2
    assert row["compute"] == pytest.approx(
        2 * expected_compute("deepseek-chat", output_tokens=half), rel=1e-12
    )


def test_stdin(tmp_path: Path) -> None:
    result = run("--json", "--model", "gpt-4o", "-", input=VERBOSE)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["total"]["replies"] == 1


def test_review_parameters(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(VERBOSE, encoding="utf-8")
    args = ["--json", "--model", "gpt-4o", str(tmp_path / "a.md")]
    base = json.loads(run(*args).stdout)["total"]
    slow = json.loads(
        run(
            *args, "--lines-per-hour", "200", "--words-per-minute", "119", "--hourly-rate", "128"
        ).stdout
    )["total"]
    assert slow["review_hours_before"] == pytest.approx(2 * base["review_hours_before"])
    assert slow["review_before"] == pytest.approx(4 * base["review_before"])
    carried = json.loads(run(*args, "--carry-turns", "5").stdout)["total"]
    assert carried["context_saved"] == pytest.approx(5 * base["context_saved"])


def test_unknown_model_warns_on_stderr_and_reports_null(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(VERBOSE, encoding="utf-8")
    result = run("--json", "--model", "acme-coder-9000", str(tmp_path / "a.md"))
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)["models"]
    assert row["compute"] is None and row["review_before"] > 0
    assert "acme-coder-9000" in result.stderr and "warning" in result.stderr


def test_prices_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(VERBOSE, encoding="utf-8")
    prices = tmp_path / "prices.toml"
    prices.write_text('[models."acme-coder-9000"]\ninput = 1\noutput = 3\n', encoding="utf-8")
    result = run(
        "--json", "--model", "acme-coder-9000", "--prices", str(prices), str(tmp_path / "a.md")
    )
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["models"]
    assert row["compute"] == pytest.approx(row["tokens_before"] * 3 / 1e6)
    assert json.loads(result.stdout)["parameters"]["prices_file"] == str(prices)


def test_csv_and_plain_table(jsonl: Path) -> None:
    as_csv = run("--csv", str(jsonl))
    assert as_csv.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [row["kind"] for row in rows] == ["model", "model", "total"]
    table = run(str(jsonl))
    assert table.exit_code == 0
    assert table.stdout.startswith("Cost per model (USD)")
    assert "\x1b[" not in table.stdout  # not a terminal: no colours
    assert "gpt-4o-2024-08-06" in table.stdout and "TOTAL" in table.stdout


def test_compare_and_per_day(jsonl: Path) -> None:
    result = run("--json", "--compare", "gpt-4,gemini-2.0-flash", "--per-day", "10M", str(jsonl))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [row["model"] for row in data["compare"]] == ["gpt-4", "gemini-2.0-flash"]
    projected = {row["model"]: row for row in data["projection"]}
    assert set(projected) == {
        "gpt-4o-2024-08-06",
        "claude-3-5-sonnet-20240620",
        "gpt-4",
        "gemini-2.0-flash",
    }
    assert projected["gpt-4"]["tokens_per_day"] == 10_000_000
    assert projected["gpt-4"]["input_tokens"] + projected["gpt-4"]["output_tokens"] == 300_000_000
    assert projected["gpt-4"]["compute"] > projected["gemini-2.0-flash"]["compute"]


def test_html_file(tmp_path: Path, jsonl: Path) -> None:
    page = tmp_path / "report.html"
    result = run("--html", str(page), "--compare", "gpt-4", str(jsonl))
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text and "<script" not in text
    assert result.stdout.startswith("Cost per model")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}"], "no such file"),
        (["--prices", "{bad_prices}", "{md}"], "prices"),
        (["--json", "--csv", "{md}"], "use only one of"),
        (["--level", "extreme", "{md}"], "extreme"),
        (["--per-day", "lots", "{md}"], "not a token count"),
        (["--carry-turns", "-1", "{md}"], "--carry-turns must not be negative"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    md = tmp_path / "a.md"
    md.write_text(VERBOSE, encoding="utf-8")
    bad_prices = tmp_path / "prices.toml"
    bad_prices.write_text("[models.x]\ninput = 1\n", encoding="utf-8")
    values = {"missing": tmp_path / "nope.md", "bad_prices": bad_prices, "md": md}
    result = run(*(arg.format(**values) for arg in args))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_binary_input_exits_2(tmp_path: Path) -> None:
    binary = tmp_path / "blob.md"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    result = run(str(binary))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_partly_unreadable_input_still_reports_and_exits_2(tmp_path: Path, jsonl: Path) -> None:
    with jsonl.open("a", encoding="utf-8") as stream:
        stream.write("{not json\n")
    result = run("--json", str(jsonl))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["total"]["replies"] == 3
    assert "runs.jsonl:4" in result.stderr


def test_registered_on_the_main_cli(jsonl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = pytest.importorskip("tokentrim.cli")
    code = cli.main(["report", "--json", str(jsonl)])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["total"]["replies"] == 3
