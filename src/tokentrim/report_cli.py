"""The ``tokentrim report`` command (registered on the ``tokentrim`` click group in cli.py)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

from tokentrim.cost import PriceTable, load_prices
from tokentrim.errors import TokentrimError
from tokentrim.report import (
    Reply,
    Report,
    build_report,
    render_csv,
    render_html,
    render_json,
    render_rich,
    render_text,
)
from tokentrim.settings import CHOICES, load_settings

__all__ = ["report_command"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmb]?)\s*$", re.IGNORECASE)
MAX_ERRORS_SHOWN = 20
_MULTIPLIERS = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}


class TokenCount(click.ParamType):
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
@click.option("--model", help="Model of replies whose record names none (prices and tokenizer).")
@click.option("--level", type=click.Choice(CHOICES["level"]), help="Trimming level.")
@click.option("--prose", type=click.Choice(CHOICES["prose"]), help="Keep or drop prose.")
@click.option("--think", type=click.Choice(CHOICES["think"]), help="Keep or strip <think> blocks.")
@click.option("--docstrings", type=click.Choice(CHOICES["docstrings"]), help="Docstring handling.")
@click.option("--no-format", "no_format", is_flag=True, default=None, help="Do not run black.")
@click.option("--line-length", type=int, help="black's line length.")
@click.option("--enable", multiple=True, metavar="RULE", help="Turn a rule on (repeatable).")
@click.option("--disable", multiple=True, metavar="RULE", help="Turn a rule off (repeatable).")
@click.option("--field", metavar="NAME", help="JSONL records: the field that holds the reply.")
@click.option(
    "--prices",
    "prices_file",
    type=click.Path(dir_okay=False),
    help='TOML of per-million-token prices: [models."NAME"] input/output/cache_read/cache_write.',
)
@click.option("--carry-turns", type=int, help="Later prompts that carry each reply (default 1).")
@click.option("--lines-per-hour", type=float, help="Code review speed (default 400 lines/hour).")
@click.option("--words-per-minute", type=float, help="Prose reading speed (default 238).")
@click.option("--hourly-rate", type=float, help="Reviewer cost in USD per hour (default 64).")
@click.option(
    "--compare",
    "compare",
    multiple=True,
    metavar="MODEL,...",
    help="Price the same token usage on these models too.",
)
@click.option(
    "--per-day",
    type=TokenCount(),
    help="Project a 30-day month of this many tokens per day (e.g. 10M) on every model.",
)
@click.option(
    "--input-share",
    type=click.FloatRange(0, 1),
    help="Share of --per-day tokens that are input (default: measured, else 0.5).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON report on stdout.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV report on stdout.")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write a self-contained HTML page with charts to FILE.",
)
@click.pass_context
def report_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    model: str | None,
    level: str | None,
    prose: str | None,
    think: str | None,
    docstrings: str | None,
    no_format: bool | None,
    line_length: int | None,
    enable: tuple[str, ...],
    disable: tuple[str, ...],
    field: str | None,
    prices_file: str | None,
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
) -> None:
    """Trim saved replies and report their cost per model: compute, review time, savings.

    PATH is a markdown/text file, a directory, a JSONL file (OpenAI chat completions, Batch output,
    Responses API, Anthropic messages, or records with a --field), an llm logs.db, or - (stdin).
    """
    if as_json and as_csv:
        _fail(ctx, "--json and --csv cannot be used together")
    overrides: dict[str, Any] = {
        "model": model,
        "level": level,
        "prose": prose,
        "think": think,
        "docstrings": docstrings,
        "format": False if no_format else None,
        "line_length": line_length,
        "carry_turns": carry_turns,
        "review_lines_per_hour": lines_per_hour,
        "review_words_per_minute": words_per_minute,
        "review_hourly_rate": hourly_rate,
    }
    if enable:
        overrides["enable"] = ",".join(enable)
    if disable:
        overrides["disable"] = ",".join(disable)
    compare_models = [name.strip() for item in compare for name in item.split(",") if name.strip()]
    errors: list[str] = []

    def on_error(origin: str, message: str) -> None:
        errors.append(f"{origin}: {message}")

    try:
        settings = load_settings(overrides)
        prices: PriceTable | None = load_prices(prices_file) if prices_file else None
        with _progress() as advance:
            report = build_report(
                _replies(list(paths) or ["-"], field, on_error),
                settings=settings,
                prices=prices,
                compare=compare_models,
                per_day=per_day,
                input_share=input_share,
                on_reply=advance,
            )
    except TokentrimError as exc:
        _fail(ctx, str(exc))
    except OSError as exc:
        _fail(ctx, f"{getattr(exc, 'filename', None) or 'input'}: {exc.strerror or exc}")

    if errors and not report.total.replies:
        for message in errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"tokentrim report: error: {message}", err=True)
        ctx.exit(2)
    _emit(report, as_json=as_json, as_csv=as_csv)
    if html_file:
        try:
            Path(html_file).write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            _fail(ctx, f"{html_file}: cannot write ({exc.strerror or exc})")
    for message, count in report.warnings.items():
        suffix = f" ({count} replies)" if count > 1 else ""
        click.echo(f"tokentrim report: warning: {message}{suffix}", err=True)
    if errors:
        # Whatever could be read is reported; the unreadable inputs still fail the run.
        for message in errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"tokentrim report: error: {message}", err=True)
        if len(errors) > MAX_ERRORS_SHOWN:
            click.echo(
                f"tokentrim report: error: … and {len(errors) - MAX_ERRORS_SHOWN} more", err=True
            )
        ctx.exit(2)


def _replies(
    paths: list[str], field: str | None, on_error: Callable[[str, str], None]
) -> Iterator[Reply]:
    from tokentrim.sources import iter_replies

    yield from iter_replies(paths, field=field, on_error=on_error)


def _emit(report: Report, *, as_json: bool, as_csv: bool) -> None:
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
    click.echo(f"tokentrim report: error: {message}", err=True)
    ctx.exit(2)


class _progress:
    """A rich progress counter on stderr when stderr is a terminal; a no-op otherwise."""

    def __enter__(self) -> Any:
        self._progress = None
        if not sys.stderr.isatty():
            return lambda item: None
        from rich.console import Console
        from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            "[progress.description]{task.description}",
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        task = self._progress.add_task("trimming replies", total=None)

        def advance(item: Any) -> None:
            self._progress.advance(task)  # type: ignore[union-attr]

        return advance

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
