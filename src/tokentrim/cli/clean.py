"""``tokentrim clean``: trim files, directories, JSONL or stdin; rewrite, check, diff or report.

One input without ``--in-place/--check/--diff/--json``: the cleaned text goes to stdout. JSONL
inputs are rewritten record by record (reply strings only, every other byte kept); an llm
``logs.db`` is read-only (``--json`` and ``--check`` only).
"""

from __future__ import annotations

import collections
import dataclasses
import json
import os
import shutil
import sys
import tempfile
from typing import Any

import click

from tokentrim.cli.options import prices_for, settings_from_options, settings_options
from tokentrim.cli.outcome import Report
from tokentrim.cli.output import STDIN, Progress, jsonl_diff, unified_diff, write_stdout
from tokentrim.errors import InputError
from tokentrim.pipeline import TrimResult, trim
from tokentrim.settings import Settings
from tokentrim.sources import DEFAULT_INCLUDE, Input, Reply, expand, open_input
from tokentrim.sources import rewrite_jsonl as _rewrite_jsonl
from tokentrim.sources import rewrite_jsonl_file as _rewrite_jsonl_file
from tokentrim.sources.files import atomic_writer, os_message
from tokentrim.sources.inputs import BOM

__all__ = ["clean_command", "result_json"]

MODES = ("in-place", "check", "diff", "json", "stdout")
# llm's logs.db is read-only for clean: take one from a directory only when asked to.
_CLEAN_INCLUDE = tuple(glob for glob in DEFAULT_INCLUDE if glob != "*.db")


@click.command("clean")
@click.argument("paths", nargs=-1, metavar="[PATH ...]")
@click.option("-i", "--in-place", is_flag=True, help="Rewrite the files (atomically).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if anything would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff instead of the text.")
@click.option("--json", "as_json", is_flag=True, help="One JSON report per input on stdout.")
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Files to take from directories (default: *.md *.markdown *.txt *.jsonl *.ndjson).",
)
@click.option(
    "--field", metavar="NAME", help="JSONL records: the field that holds the reply (dotted path)."
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@settings_options
def clean_command(
    paths: tuple[str, ...],
    in_place: bool,
    check: bool,
    show_diff: bool,
    as_json: bool,
    include: tuple[str, ...],
    field: str | None,
    quiet: bool,
    **options: Any,
) -> int:
    """Trim replies: PATH is a file, a directory (recursive) or - for stdin (the default).

    One input without --in-place/--check/--diff/--json: the cleaned text goes to stdout. JSONL files
    (OpenAI, Anthropic, Batch output, records with --field) are rewritten record by record: only
    reply strings change, every other byte stays.
    """
    if sum((in_place, check, show_diff, as_json)) > 1:
        raise click.UsageError("use only one of --in-place, --check, --diff, --json")
    settings = settings_from_options(options)
    run = _Run(settings, prices_for(settings), field, Report(check=check, quiet=quiet))
    inputs = list(
        expand(
            paths or (STDIN,),
            include=include,
            on_error=run.report.failed,
            default_include=_CLEAN_INCLUDE,
        )
    )
    if in_place and STDIN in inputs:
        raise click.UsageError("--in-place needs files, not stdin")
    mode = MODES[[in_place, check, show_diff, as_json, True].index(True)]
    if mode == "stdout" and len(inputs) > 1:
        raise click.UsageError(
            f"{len(inputs)} inputs: use --in-place, --check, --diff or --json (stdout takes one)"
        )
    enabled = not quiet and len(inputs) > 1 and sys.stderr.isatty()
    with Progress(len(inputs), enabled=enabled) as advance:
        for name in inputs:
            run.clean_one(name, mode)
            advance()
    run.report.summary(dry_run=mode in ("check", "diff"))
    return run.report.exit_code


@dataclasses.dataclass
class _Aggregate:
    """The --json report of an input holding many replies (JSONL, logs.db): sums, not a list,
    so that a multi-GB file is reported in constant memory."""

    path: str
    replies: int = 0
    changed: int = 0
    tokens_before: int = 0
    tokens_after: int = 0
    encoding: str | None = None
    blocks: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    rules: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    warnings: int = 0
    costs: dict[str, float | None] = dataclasses.field(default_factory=dict)

    def add(self, result: TrimResult) -> None:
        self.replies += 1
        self.changed += result.changed
        self.tokens_before += result.tokens_before
        self.tokens_after += result.tokens_after
        self.encoding = result.encoding
        self.blocks.update(block.status for block in result.blocks)
        self.rules.update(result.rules)
        self.warnings += len(result.warnings)
        if result.cost is not None:
            for key in ("compute", "review_before", "review_after", "context_saved"):
                value = getattr(result.cost, key, None)
                # One reply without a price makes the sum unknown, not smaller.
                total = self.costs.get(key, 0.0)
                self.costs[key] = None if value is None or total is None else total + value

    def json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "replies": self.replies,
            "changed": self.changed,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "encoding": self.encoding,
            "blocks": dict(self.blocks),
            "rules": dict(self.rules),
            "warnings": self.warnings,
            "cost": self.costs or None,
        }


