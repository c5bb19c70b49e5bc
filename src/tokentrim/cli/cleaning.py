"""Trimming one input for ``tokentrim clean``: a text file, a JSONL file or an llm ``logs.db``.

:func:`clean_input` reads an input, trims its replies and writes what the mode asks for through
two callables — payload for stdout, lines for stderr — so the same code runs in the CLI's own
process or in a worker (``-j``) that hands its output back in order. It returns the input's
:class:`~tokentrim.cli.tally.Tally` only when the input was trimmed (and, with ``-i``, written):
an input whose write failed is an error, never counted as saved. Bad records of a JSONL file are
errors too, but the file's good records are still trimmed and counted.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, cast

import click

from tokentrim.cli.output import STDIN, jsonl_diff, unified_diff
from tokentrim.cli.tally import Tally
from tokentrim.errors import InputError
from tokentrim.pipeline import TrimResult, trim
from tokentrim.settings import Settings
from tokentrim.sources import Input, Reply, open_input, rewrite_jsonl, rewrite_jsonl_file
from tokentrim.sources.files import atomic_writer, os_message
from tokentrim.sources.inputs import BOM

if TYPE_CHECKING:
    from tokentrim.cost import PriceTable  # genai-prices loads only when a price is asked for

__all__ = ["Job", "clean_input", "colorize_diff"]

Emit = Callable[[bytes], None]
Say = Callable[[str], None]
OnError = Callable[[str, str], None]


@dataclasses.dataclass(frozen=True)
class Job:
    """What ``clean`` was asked to do, the same for every input (picklable, for ``-j``)."""

    settings: Settings
    prices: PriceTable | None = None
    in_place: bool = False
    check: bool = False
    diff: bool = False
    as_json: bool = False
    field: str | None = None
    verbose: bool = False
    color: bool = False
    stdin_name: str = STDIN

    @property
    def to_stdout(self) -> bool:
        """No mode flag: the cleaned text itself is the payload."""
        return not (self.in_place or self.check or self.diff or self.as_json)


def clean_input(name: str, job: Job, emit: Emit, say: Say) -> tuple[Tally | None, list[str]]:
    """Trim one input: (its tally or None when it failed, the one-line errors to report)."""
    shown = job.stdin_name if name == STDIN else name
    errors: list[str] = []

    def on_error(origin: str, message: str) -> None:
        errors.append(f"{origin}: {message}")

    try:
        source = open_input(name)
        tally = Tally(shown, source.kind)
        clean = {"jsonl": _clean_jsonl, "llm-logs": _clean_llm_logs}.get(source.kind, _clean_text)
        changed = clean(source, shown, job, tally, emit, say, on_error)
        if job.check and changed is not None:
            say(f"would trim {shown}{changed}")
        if job.as_json:
            emit((json.dumps(tally.json(), ensure_ascii=False) + "\n").encode())
    except InputError as exc:
        return None, [*errors, f"{shown}: {exc}"]
    except BrokenPipeError:
        raise
    except OSError as exc:
        return None, [*errors, f"{shown}: {os_message(exc)}"]
    return tally, errors


def colorize_diff(diff: str) -> str:
    """A unified diff with ANSI colours, as ``git diff`` shows it."""
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(click.style(line, bold=True))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        else:
            out.append(line)
    return "".join(out)


def _trim(job: Job, text: str, reply: Reply | None = None) -> TrimResult:
    if reply is None:
        return trim(text, settings=job.settings, prices=job.prices)
    return trim(
        text, model=reply.model, settings=job.settings, usage=reply.usage, prices=job.prices
    )


def _count(tally: Tally, result: TrimResult, origin: str, job: Job, say: Say) -> None:
    for line in tally.add(result, origin):
        if job.verbose:
            say(line)


def _diff(job: Job, diff: str) -> bytes:
    return (colorize_diff(diff) if job.color else diff).encode("utf-8", "surrogateescape")


# Each kind of input is trimmed and written as the mode asks; it returns what `--check` says
# after "would trim NAME" when something would change (None when nothing would).


def _clean_text(
    source: Input, shown: str, job: Job, tally: Tally, emit: Emit, say: Say, on_error: OnError
) -> str | None:
    text, bom = source.read_text()
    result = _trim(job, text)
    prefix = BOM if bom else ""
    if job.in_place and result.changed:
        with atomic_writer(source.name) as out:
            out.stream.write((prefix + result.text).encode("utf-8", "surrogateescape"))
    # Counted only now: a write that failed raised above, and the input is an error instead.
    _count(tally, result, shown, job, say)
    if job.to_stdout:
        emit((prefix + result.text).encode("utf-8", "surrogateescape"))
    if job.diff and result.changed:
        emit(_diff(job, unified_diff(prefix + text, prefix + result.text, shown)))
    return "" if result.changed else None


def _clean_jsonl(
    source: Input, shown: str, job: Job, tally: Tally, emit: Emit, say: Say, on_error: OnError
) -> str | None:
    def transform(text: str, reply: Reply) -> str:
        result = _trim(job, text, reply)
        _count(tally, result, reply.origin, job, say)
        return result.text

    options: dict[str, Any] = {"field": job.field, "on_error": on_error}
    if job.in_place and source.path is not None:
        stats = rewrite_jsonl_file(source.name, transform, **options)
    elif job.diff:
        with tempfile.TemporaryFile() as original, tempfile.TemporaryFile() as rewritten:
            # Read twice (rewrite, then diff): stdin is kept in a spool file.
            with source.open_bytes() as stream:
                shutil.copyfileobj(stream, original)
            original.seek(0)
            stats = rewrite_jsonl(original, rewritten, transform, name=shown, **options)
            original.seek(0)
            rewritten.seek(0)
            diff = b"".join(jsonl_diff(original, rewritten, shown))
            emit(_diff(job, diff.decode("utf-8", "surrogateescape")) if job.color else diff)
    elif job.to_stdout:
        spool = cast(IO[bytes], _Emitter(emit))
        with source.open_bytes() as stream:
            stats = rewrite_jsonl(stream, spool, transform, name=shown, **options)
    else:  # --check, --json: read and trim, write nothing
        with source.open_bytes() as stream, open(os.devnull, "wb") as sink:
            stats = rewrite_jsonl(stream, sink, transform, name=shown, **options)
    tally.records = stats.records
    return f" ({stats.changed} records)" if stats.changed else None


def _clean_llm_logs(
    source: Input, shown: str, job: Job, tally: Tally, emit: Emit, say: Say, on_error: OnError
) -> str | None:
    if job.in_place or job.diff or job.to_stdout:
        raise InputError(
            "llm logs.db is read-only for tokentrim (use --json, --check, or `tokentrim report`)"
        )
    for reply in source.replies(None, on_error):
        _count(tally, _trim(job, reply.text, reply), reply.origin, job, say)
    tally.records = tally.replies
    return f" ({tally.changed} replies)" if tally.changed else None


class _Emitter:
    """A binary file-like object that hands each write to ``emit``."""

    def __init__(self, emit: Emit) -> None:
        self.write = emit

    def flush(self) -> None:
        return None
