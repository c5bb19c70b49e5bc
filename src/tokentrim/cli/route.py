"""The ``tokentrim route`` group: ``classify``, ``simulate`` and ``plan`` (registered in cli.py).

Exit codes: 0 ok; 1 ``plan`` found no cascade that reaches ``--min-pass``; 2 usage or unreadable
input (one line on stderr, no traceback).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from tokentrim.cli.outcome import EXIT_INPUT, EXIT_NOT_FOUND, error
from tokentrim.errors import TokentrimError

__all__ = ["route_group"]


@click.group("route")
def route_group() -> None:
    """Tiered routing: classify requests, replay cascades on recorded runs, plan the cheapest."""


@route_group.command("classify")
@click.argument("prompts", nargs=-1, metavar="[PROMPT ...]")
@click.option(
    "--labelled",
    "labelled",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="A JSON array or JSONL of objects with a `prompt` (and a `label`: the accuracy).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Also write HTML.")
@click.pass_context
def classify_command(
    ctx: click.Context,
    prompts: tuple[str, ...],
    labelled: str | None,
    as_json: bool,
    html_file: str | None,
) -> None:
    """The tier each PROMPT needs (simple, moderate, complex) and why.

    PROMPT is the request text, or - (the default without --labelled) to read one from stdin.
    Keywords and thresholds come from [tool.tokentrim.route] in the nearest pyproject.toml.
    """
    from tokentrim.route import classify, load_route_config
    from tokentrim.route.render import classify_sections

    try:
        config = load_route_config()
        items: list[tuple[str, str | None]] = []
        if labelled:
            items += _labelled_prompts(Path(labelled))
        for prompt in prompts or (() if labelled else ("-",)):
            text: str = sys.stdin.read() if prompt == "-" else prompt
            items.append((text, None))
    except TokentrimError as exc:
        _fail(ctx, str(exc))
    results = [(prompt, classify(prompt, config), label) for prompt, label in items]
    if as_json:
        payload: dict[str, Any] = {
            "results": [
                {"prompt": prompt, **tier.as_dict(), "label": label}
                for prompt, tier, label in results
            ]
        }
        pairs = [(t.name, label) for _, t, label in results if label is not None]
        if pairs:
            payload["accuracy"] = sum(a == b for a, b in pairs) / len(pairs)
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _show(classify_sections(results))
    if html_file:
        from tokentrim.route.render import render_html

        _write(ctx, html_file, render_html("tokentrim route classify", classify_sections(results)))


def _pricing_options(command: Any) -> Any:
    command = click.option(
        "--check",
        type=click.Choice(["verdict", "compiles"]),
        default="verdict",
        show_default=True,
        help="What escalates: the recorded test verdict, or the recorded answer not compiling.",
    )(command)
    command = click.option(
        "--prices",
        type=click.Path(dir_okay=False),
        help="TOML file of per-million-token prices that overrides genai-prices.",
    )(command)
    return click.option(
        "--bill/--list-prices",
        "bill",
        default=True,
        show_default=True,
        help="Price runs by their billed cost_usd where present, or all by list prices.",
    )(command)


def _output_options(command: Any) -> Any:
    command = click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr.")(command)
    command = click.option(
        "--html",
        "html_file",
        type=click.Path(dir_okay=False),
        help="Also write one self-contained HTML page with a chart to FILE.",
    )(command)
    return click.option("--json", "as_json", is_flag=True, help="JSON on stdout.")(command)


@route_group.command("simulate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--premium", metavar="MODEL", help="The always-one-model baseline (default: best).")
@click.option(
    "--cascade",
    "cascades",
    multiple=True,
    metavar="A,B,...",
    help="A cascade to replay, cheapest first (repeatable).",
)
@click.option(
    "--tier",
    "tiers",
    multiple=True,
    metavar="TIER=A,B",
    help="Tier routing: the cascade a tier starts (repeatable; default [tool.tokentrim.route."
    "tiers], else from the first --cascade).",
)
@click.option(
    "--prompts",
    "prompts_file",
    type=click.Path(dir_okay=False),
    help="JSONL of task_id and prompt, for tier routing when FILE has no prompts.",
)
@_pricing_options
@_output_options
@click.pass_context
def simulate_command(
    ctx: click.Context,
    file: str,
    premium: str | None,
    cascades: tuple[str, ...],
    tiers: tuple[str, ...],
    prompts_file: str | None,
    bill: bool,
    prices: str | None,
    check: str,
    as_json: bool,
    html_file: str | None,
    quiet: bool,
) -> None:
    """Replay always-premium, cascades and tier routing on the per-task, per-model runs in FILE.

    FILE is JSONL: task_id, model, passed, prompt_tokens, completion_tokens, and optionally
    cost_usd, answer and prompt. A cascade escalates while the recorded verdict is a failure
    (--check compiles: while the recorded answer does not compile).
    """
    from tokentrim.route import load_route_config
    from tokentrim.route.render import render_html, simulate_sections, strategy_chart
    from tokentrim.route.replay import load_prompts, load_runs, simulate

    try:
        runs = load_runs(file)
        if prompts_file:
            runs = runs.with_prompts(load_prompts(prompts_file))
        result = simulate(
            runs,
            premium=premium,
            cascades=[_models(c) for c in cascades],
            tiers=_tier_map(tiers),
            pricing="bill" if bill else "list",
            prices=_prices(prices),
            route_config=load_route_config(),
            check="compiles" if check == "compiles" else "verdict",
        )
    except TokentrimError as exc:
        _fail(ctx, str(exc))
    sections = simulate_sections(result)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        _show(sections)
    if html_file:
        chart = strategy_chart(result.strategies, "Spend per strategy (USD) and pass rate")
        _write(ctx, html_file, render_html("tokentrim route simulate", sections, chart))
    if not quiet:
        for warning in result.warnings:
            click.echo(f"tokentrim: warning: {warning}", err=True)


@route_group.command("plan")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--min-pass",
    type=click.FloatRange(0, 1),
    required=True,
    metavar="RATE",
    help="The pass rate to keep, 0-1 (e.g. 0.95).",
)
@click.option(
    "--max-length",
    type=click.IntRange(1, 6),
    default=3,
    show_default=True,
    help="Models per cascade.",
)
@click.option("--models", metavar="A,B,...", help="Search only these models (default: all).")
@click.option("--premium", metavar="MODEL", help="The baseline to compare with (default: best).")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Rows shown.")
@click.option(
    "--tasks",
    type=click.Choice(["all", "common"]),
    default="all",
    show_default=True,
    help="all: every task, leaving out models that miss some; common: the tasks all answered.",
)
@_pricing_options
@_output_options
@click.pass_context
def plan_command(
    ctx: click.Context,
    file: str,
    min_pass: float,
    max_length: int,
    models: str | None,
    premium: str | None,
    top: int,
    tasks: str,
    bill: bool,
    prices: str | None,
    check: str,
    as_json: bool,
    html_file: str | None,
    quiet: bool,
) -> None:
    """The cheapest cascade over the models in FILE whose pass rate is at least --min-pass.

    Searches every order of 1 to --max-length models and prints the best candidates, each with
    its saving against the premium baseline and against the cheapest single model that reaches
    its pass rate. Exit 1 when no cascade reaches --min-pass.
    """
    from tokentrim.route.planner import plan
    from tokentrim.route.render import plan_sections, render_html, strategy_chart
    from tokentrim.route.replay import load_runs

    try:
        result = plan(
            load_runs(file),
            min_pass=min_pass,
            max_length=max_length,
            pricing="bill" if bill else "list",
            prices=_prices(prices),
            models=_models(models) if models else None,
            premium=premium,
            top=top,
            tasks="common" if tasks == "common" else "all",
            check="compiles" if check == "compiles" else "verdict",
        )
    except TokentrimError as exc:
        _fail(ctx, str(exc))
    sections = plan_sections(result)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        _show(sections)
    if html_file:
        shown = [c.result for c in result.candidates] + [result.premium]
        chart = strategy_chart(shown, "Cheapest cascades (USD) and their pass rate")
        _write(ctx, html_file, render_html("tokentrim route plan", sections, chart))
    if result.best is None:
        if not quiet:
            click.echo(f"tokentrim: no cascade reaches a pass rate of {min_pass:.1%}", err=True)
        ctx.exit(EXIT_NOT_FOUND)


# --- helpers ---------------------------------------------------------------------------------


def _models(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise click.BadParameter(f"{text!r} names no model")
    return names


def _tier_map(items: Sequence[str]) -> dict[str, list[str]] | None:
    if not items:
        return None
    tiers: dict[str, list[str]] = {}
    for item in items:
        tier, sep, models = item.partition("=")
        tier = tier.strip()
        if not sep or tier not in ("simple", "moderate", "complex"):
            raise click.BadParameter(
                f"{item!r}: expected TIER=MODEL,... with TIER simple, moderate or complex",
                param_hint="--tier",
            )
        tiers[tier] = _models(models)
    return tiers


def _prices(path: str | None) -> Any:
    if not path:
        return None
    from tokentrim.cost import load_prices

    return load_prices(path)


def _labelled_prompts(path: Path) -> list[tuple[str, str | None]]:
    from tokentrim.errors import InputError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    numbered: list[tuple[str, Any]] = []
    try:
        if text.lstrip().startswith("["):
            numbered = [(f"item {n}", r) for n, r in enumerate(json.loads(text), 1)]
        else:
            for number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    numbered.append((f"line {number}", json.loads(line)))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON (line {exc.lineno}: {exc.msg})") from None
    out: list[tuple[str, str | None]] = []
    for where, record in numbered:
        if not isinstance(record, dict) or not isinstance(record.get("prompt"), str):
            raise InputError(f"{path}: {where}: expected an object with a string `prompt`")
        label = record.get("label")
        out.append((record["prompt"], label if isinstance(label, str) else None))
    return out


def _show(sections: Any) -> None:
    from tokentrim.route.render import render_rich, render_text

    if sys.stdout.isatty():
        from rich.console import Console

        render_rich(sections, Console())
    else:
        click.echo(render_text(sections), nl=False)


def _write(ctx: click.Context, path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(ctx, f"{path}: cannot write ({exc.strerror or exc})")


def _fail(ctx: click.Context, message: str) -> NoReturn:
    error(message)
    ctx.exit(EXIT_INPUT)
