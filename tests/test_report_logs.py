"""`tokentrim report` selects logged replies as `llm logs` does: --model, --since, -n.

Every logs.db is created by the ``llm`` package's own migrations (and, for the current layout,
written by llm's own logger); skipped when llm is not installed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tokentrim.cli.report import report_command
from tokentrim.sources.llm_logs import LogFilter, iter_llm_logs

llm = pytest.importorskip("llm")
sqlite_utils = pytest.importorskip("sqlite_utils")
from llm.migrations import MIGRATIONS, ensure_migrations_table, migrate  # noqa: E402

CODE = "Here you go:\n\n```python\ndef add(a, b):\n    return a + b  # add them\n```\n"


class Canned(llm.Model):  # type: ignore[misc,name-defined]
    def __init__(self, model_id: str, replies: list[str]) -> None:
        self.model_id = model_id
        self.replies = list(replies)

    def execute(self, prompt: Any, stream: bool, response: Any, conversation: Any) -> Iterator[Any]:
        response.set_usage(input=100, output=20)
        yield self.replies.pop(0)


@pytest.fixture
def logs_db(tmp_path: Path) -> Path:
    """A database upgraded from llm 0.3 to today: a row in each of logs, responses and turns."""
    path = tmp_path / "logs.db"
    db = sqlite_utils.Database(path)
    db.execute("pragma synchronous = off")
    ensure_migrations_table(db)
    for fn in MIGRATIONS:
        if fn.__name__ == "m009_delete_logs_table_if_empty":
            break
        fn(db)
        db["_llm_migrations"].insert({"name": fn.__name__, "applied_at": "then"})
    db["logs"].insert(
        {"model": "gpt-3.5-turbo", "prompt": "p", "response": "ancient " + CODE,
         "datetime_utc": "2023-03-01T10:00:00"}
    )  # fmt: skip
    migrate(db)
    db["responses"].insert_all(
        [
            {"id": "old1", "model": "gpt-4", "prompt": "p", "response": "legacy " + CODE,
             "datetime_utc": "2024-05-01T10:00:00+00:00"},
            {"id": "old2", "model": "gpt-4o", "prompt": "p", "response": "later " + CODE,
             "datetime_utc": "2024-09-01T10:00:00+00:00"},
        ]
    )  # fmt: skip
    for text in ("current " + CODE, "newest " + CODE):
        response = Canned("gpt-4o", [text]).prompt("hi")
        response.text()
        response.log_to_db(db)
    db.close()
    return path


def texts(path: Path, where: LogFilter | None = None) -> list[str]:
    return [reply.text.split(" ", 1)[0] for reply in iter_llm_logs(path, where)]


def test_without_a_filter_every_row_oldest_layout_first(logs_db: Path) -> None:
    assert texts(logs_db) == ["ancient", "legacy", "later", "current", "newest"]
    assert texts(logs_db, LogFilter()) == texts(logs_db)


def test_count_takes_the_newest_rows_across_layouts(logs_db: Path) -> None:
    assert texts(logs_db, LogFilter(count=1)) == ["newest"]
    assert texts(logs_db, LogFilter(count=3)) == ["later", "current", "newest"]
    assert texts(logs_db, LogFilter(count=4)) == ["legacy", "later", "current", "newest"]
    assert texts(logs_db, LogFilter(count=99)) == texts(logs_db)


def test_model_matches_the_model_or_resolved_model_case_insensitively(logs_db: Path) -> None:
    assert texts(logs_db, LogFilter(model="GPT-4o")) == ["later", "current", "newest"]
    assert texts(logs_db, LogFilter(model="gpt-3.5-turbo")) == ["ancient"]
    assert texts(logs_db, LogFilter(model="gpt-4o", count=2)) == ["current", "newest"]
    assert texts(logs_db, LogFilter(model="nobody")) == []


def test_since_reads_llms_timestamps(logs_db: Path) -> None:
    since = datetime(2024, 6, 1, tzinfo=UTC)
    assert texts(logs_db, LogFilter(since=since)) == ["later", "current", "newest"]
    naive = datetime(2024, 1, 1)  # UTC, as llm logs it
    assert texts(logs_db, LogFilter(since=naive)) == ["legacy", "later", "current", "newest"]
    assert texts(logs_db, LogFilter(since=datetime(2000, 1, 1))) == texts(logs_db)


def run(*args: str) -> Any:
    return CliRunner().invoke(report_command, list(args), catch_exceptions=False)


def test_report_filters_logs_db(logs_db: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text(CODE, encoding="utf-8")
    everything = json.loads(run("--json", str(logs_db)).stdout)
    assert everything["total"]["replies"] == 5
    newest = json.loads(run("--json", "-n", "2", str(logs_db)).stdout)
    assert newest["total"]["replies"] == 2
    assert [row["model"] for row in newest["models"]] == ["gpt-4o"]
    recent = json.loads(run("--json", "--since", "2024-06-01", str(logs_db)).stdout)
    assert recent["total"]["replies"] == 3
    # --model selects logs.db rows and still names the model of a text file.
    mixed = run("--json", "--model", "gpt-4", str(logs_db), str(tmp_path / "notes.md"))
    assert mixed.exit_code == 0, mixed.stderr
    (row,) = json.loads(mixed.stdout)["models"]
    assert row["model"] == "gpt-4" and row["replies"] == 2  # "legacy" and notes.md
    assert json.loads(run("--json", "--since", "1d", str(logs_db)).stdout)["total"]["replies"] == 2


def test_a_bad_since_is_a_usage_error(logs_db: Path) -> None:
    result = run("--since", "last tuesday", str(logs_db))
    assert result.exit_code == 2 and "is not a date" in result.stderr
