"""``tokentrim clean``: trim files, directories, JSONL or stdin; rewrite, check, diff or report.

One input without ``--in-place/--check/--diff/--json``: the cleaned text goes to stdout. JSONL
inputs are rewritten record by record (reply strings only, every other byte kept); an llm
``logs.db`` is read-only (``--json`` and ``--check`` only). The work on each input is in
:mod:`tokentrim.cli.cleaning`; this module parses the flags, runs the inputs (in order, in
worker processes with ``-j``) and lets :class:`~tokentrim.cli.outcome.Report` end the run.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import click

from tokentrim.cli.cleaning import Job, clean_input
from tokentrim.cli.options import (
    model_warnings,
    prices_for,
    settings_from_options,
    settings_options,
)
from tokentrim.cli.outcome import Report, warning
from tokentrim.cli.output import STDIN, Progress, write_stdout
from tokentrim.cli.tally import Tally
from tokentrim.sources import DEFAULT_INCLUDE, expand
from tokentrim.sources.files import detect_kind

__all__ = ["clean_command"]

# llm's logs.db is read-only for clean: take one from a directory only when asked to.
_CLEAN_INCLUDE = tuple(glob for glob in DEFAULT_INCLUDE if glob != "*.db")
_IN_FLIGHT_PER_JOB = 4


@click.command("clean")
@click.argument("paths", nargs=-1, metavar="[PATH ...]")
@click.option("-i", "--in-place", is_flag=True, help="Rewrite the files (atomically).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if anything would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff (with --check too).")
@click.option("--json", "as_json", is_flag=True, help="One JSON report per input on stdout.")
@click.option(
    "--color/--no-color", default=None, help="Colour the diff (default: when stdout is a terminal)."
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Files to take from directories (default: *.md *.markdown *.txt *.jsonl *.ndjson).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="PATTERN",
    help="Skip these paths in directories (gitignore-style; .gitignore is always respected).",
)
@click.option(
    "--field", metavar="NAME", help="JSONL records: the field that holds the reply (dotted path)."
)
@click.option(
    "--stdin-filename", metavar="NAME", help="The name stdin goes by in diffs, messages and JSON."
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes for many files (0: one per CPU).",
)
@click.option("-v", "--verbose", is_flag=True, help="One line per skipped or failed block.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@settings_options
def clean_command(
    paths: tuple[str, ...],
    in_place: bool,
    check: bool,
    show_diff: bool,
    as_json: bool,
    color: bool | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    field: str | None,
    stdin_filename: str | None,
    jobs: int,
    verbose: bool,
    quiet: bool,
    **options: Any,
) -> int:
    """Trim replies: PATH is a file, a directory (recursive) or - for stdin (the default).

    One input without --in-place/--check/--diff/--json: the cleaned text goes to stdout. JSONL files
    (OpenAI, Anthropic, Batch output, records with --field) are rewritten record by record: only
    reply strings change, every other byte stays. --check --diff prints the diff and exits 1 when
    anything would change (for CI).
    """
    if in_place and (check or show_diff or as_json):
        raise click.UsageError("--in-place cannot be combined with --check, --diff or --json")
    if as_json and show_diff:
        raise click.UsageError("use only one of --diff, --json")
    settings = settings_from_options(options)
    report = Report(check=check, quiet=quiet)
    prices = prices_for(settings)
    for message in [] if quiet else model_warnings(settings.model, prices=prices):
        warning(message)
    job = Job(
        settings=settings,
        prices=prices,
        in_place=in_place,
        check=check,
        diff=show_diff,
        as_json=as_json,
        field=field,
        verbose=verbose,
        color=sys.stdout.isatty() if color is None else color,
        stdin_name=stdin_filename or STDIN,
    )
    given = paths or (STDIN,)
    inputs = list(
        expand(
            given,
            include=include,
            exclude=exclude,
            on_error=report.failed,
            default_include=_CLEAN_INCLUDE,
        )
    )
    if in_place and STDIN in inputs:
        raise click.UsageError("--in-place needs files, not stdin")
    if job.to_stdout and len(inputs) > 1:
        raise click.UsageError(
            f"{len(inputs)} inputs: use --in-place, --check, --diff or --json (stdout takes one)"
        )
    if not inputs and not report.errors:
        globs = " ".join(include or _CLEAN_INCLUDE)
        if not quiet:
            click.echo(f"tokentrim: no files to trim in {', '.join(given)} ({globs})", err=True)
        return report.exit_code
    if STDIN in inputs and not quiet and _stdin_is_a_terminal():
        click.echo("tokentrim: reading a reply from stdin (end it with Ctrl-D; --help)", err=True)
    workers = (jobs or os.cpu_count() or 1) if len(inputs) > 1 else 1
    enabled = not quiet and len(inputs) > 1 and sys.stderr.isatty()
    with Progress(len(inputs), enabled=enabled) as advance:
        for tally, out, said, errors in _run(inputs, job, workers):
            if out:
                write_stdout(b"".join(out))
            for line in said:
                click.echo(
                    line if line.startswith("would trim") else f"tokentrim: {line}", err=True
                )
            for error in errors:
                origin, _, message = error.partition(": ")
                report.failed(origin, message)
            if tally is not None:
                report.commit(tally)
            advance()
    report.summary(dry_run=not in_place and (check or show_diff or as_json))
    return report.exit_code


Done = tuple[Tally | None, list[bytes], list[str], list[str]]


def _run(inputs: list[str], job: Job, workers: int) -> Iterator[Done]:
    """Each input's outcome, in input order: in this process, or text files in ``workers``
    processes (JSONL and logs.db stream, so they stay here, at their place in the order)."""
    if workers <= 1:
        for name in inputs:
            yield _clean_here(name, job)
        return
    from tokentrim import tokens

    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    pending: collections.deque[Future[Done] | str] = collections.deque()
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=tokens.adopt, initargs=(tokens.choices(),)
    ) as pool:
        for name in inputs:
            if name != STDIN and _kind(name) == "text":
                pending.append(pool.submit(_clean_buffered, name, job))
            else:
                pending.append(name)
            while len(pending) > workers * _IN_FLIGHT_PER_JOB or (
                pending and isinstance(pending[0], str)
            ):
                yield _resolve(pending.popleft(), job)
        while pending:
            yield _resolve(pending.popleft(), job)


def _resolve(item: Future[Done] | str, job: Job) -> Done:
    return _clean_here(item, job) if isinstance(item, str) else item.result()


def _clean_here(name: str, job: Job) -> Done:
    """In this process: payload goes straight to stdout, as it is produced (JSONL streams)."""
    said: list[str] = []
    tally, errors = clean_input(name, job, write_stdout, said.append)
    return tally, [], said, errors


def _clean_buffered(name: str, job: Job) -> Done:
    """In a worker: everything is handed back to be written in input order."""
    out: list[bytes] = []
    said: list[str] = []
    tally, errors = clean_input(name, job, out.append, said.append)
    return tally, out, said, errors


def _kind(name: str) -> str:
    try:
        return detect_kind(Path(name))
    except Exception:  # noqa: BLE001 - unreadable: the worker reports it the usual way
        return "text"


def _stdin_is_a_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
