"""``tokentrim report``: what saved replies cost per model — compute, review time, savings."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from tokentrim.cli.options import prices_for, settings_from_options, settings_options
from tokentrim.cli.outcome import EXIT_INPUT, Report, error, warning
from tokentrim.cli.output import Progress
from tokentrim.errors import TokentrimError
from tokentrim.report import (
    Reply,
    build_report,
    render_csv,
    render_html,
    render_json,
    render_rich,
    render_text,
)
from tokentrim.report import (
    Report as CostSummary,
)

__all__ = ["report_command"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmb]?)\s*$", re.IGNORECASE)
MAX_ERRORS_SHOWN = 20
_MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


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
# Output.
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
    as_json: bool,
    as_csv: bool,
    html_file: str | None,
    jobs: int,
    quiet: bool,
    **options: Any,
) -> None:
    """Trim saved replies and report what they cost per model: compute, review time, savings.

    PATH is a markdown/text file, a directory (recursive), a JSONL file (OpenAI chat completions,
    Batch output, Responses API, Anthropic messages, or records with --field), an llm logs.db, or
    - for stdin (the default). See docs/costs.md for the formulas and their sources.
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
        with Progress(None, enabled=not quiet and sys.stderr.isatty()) as advance:
            report = build_report(
                _replies(list(paths) or ["-"], field, include, outcome.failed),
                settings=settings,
                prices=prices,
                compare=compare_models,
                per_day=per_day,
                input_share=input_share,
                on_reply=advance,
                jobs=jobs or os.cpu_count() or 1,
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
        for message, count in report.warnings.items():
            suffix = f" ({count} replies)" if count > 1 else ""
            warning(f"{message}{suffix}")
    # Whatever could be read is reported; the unreadable inputs still fail the run.
    outcome.flush()
    ctx.exit(outcome.exit_code)


def _replies(
    paths: list[str],
    field: str | None,
    include: tuple[str, ...],
    on_error: Callable[[str, str], None],
) -> Iterator[Reply]:
    from tokentrim.sources import iter_replies

    yield from iter_replies(paths, field=field, include=include, on_error=on_error)


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
