"""``tokentrim rules [ID]``: the rules in the order they run, or one rule explained.

Without ID: a table with a header (rich on a terminal, aligned plain text otherwise);
``--json`` gives a JSON array with each rule's before/after example too. With ID: what the rule
does, what it checks before it fires, and its before/after as a diff — like ``ruff rule``.
"""

from __future__ import annotations

import difflib
import json
import sys
from typing import Any

import click

from tokentrim.cli.output import unified_diff
from tokentrim.rules import CodeRule, TextRule, all_rules

__all__ = ["explain", "render_table", "rule_rows", "rules_command"]

COLUMNS = ("id", "level", "kind", "description")


@click.command("rules")
@click.argument("rule_id", required=False, metavar="[ID]")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")
def rules_command(rule_id: str | None, as_json: bool) -> None:
    """List the rules (id, level, kind, what each does), or explain the rule ID."""
    rows = rule_rows()
    if rule_id is not None:
        row = next((r for r in rows if r["id"] == rule_id), None)
        if row is None:
            close = difflib.get_close_matches(rule_id, [r["id"] for r in rows], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (see `tokentrim rules`)"
            raise click.UsageError(f"no rule {rule_id!r}{hint}")
        click.echo(json.dumps(row, indent=2, ensure_ascii=False) if as_json else explain(row))
    elif as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif sys.stdout.isatty():
        from rich.console import Console

        render_table(rows, Console())
    else:
        widths = [max(len(c), *(len(r[c]) for r in rows)) for c in COLUMNS[:-1]]
        header = [c.upper() for c in COLUMNS]
        for cells in (header, *([r[c] for c in COLUMNS] for r in rows)):
            *columns, description = cells
            padded = (cell.ljust(width) for cell, width in zip(columns, widths, strict=True))
            click.echo("  ".join([*padded, description]))


def rule_rows() -> list[dict[str, Any]]:
    """One dict per registered rule, in run order."""
    return [
        {
            "id": rule.id,
            "level": rule.level,
            "kind": "code" if issubclass(rule, CodeRule) else "text",
            "description": rule.description,
            "explanation": _explanation(rule),
            "before": rule.before,
            "after": rule.after,
        }
        for rule in all_rules()
        if issubclass(rule, CodeRule | TextRule)
    ]


def explain(row: dict[str, Any]) -> str:
    """One rule, for a reader: its header, why it is safe, and its example as a diff."""
    parts = [f"{row['id']} ({row['level']}, {row['kind']})", "", row["description"]]
    if row["explanation"]:
        parts += ["", row["explanation"]]
    if row["before"]:
        diff = unified_diff(row["before"], row["after"], "example")
        parts += ["", "Example:", "", *("    " + line for line in diff.splitlines()[2:])]
    parts += ["", f"Turn it off with --disable {row['id']}; on below its level with --enable."]
    return "\n".join(parts)


def render_table(rows: list[dict[str, Any]], console: Any) -> None:
    from rich.table import Table

    table = Table(title="tokentrim rules (in the order they run)")
    for column in COLUMNS:
        table.add_column(column, no_wrap=column != "description")
    for row in rows:
        table.add_row(*(row[c] for c in COLUMNS))
    console.print(table)


def _explanation(rule: type) -> str:
    """The rule module's docstring after its first line: what the rule proves before it fires."""
    doc = sys.modules[rule.__module__].__doc__ or ""
    return doc.partition("\n")[2].strip()
