"""``tokentrim count``: tokens per reply, through the same inputs as ``clean`` and ``report``."""

from __future__ import annotations

import json

import click

from tokentrim.cli.outcome import Report
from tokentrim.cli.output import STDIN, write_stdout
from tokentrim.settings import load_settings
from tokentrim.sources import iter_replies
from tokentrim.tokens import count_tokens, encoding_for

__all__ = ["count_command"]


@click.command("count")
@click.argument("paths", nargs=-1, metavar="[PATH ...]")
@click.option("--model", help="Model whose tokenizer to use (default cl100k_base).")
@click.option("--include", multiple=True, metavar="GLOB", help="Files to take from directories.")
@click.option("--field", metavar="NAME", help="JSONL records: the field that holds the reply.")
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")
def count_command(
    paths: tuple[str, ...],
    model: str | None,
    include: tuple[str, ...],
    field: str | None,
    as_json: bool,
) -> int:
    """Count the tokens of replies (files, directories, JSONL, llm logs.db, or - for stdin)."""
    # The model comes from the flag, else [tool.tokentrim] / TOKENTRIM_MODEL, like every command.
    model = load_settings({"model": model} if model else {}).model
    report = Report()
    rows = []
    for reply in iter_replies(
        list(paths or (STDIN,)), field=field, include=include, on_error=report.failed
    ):
        rows.append((reply.origin, count_tokens(reply.text, model=model or reply.model)))
    encoding = encoding_for(model)[1]
    total = sum(n for _, n in rows)
    if as_json:
        payload = {
            "model": model,
            "encoding": encoding,
            "total": total,
            "inputs": [{"path": p, "tokens": n} for p, n in rows],
        }
        write_stdout(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        for origin, n in rows:
            write_stdout(f"{n:>10,}  {origin}\n")
        if len(rows) > 1:
            write_stdout(f"{total:>10,}  total\n")
        click.echo(f"tokentrim: tokenizer {encoding}", err=True)
    return report.exit_code
