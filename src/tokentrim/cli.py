"""The ``tokentrim`` command line: thin I/O around ``trim()``.

stdout carries only payload (cleaned text, a diff, JSON); messages, summaries and progress go to
stderr. Exit codes: 0 ok, 1 ``--check`` found changes, 2 usage error or unreadable input (one line
on stderr, no traceback), 123 internal error.
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import click

from tokentrim.cli_options import settings_from_options, settings_options
from tokentrim.errors import InputError, TokentrimError
from tokentrim.pipeline import TrimResult, trim
from tokentrim.settings import Settings
from tokentrim.sources.files import atomic_writer

EXIT_OK, EXIT_CHANGES, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 123
STDIN = "-"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tokentrim")
def cli() -> None:
    """Trim verbose LLM coding replies: strip comments, simplify Python, reformat, report cost."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (never raises, never prints a traceback)."""
    try:
        code = cli.main(args=argv, prog_name="tokentrim", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:  # click exits 1 itself when stdout is a closed pipe
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except click.ClickException as exc:
        click.echo(f"tokentrim: error: {exc.format_message()}", err=True)
        return EXIT_INPUT
    except click.exceptions.Abort:
        click.echo("tokentrim: aborted", err=True)
        return 130
    except TokentrimError as exc:
        click.echo(f"tokentrim: error: {exc}", err=True)
        return EXIT_INPUT
    except BrokenPipeError:
        # The reader went away (`tokentrim clean x | head`): not an error of ours.
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract is one line and exit 123, never a traceback
        click.echo(f"tokentrim: internal error: {type(exc).__name__}: {exc}", err=True)
        return EXIT_INTERNAL
    return code if isinstance(code, int) else EXIT_OK


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------------------------------- clean


@cli.command("clean")
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
    run = _Run(settings=settings, field=field, quiet=quiet)
    inputs = list(run.expand(paths or (STDIN,), include))
    if in_place and STDIN in inputs:
        raise click.UsageError("--in-place needs files, not stdin")
    mode = (
        "in-place"
        if in_place
        else "check"
        if check
        else "diff"
        if show_diff
        else "json"
        if as_json
        else "stdout"
    )
    if mode == "stdout" and len(inputs) > 1:
        raise click.UsageError(
            f"{len(inputs)} inputs: use --in-place, --check, --diff or --json (stdout takes one)"
        )
    with run.progress(len(inputs)) as advance:
        for name in inputs:
            run.clean_one(name, mode)
            advance()
    run.summary(mode)
    if run.errors:
        return EXIT_INPUT
    if mode == "check" and run.changed:
        return EXIT_CHANGES
    return EXIT_OK


@dataclasses.dataclass
class _Totals:
    inputs: int = 0
    replies: int = 0
    tokens_before: int = 0
    tokens_after: int = 0
    encoding: str = ""

    def add(self, result: TrimResult) -> None:
        self.replies += 1
        self.tokens_before += result.tokens_before
        self.tokens_after += result.tokens_after
        self.encoding = result.encoding


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
    """One CLI run: expands inputs, cleans each, and remembers errors and totals."""

    settings: Settings
    field: str | None = None
    quiet: bool = False
    errors: int = 0
    changed: int = 0
    totals: _Totals = dataclasses.field(default_factory=_Totals)

    def error(self, name: str, message: str) -> None:
        self.errors += 1
        click.echo(f"tokentrim: error: {name}: {message}", err=True)

    def expand(self, paths: tuple[str, ...], include: tuple[str, ...]) -> Iterator[str]:
        from tokentrim.sources.files import DEFAULT_INCLUDE, walk

        # llm's logs.db is read-only for clean: take one from a directory only when asked to.
        default = tuple(glob for glob in DEFAULT_INCLUDE if glob != "*.db")
        for given in paths:
            path = Path(given)
            if given == STDIN:
                yield STDIN
            elif path.is_dir():
                for file in walk(path, tuple(include) or default, self.error):
                    yield str(file)
            elif not path.exists():
                self.error(given, "no such file or directory")
            else:
                yield given

    def clean_one(self, name: str, mode: str) -> None:
        from tokentrim.sources import detect_kind

        self.totals.inputs += 1
        try:
            kind = "text" if name == STDIN else detect_kind(Path(name))
            if kind == "jsonl":
                self._clean_jsonl(name, mode)
            elif kind == "llm-logs":
                self._clean_llm_logs(name, mode)
            else:
                self._clean_text(name, mode)
        except InputError as exc:
            self.error(name, str(exc))
        except BrokenPipeError:
            raise
        except OSError as exc:
            self.error(name, exc.strerror or str(exc))

    # -- text files and stdin

    def _clean_text(self, name: str, mode: str) -> None:
        data = sys.stdin.buffer.read() if name == STDIN else Path(name).read_bytes()
        if name == STDIN and _looks_like_jsonl(data):
            self._clean_jsonl(name, mode, data=data)
            return
        text = decode(data)
        result = trim(text, settings=self.settings)
        self.totals.add(result)
        if result.changed:
            self.changed += 1
        _warn(name, result)
        if mode == "stdout":
            _write_stdout(result.text)
        elif mode == "diff":
            if result.changed:
                _write_stdout(unified_diff(text, result.text, name))
        elif mode == "json":
            _write_stdout(json.dumps(result_json(name, result), ensure_ascii=False) + "\n")
        elif mode == "check":
            if result.changed:
                click.echo(f"would trim {name}", err=True)
        elif mode == "in-place" and result.changed:
            with atomic_writer(name) as out:
                out.stream.write(result.text.encode("utf-8", "surrogateescape"))

    # -- JSONL: reply strings only, streamed

    def _clean_jsonl(self, name: str, mode: str, data: bytes | None = None) -> None:
        from tokentrim.sources import rewrite_jsonl, rewrite_jsonl_file

        aggregate = _Aggregate(name)

        def transform(text: str, reply: Any) -> str:
            result = trim(text, model=reply.model, settings=self.settings, usage=reply.usage)
            self.totals.add(result)
            aggregate.add(result)
            _warn(f"{reply.origin}", result)
            return result.text

        def source() -> Any:
            if data is not None:
                return io.BytesIO(data)
            return open(name, "rb")

        if mode == "in-place":
            stats = rewrite_jsonl_file(name, transform, field=self.field, on_error=self.error)
        elif mode == "check":
            stats = rewrite_jsonl_file(
                name, transform, field=self.field, on_error=self.error, dry_run=True
            )
            if stats.changed:
                click.echo(f"would trim {name} ({stats.changed} records)", err=True)
        elif mode == "diff":
            with tempfile.TemporaryFile() as rewritten:
                with source() as src:
                    stats = rewrite_jsonl(
                        src, rewritten, transform, field=self.field, name=name, on_error=self.error
                    )
                rewritten.seek(0)
                with source() as src:
                    _write_stdout_bytes(b"".join(_jsonl_diff(src, rewritten, name)))
        elif mode == "json":
            with source() as src, open(os.devnull, "wb") as sink:
                stats = rewrite_jsonl(
                    src, sink, transform, field=self.field, name=name, on_error=self.error
                )
        else:
            sys.stdout.flush()
            with source() as src:
                stats = rewrite_jsonl(
                    src,
                    sys.stdout.buffer,
                    transform,
                    field=self.field,
                    name=name,
                    on_error=self.error,
                )
            sys.stdout.buffer.flush()
        if stats.changed:
            self.changed += 1
        if mode == "json":
            report = aggregate.json()
            report["records"] = stats.records
            _write_stdout(json.dumps(report, ensure_ascii=False) + "\n")

    # -- llm logs.db: read-only

    def _clean_llm_logs(self, name: str, mode: str) -> None:
        from tokentrim.sources import iter_replies

        if mode not in ("json", "check"):
            raise InputError(
                "llm logs.db is read-only for tokentrim (use --json, --check, or `tokentrim report`)"
            )
        aggregate = _Aggregate(name)
        for reply in iter_replies([name], on_error=self.error):
            result = trim(reply.text, model=reply.model, settings=self.settings, usage=reply.usage)
            self.totals.add(result)
            aggregate.add(result)
        self.changed += bool(aggregate.changed)
        if mode == "json":
            _write_stdout(json.dumps(aggregate.json(), ensure_ascii=False) + "\n")
        elif aggregate.changed:
            click.echo(f"would trim {name} ({aggregate.changed} replies)", err=True)

    # -- stderr

    def progress(self, total: int):  # type: ignore[no-untyped-def]
        return _progress(total, enabled=not self.quiet and total > 1 and sys.stderr.isatty())

    def summary(self, mode: str) -> None:
        t = self.totals
        if self.quiet or not t.replies:
            return
        saved = t.tokens_before - t.tokens_after
        share = saved / t.tokens_before if t.tokens_before else 0.0
        verb = "would save" if mode in ("check", "diff") else "saved"
        line = (
            f"{t.replies} replies in {t.inputs} inputs, {t.tokens_before:,} → {t.tokens_after:,} tokens "
            f"({t.encoding}): {verb} {saved:,} ({share:.1%}); {self.changed} inputs changed"
        )
        if sys.stderr.isatty():
            from rich.console import Console

            Console(stderr=True).print(f"[bold]tokentrim[/bold] {line}")
        else:
            click.echo(f"tokentrim: {line}", err=True)


# ---------------------------------------------------------------------------------------- count


@cli.command("count")
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
    from tokentrim.sources import iter_replies
    from tokentrim.tokens import count_tokens, encoding_for

    errors = 0

    def on_error(origin: str, message: str) -> None:
        nonlocal errors
        errors += 1
        click.echo(f"tokentrim: error: {origin}: {message}", err=True)

    rows = []
    for reply in iter_replies(
        list(paths or (STDIN,)), field=field, include=include, on_error=on_error
    ):
        rows.append((reply.origin, count_tokens(reply.text, model=model or reply.model)))
    encoding = encoding_for(model)[1]
    total = sum(n for _, n in rows)
    if as_json:
        payload = {
            "encoding": encoding,
            "total": total,
            "inputs": [{"path": p, "tokens": n} for p, n in rows],
        }
        _write_stdout(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        for origin, n in rows:
            _write_stdout(f"{n:>10,}  {origin}\n")
        if len(rows) > 1:
            _write_stdout(f"{total:>10,}  total\n")
        click.echo(f"tokentrim: tokenizer {encoding}", err=True)
    return EXIT_INPUT if errors else EXIT_OK


# ---------------------------------------------------------------------------------------- helpers


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is kept as U+FEFF so it is written back); InputError otherwise."""
    if b"\x00" in data[:8192]:
        raise InputError("binary file (NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def unified_diff(before: str, after: str, name: str) -> str:
    old, new = _diff_names(name)
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=old, tofile=new
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _diff_names(name: str) -> tuple[str, str]:
    if name == STDIN:
        return "stdin", "stdin"
    if os.path.isabs(name):
        return name, name
    return f"a/{name}", f"b/{name}"


def _jsonl_diff(before: IO[bytes], after: IO[bytes], name: str) -> Iterator[bytes]:
    """A unified diff of two JSONL files that have the same lines but changed ones (streamed)."""
    header = False
    for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        if old == new:
            continue
        if not header:
            old_name, new_name = _diff_names(name)
            yield f"--- {old_name}\n+++ {new_name}\n".encode()
            header = True
        yield f"@@ -{number} +{number} @@\n".encode()
        yield b"-" + (old if old.endswith(b"\n") else old + b"\n")
        yield b"+" + (new if new.endswith(b"\n") else new + b"\n")


def result_json(path: str | None, result: TrimResult) -> dict[str, Any]:
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
    if dataclasses.is_dataclass(cost):
        return json.loads(json.dumps(dataclasses.asdict(cost), default=str))
    return cost


def _warn(name: str, result: TrimResult) -> None:
    for block in result.blocks:
        if block.status == "failed":
            click.echo(
                f"tokentrim: {name}: block at offset {block.start} kept: {block.reason}", err=True
            )


def _looks_like_jsonl(data: bytes) -> bool:
    first = data.lstrip().split(b"\n", 1)[0].strip()
    if not first.startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


def _write_stdout(text: str) -> None:
    _write_stdout_bytes(text.encode("utf-8", "surrogateescape"))


def _write_stdout_bytes(data: bytes) -> None:
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


class _progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total, self.enabled, self.bar = total, enabled, None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.progress import Progress

        self.bar = Progress(transient=True, console=_stderr_console())
        self.bar.start()
        task = self.bar.add_task("trimming", total=self.total)
        return lambda: self.bar.advance(task)  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _stderr_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True)


# commands from other modules
from tokentrim.cli_digest import digest_command  # noqa: E402
from tokentrim.report_cli import report_command  # noqa: E402
from tokentrim.rules_cli import rules_command  # noqa: E402

cli.add_command(report_command)
cli.add_command(rules_command)
cli.add_command(digest_command)