@dataclasses.dataclass
class _Run:
    """One ``clean`` run: cleans each input and tells its :class:`Report` what happened."""

    settings: Settings
    prices: Any = None
    field: str | None = None
    report: Report = dataclasses.field(default_factory=Report)

    def trim(self, text: str, reply: Reply | None = None) -> TrimResult:
        if reply is None:
            return trim(text, settings=self.settings, prices=self.prices)
        return trim(
            text, model=reply.model, settings=self.settings, usage=reply.usage, prices=self.prices
        )

    def clean_one(self, name: str, mode: str) -> None:
        self.report.inputs += 1
        try:
            source = open_input(name)
            if source.kind == "jsonl":
                self._clean_jsonl(source, mode)
            elif source.kind == "llm-logs":
                self._clean_llm_logs(source, mode)
            else:
                self._clean_text(source, mode)
        except InputError as exc:
            self.report.failed(name, str(exc))
        except BrokenPipeError:
            raise
        except OSError as exc:
            self.report.failed(name, os_message(exc))

    # -- text files and stdin

    def _clean_text(self, source: Input, mode: str) -> None:
        name = source.name
        text, bom = source.read_text()
        result = self.trim(text)
        self.report.trimmed(result)
        self.report.done(result.changed)
        _warn(name, result)
        prefix = BOM if bom else ""
        if mode == "stdout":
            write_stdout(prefix + result.text)
        elif mode == "diff":
            if result.changed:
                write_stdout(unified_diff(prefix + text, prefix + result.text, name))
        elif mode == "json":
            write_stdout(json.dumps(result_json(name, result), ensure_ascii=False) + "\n")
        elif mode == "check":
            if result.changed:
                click.echo(f"would trim {name}", err=True)
        elif mode == "in-place" and result.changed:
            with atomic_writer(name) as out:
                out.stream.write((prefix + result.text).encode("utf-8", "surrogateescape"))

    # -- JSONL: reply strings only, streamed

    def _clean_jsonl(self, source: Input, mode: str) -> None:
        name = source.name
        aggregate = _Aggregate(name)
        on_error = self.report.failed

        def transform(text: str, reply: Reply) -> str:
            result = self.trim(text, reply)
            self.report.trimmed(result)
            aggregate.add(result)
            _warn(f"{reply.origin}", result)
            return result.text

        def rewrite(dst: Any, src: Any = None) -> Any:
            with src or source.open_bytes() as stream:
                return _rewrite_jsonl(
                    stream, dst, transform, field=self.field, name=name, on_error=on_error
                )

        if mode in ("in-place", "check") and source.path is not None:
            stats = _rewrite_jsonl_file(
                name, transform, field=self.field, on_error=on_error, dry_run=mode == "check"
            )
            if mode == "check" and stats.changed:
                click.echo(f"would trim {name} ({stats.changed} records)", err=True)
        elif mode == "diff":
            with tempfile.TemporaryFile() as original, tempfile.TemporaryFile() as rewritten:
                # The input is read twice (rewrite, then diff): stdin is kept in a spool file.
                with source.open_bytes() as stream:
                    shutil.copyfileobj(stream, original)
                original.seek(0)
                stats = rewrite(rewritten, _Unclosed(original))
                original.seek(0)
                rewritten.seek(0)
                write_stdout(b"".join(jsonl_diff(original, rewritten, name)))
        elif mode in ("json", "check"):
            with open(os.devnull, "wb") as sink:
                stats = rewrite(sink)
            if mode == "check" and stats.changed:
                click.echo(f"would trim {name} ({stats.changed} records)", err=True)
        else:
            sys.stdout.flush()
            stats = rewrite(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        self.report.done(bool(stats.changed))
        if mode == "json":
            summary = aggregate.json()
            summary["records"] = stats.records
            write_stdout(json.dumps(summary, ensure_ascii=False) + "\n")

    # -- llm logs.db: read-only

    def _clean_llm_logs(self, source: Input, mode: str) -> None:
        if mode not in ("json", "check"):
            raise InputError(
                "llm logs.db is read-only for tokentrim (use --json, --check, or `tokentrim report`)"
            )
        aggregate = _Aggregate(source.name)
        for reply in source.replies(None, self.report.failed):
            result = self.trim(reply.text, reply)
            self.report.trimmed(result)
            aggregate.add(result)
        self.report.done(bool(aggregate.changed))
        if mode == "json":
            write_stdout(json.dumps(aggregate.json(), ensure_ascii=False) + "\n")
        elif aggregate.changed:
            click.echo(f"would trim {source.name} ({aggregate.changed} replies)", err=True)


def result_json(path: str | None, result: TrimResult) -> dict[str, Any]:
    """The ``--json`` report of one reply."""
    data: dict[str, Any] = {} if path is None else {"path": path}
    data.update(
        tokens_before=result.tokens_before,
        tokens_after=result.tokens_after,
        encoding=result.encoding,
        changed=result.changed,
        rules=list(result.rules),
        blocks=[dataclasses.asdict(b) for b in result.blocks],
        warnings=list(result.warnings),
        cost=_cost_json(result.cost),
    )
    return data


def _cost_json(cost: Any) -> Any:
    if cost is None:
        return None
    return json.loads(json.dumps(dataclasses.asdict(cost), default=str))


def _warn(name: str, result: TrimResult) -> None:
    for block in result.blocks:
        if block.status == "failed":
            click.echo(
                f"tokentrim: {name}: block at offset {block.start} kept: {block.reason}", err=True
            )


class _Unclosed:
    """A file used as a context manager without being closed (it is read again afterwards)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __enter__(self) -> Any:
        return self._stream

    def __exit__(self, *exc: object) -> None:
        return None
