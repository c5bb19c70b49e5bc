"""The ``tokentrim rules`` command: every rule in the registry, in the order they run.

On a terminal: a table. Otherwise one rule per line, tab-separated: id, level, kind (``code`` or
``text``), description. ``--json``: a JSON array with the before/after example of each rule too.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from tokentrim.rules import CodeRule, TextRule, all_rules

__all__ = ["rule_rows", "rules_command"]


@click.command("rules")
@click.option("--json", "as_json", is_flag=True, help="A JSON array on stdout.")
def rules_command(as_json: bool) -> None:
    """List the rules: id, level, kind (code/text) and what each does."""
    rows = rule_rows()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif sys.stdout.isatty():
        from rich.console import Console

        render_table(rows, Console())
    else:
        for row in rows:
            click.echo("\t".join((row["id"], row["level"], row["kind"], row["description"])))


def rule_rows() -> list[dict[str, Any]]:
    """One dict per registered rule, in run order."""
    return [
        {
            "id": rule.id,
            "level": rule.level,
            "kind": "code" if issubclass(rule, CodeRule) else "text",
            "description": rule.description,
            "before": rule.before,
            "after": rule.after,
        }
        for rule in all_rules()
        if issubclass(rule, CodeRule | TextRule)
    ]


def render_table(rows: list[dict[str, Any]], console: Any) -> None:
    from rich.table import Table

    table = Table(title="tokentrim rules (in the order they run)")
    for column in ("id", "level", "kind", "description"):
        table.add_column(column, no_wrap=column != "description")
    for row in rows:
        table.add_row(row["id"], row["level"], row["kind"], row["description"])
    console.print(table)
