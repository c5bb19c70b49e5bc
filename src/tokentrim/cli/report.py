"""``tokentrim report``: what saved replies cost per model — compute, review time, savings."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click

from tokentrim.cli.options import (
    model_warnings,
    prices_for,
    settings_from_options,
    settings_options,
)
from tokentrim.cli.outcome import EXIT_INPUT, Report, error, warning
from tokentrim.cli.output import stderr_console
from tokentrim.errors import TokentrimError
from tokentrim.report import (
    CostSummary,
    build_report,
    render_csv,
    render_html,
    render_json,
    render_rich,
    render_text,
)
from tokentrim.sources.llm_logs import LogFilter
from tokentrim.sources.records import Reply
from tokentrim.words import plural

__all__ = ["report_command"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmb]?)\s*$", re.IGNORECASE)
MAX_ERRORS_SHOWN = 20
_MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


class _Since(click.ParamType[datetime]):
    """A point in time: an ISO date or datetime (UTC unless it says otherwise), or ``7d`` ago."""

    name = "WHEN"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        ago = _AGO.match(text)
        if ago:
            return datetime.now(UTC) - timedelta(
                **{_AGO_UNITS[ago.group(2).lower()]: float(ago.group(1))}
            )
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{value!r} is not a date (2025-01-31, 2025-01-31T09:00, 7d, 12h)", param, ctx
            )
        return when if when.tzinfo else when.replace(tzinfo=UTC)


_AGO = re.compile(r"^(\d+(?:\.\d+)?)\s*([mhdw])$", re.IGNORECASE)
_AGO_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class TokenCount(click.ParamType[int]):
    """An integer with an optional k/M/B suffix: ``10M`` is ten million."""

    name = "TOKENS"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _SIZE.match(str(value).replace("_", "").replace(",", ""))
        if not match:
            self.fail(f"{value!r} is not a token count (e.g. 10000000 or 10M)", param, ctx)
        return int(float(match.group(1)) * _MULTIPLIERS[match.group(2).lower()])


@click.command("report")
@click.argument("paths", nargs=-1, metavar="[PATH ...]")
@settings_options  # the trimming options of `tokentrim clean`, --prices among them
@click.option("--include", multiple=True, metavar="GLOB", help="Files to take from directories.")
@click.option("--field", metavar="NAME", help="JSONL records: the field that holds the reply.")
# Costs.
@click.option("--carry-turns", type=int, help="Later prompts that carry each reply (default 1).")
@click.option("--lines-per-hour", type=float, help="Code review speed (default 400 lines/hour).")
@click.option("--words-per-minute", type=float, help="Prose reading speed (default 238).")
@click.option("--hourly-rate", type=float, help="Reviewer cost, USD per hour (default 64).")
@click.option(
    "--compare", multiple=True, metavar="MODEL,...", help="Price the same usage on these models."
)
@click.option(
    "--per-day",
    type=TokenCount(),
    help="Project a 30-day month of this many tokens a day (e.g. 10M) on every model.",
)
@click.option(
    "--input-share",
    type=click.FloatRange(0, 1),
    help="Input share of --per-day tokens (default: measured from provider usage, else 0.5).",
)
# Which logged replies (llm's logs.db), as `llm logs` selects them.
@click.option(
    "--since",
    type=_Since(),
    metavar="WHEN",
    help="logs.db: replies logged at or after WHEN (2025-01-31, 2025-01-31T09:00, or 7d, 12h ago).",
)
@click.option(
    "-n",
    "--count",
    "log_count",
    type=click.IntRange(min=0),
    help="logs.db: only the newest N replies (as `llm logs -n`); with --model, of that model.",
)
# Output.
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="List the N replies trimming shortened most.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON report on stdout.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV report on stdout.")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False),
    help="Also write one self-contained HTML page with charts to FILE.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes for trimming (0: one per CPU).",
)
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr.")
@click.pass_context
def report_command(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    include: tuple[str, ...],
    field: str | None,
    carry_turns: int | None,
    lines_per_hour: float | None,
    words_per_minute: float | None,
    hourly_rate: float | None,
    compare: tuple[str, ...],
    per_day: int | None,
    input_share: float | None,
    since: datetime | None,
    log_count: int | None,
    as_json: bool,
    as_csv: bool,
    top: int,
    html_file: str | None,
    jobs: int,
    quiet: bool,
    **options: Any,
) -> None:
    """Trim saved replies and report what they cost per model: compute, review time, savings.

    PATH is a markdown/text file, a directory (recursive), a JSONL file (OpenAI chat completions,
    Batch output, Responses API, Anthropic messages, or records with --field), an llm logs.db, or
    - for stdin (the default). See docs/costs.md for the formulas and their sources.

    --model names the model of replies that carry none (text files); in a logs.db, where every
    row names its model, it selects that model's rows, as `llm logs -m` does.
    """
    if as_json and as_csv:
        _fail(ctx, "use only one of --json, --csv")
    review = {
        "carry_turns": carry_turns,
        "review_lines_per_hour": lines_per_hour,
        "review_words_per_minute": words_per_minute,
        "review_hourly_rate": hourly_rate,
    }
    compare_models = [name.strip() for item in compare for name in item.split(",") if name.strip()]
    outcome = Report(max_shown=MAX_ERRORS_SHOWN, defer=True)
    try:
        settings = settings_from_options(options, review)
        prices = prices_for(settings)
        inputs = list(paths) or ["-"]
        logs = (
            LogFilter(model=options.get("model"), since=since, count=log_count)
            if options.get("model") or since or log_count
            else None
        )
        early_warnings = model_warnings(settings.model, compare_models, prices)
        with _ReadAndTrimmed(enabled=not quiet and sys.stderr.isatty()) as progress:
            report = build_report(
                progress.counting(_replies(inputs, field, include, outcome.failed, logs)),
                settings=settings,
                prices=prices,
                compare=compare_models,
                per_day=per_day,
                input_share=input_share,
                on_reply=progress.advance,
                jobs=jobs or os.cpu_count() or 1,
                inputs=inputs,
                top=top,
            )
    except TokentrimError as exc:
        _fail(ctx, str(exc))

    if outcome.errors and not report.total.replies:
        outcome.flush()
        ctx.exit(outcome.exit_code)
    _emit(report, as_json=as_json, as_csv=as_csv)
    if html_file:
        try:
            Path(html_file).write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            _fail(ctx, f"{html_file}: cannot write ({exc.strerror or exc})")
        if not quiet:
            click.echo(f"tokentrim: wrote the HTML report to {html_file}", err=True)
    if not quiet:
        for message in early_warnings:
            warning(message)
        for message, count in report.warnings.items():
            suffix = f" ({plural(count, 'reply', 'replies')})" if count > 1 else ""
            warning(f"{message}{suffix}")
    # Whatever could be read is reported; the unreadable inputs still fail the run.
    outcome.flush()
    ctx.exit(outcome.exit_code)


def _replies(
    paths: list[str],
    field: str | None,
    include: tuple[str, ...],
    on_error: Callable[[str, str], None],
    logs: LogFilter | None = None,
) -> Iterator[Reply]:
    from tokentrim.sources import iter_replies

    yield from iter_replies(paths, field=field, include=include, on_error=on_error, logs=logs)


def _emit(report: CostSummary, *, as_json: bool, as_csv: bool) -> None:
    if as_json:
        click.echo(render_json(report), nl=False)
    elif as_csv:
        click.echo(render_csv(report), nl=False)
    elif sys.stdout.isatty():
        from rich.console import Console

        render_rich(report, Console())
    else:
        click.echo(render_text(report), nl=False)


def _fail(ctx: click.Context, message: str) -> NoReturn:
    error(message)
    ctx.exit(EXIT_INPUT)


class _ReadAndTrimmed:
    """A rich progress counter on stderr: replies trimmed of replies read so far, and time.

    The total is not known until the inputs are read to the end, so it grows as replies are read
    (with worker processes, reading runs ahead of trimming); a no-op when not enabled.
    """

    def __init__(self, *, enabled: bool, console: Any = None) -> None:
        self.enabled = enabled
        self.console = console
        self.read = 0
        self.done = 0
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _ReadAndTrimmed:
        if not self.enabled:
            return self
        from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            "[progress.description]{task.description}",
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console or stderr_console(),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("trimming replies", total=0)
        return self

    def counting(self, replies: Iterator[Reply]) -> Iterator[Reply]:
        """``replies``, counting each one as it is read."""
        for reply in replies:
            self.read += 1
            if self._progress is not None:
                self._progress.update(self._task, total=self.read)
            yield reply

    def advance(self, item: Any) -> None:
        self.done += 1
        if self._progress is not None:
            self._progress.update(self._task, completed=self.done)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
