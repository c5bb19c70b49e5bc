"""Replies logged by simonw/llm in its SQLite ``logs.db``, read-only.

Three layouts exist, created by ``llm.migrations`` and side by side in a database that has been
upgraded over the years (llm keeps old rows where they are):

- ``log`` (llm 0.1–0.4, in ``~/.llm/log.db``), renamed ``logs`` by migration m007 (llm 0.5) and
  kept by m009 only when it held rows: ``id``, ``model``, ``prompt``, ``response``, … — no token
  counts.
- ``responses`` (llm 0.5–0.31, migration m010; token columns from m013, ``resolved_model`` from
  m019): one row per call with the reply in ``response``. llm 0.32+ stops writing it.
- ``turns`` + ``messages`` + ``parts`` (llm 0.32+, migration m023): a content-addressed message
  tree. A turn's reply is the text parts of the assistant messages between its
  ``parent_message_hash`` (exclusive) and ``tip_message_hash``; a part's text is in ``parts.text``
  or, when it borrows fragments, in a ``text_ref`` list in ``parts.payload``.

Rows of ``responses`` whose id is also a turn are skipped, as ``llm logs`` does.

A :class:`LogFilter` selects rows as ``llm logs`` does: ``model`` (the model or the resolved
model, case-insensitive), ``since`` (logged at or after; SQLite's ``datetime()`` reads llm's
timestamps), ``count`` (the newest N: llm writes only to its newest layout, so they are taken
from ``turns``, then ``responses``, then the old tables, and yielded oldest first).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tokentrim.cost.usage import Usage
from tokentrim.sources.records import Reply

KIND = "llm-logs"


@dataclasses.dataclass(frozen=True)
class LogFilter:
    """Which logged replies to read, as ``llm logs -m MODEL -n COUNT`` selects them."""

    model: str | None = None
    since: datetime | None = None
    count: int | None = None  # None or 0: all

    def where(self, columns: set[str]) -> tuple[list[str], list[Any]]:
        """SQL conditions (and their parameters) for a table with these ``columns``."""
        conditions: list[str] = []
        parameters: list[Any] = []
        if self.model:
            names = [name for name in ("model", "resolved_model") if name in columns]
            conditions.append("(" + " or ".join(f"lower({n}) = ?" for n in names) + ")")
            parameters += [self.model.strip().lower()] * len(names)
        if self.since is not None:
            column = next((c for c in _TIME_COLUMNS if c in columns), None)
            if column is None:
                conditions.append("0")  # no timestamps: nothing is known to be recent
            else:
                since = self.since if self.since.tzinfo else self.since.replace(tzinfo=UTC)
                conditions.append(f"datetime({column}) >= datetime(?)")
                parameters.append(since.astimezone(UTC).isoformat(sep=" "))
        return conditions, parameters


_ALL = LogFilter()
# The timestamp column of each layout: responses, turns and logs (m007+), log (m001).
_TIME_COLUMNS = ("datetime_utc", "timestamp_utc", "timestamp")


def iter_llm_logs(path: Path, where: LogFilter | None = None) -> Iterator[Reply]:
    """Every logged reply (or those ``where`` selects), oldest layout first.

    Raises sqlite3.Error for an unreadable database.
    """
    where = where or _ALL
    uri = path.resolve().as_uri() + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    connection.row_factory = sqlite3.Row
    try:
        tables = {row[0] for row in connection.execute("select name from sqlite_master")}
        if not tables & {"log", "logs", "responses", "turns"}:
            raise sqlite3.DatabaseError("no llm tables (log, logs, responses or turns)")
        layouts: list[Callable[[int | None], Iterator[Reply]]] = []
        for table in ("log", "logs"):
            if table in tables:
                layouts.append(functools.partial(_old_logs, connection, path, table, where))
        if "responses" in tables:
            has_turns = "turns" in tables
            layouts.append(functools.partial(_responses, connection, path, has_turns, where))
        if "turns" in tables:
            layouts.append(functools.partial(_turns, connection, path, where))
        if not where.count:
            for layout in layouts:
                yield from layout(None)
            return
        newest: list[Reply] = []  # newest first, at most ``count``
        for layout in reversed(layouts):
            if len(newest) < where.count:
                newest += layout(where.count - len(newest))
        yield from reversed(newest)
    finally:
        connection.close()


def _query(
    connection: sqlite3.Connection,
    table: str,
    select: str,
    conditions: list[str],
    parameters: list[Any],
    limit: int | None,
) -> Iterator[sqlite3.Row]:
    """Rows of ``table`` oldest first, or its newest ``limit`` rows newest first."""
    where = f" where {' and '.join(conditions)}" if conditions else ""
    order = " order by rowid" if limit is None else f" order by rowid desc limit {int(limit)}"
    yield from connection.execute(f"select {select} from {table}{where}{order}", parameters)


def _old_logs(
    connection: sqlite3.Connection,
    path: Path,
    table: str,
    where: LogFilter = _ALL,
    limit: int | None = None,
) -> Iterator[Reply]:
    conditions, parameters = where.where(_columns(connection, table))
    select = "rowid as row_id, model, response"
    for row in _query(connection, table, select, conditions, parameters, limit):
        origin = f"{path}#{table}/{row['row_id']}"
        yield Reply(row["response"] or "", row["model"] or None, None, origin, KIND)


def _responses(
    connection: sqlite3.Connection,
    path: Path,
    has_turns: bool,
    where: LogFilter = _ALL,
    limit: int | None = None,
) -> Iterator[Reply]:
    columns = _columns(connection, "responses")
    wanted = ["id", "model", "response", "resolved_model", "input_tokens", "output_tokens",
              "token_details"]  # fmt: skip
    select = ", ".join(name if name in columns else f"null as {name}" for name in wanted)
    conditions, parameters = where.where(columns)
    if has_turns:
        conditions.insert(0, "id not in (select id from turns)")
    for row in _query(connection, "responses", select, conditions, parameters, limit):
        yield _reply(row, row["response"] or "", f"{path}#{row['id']}")


def _turns(
    connection: sqlite3.Connection, path: Path, where: LogFilter = _ALL, limit: int | None = None
) -> Iterator[Reply]:
    conditions, parameters = where.where(_columns(connection, "turns"))
    select = (
        "id, model, resolved_model, input_tokens, output_tokens, token_details,"
        " parent_message_hash, tip_message_hash"
    )
    rows = _query(connection, "turns", select, conditions, parameters, limit)
    for row in rows:
        text = _turn_text(connection, row["tip_message_hash"], row["parent_message_hash"])
        yield _reply(row, text, f"{path}#{row['id']}")


def _turn_text(connection: sqlite3.Connection, tip: str | None, parent: str | None) -> str:
    """Text parts of the assistant messages this turn appended, oldest first."""
    hashes: list[str] = []
    current = tip
    while current is not None and current != parent:
        found = connection.execute(
            "select parent_hash, role from messages where hash = ?", [current]
        ).fetchone()
        if found is None:
            break
        if found["role"] == "assistant":
            hashes.append(current)
        current = found["parent_hash"]
    pieces: list[str] = []
    for message_hash in reversed(hashes):
        parts = connection.execute(
            "select id, text, payload from parts where message_hash = ? and type = 'text'"
            " order by position",
            [message_hash],
        )
        pieces.extend(_part_text(connection, part) for part in parts.fetchall())
    return "".join(pieces)


def _part_text(connection: sqlite3.Connection, part: sqlite3.Row) -> str:
    if part["text"] is not None:
        return str(part["text"])
    try:
        payload = json.loads(part["payload"] or "{}")
    except ValueError:
        return ""
    pieces = payload.get("text_ref") if isinstance(payload, dict) else None
    if not isinstance(pieces, list):
        text = payload.get("text") if isinstance(payload, dict) else None
        return text if isinstance(text, str) else ""
    out: list[str] = []
    for piece in pieces:
        if not isinstance(piece, dict):
            continue
        if isinstance(piece.get("literal"), str):
            out.append(piece["literal"])
        elif "fragment" in piece:
            found = connection.execute(
                "select content from fragments where id = ?", [piece["fragment"]]
            ).fetchone()
            out.append(found["content"] if found is not None and found["content"] else "")
    return "".join(out)


def _reply(row: sqlite3.Row, text: str, origin: str) -> Reply:
    model = row["resolved_model"] or row["model"] or None
    return Reply(text, model, _usage(row), origin, KIND)


def _usage(row: sqlite3.Row) -> Usage | None:
    """llm's token columns plus its provider-specific ``token_details`` as one usage mapping."""
    try:
        details = json.loads(row["token_details"] or "{}")
    except ValueError:
        details = {}
    data: dict[str, Any] = dict(details) if isinstance(details, Mapping) else {}
    # llm stores the provider's own counts, so name them as the provider does and let Usage
    # reconcile: OpenAI chat details come from a prompt/completion usage (cached tokens inside the
    # prompt count), Anthropic's cache_* details from an input count that excludes the cache.
    openai_chat = "prompt_tokens_details" in data or "completion_tokens_details" in data
    input_key, output_key = (
        ("prompt_tokens", "completion_tokens") if openai_chat else ("input_tokens", "output_tokens")
    )
    data[input_key] = row["input_tokens"] or 0
    data[output_key] = row["output_tokens"] or 0
    return Usage.from_mapping(data)


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"pragma table_info({table})")}
