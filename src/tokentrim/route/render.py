"""Render classifications, simulations and plans: plain text, rich tables, JSON and one HTML page.

Every renderer takes the same list of sections ``(title, headers, rows, note)`` so that the text,
rich and HTML outputs show the same figures. The HTML page is self-contained: inline CSS, an
inline SVG chart of spend and pass rate per strategy, no scripts, no network.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Sequence
from typing import Any

from tokentrim.route.classifier import Tier
from tokentrim.route.planner import Candidate, Plan
from tokentrim.route.replay import Simulation, StrategyResult

__all__ = [
    "Section",
    "classify_sections",
    "plan_sections",
    "render_html",
    "render_json",
    "render_rich",
    "render_text",
    "simulate_sections",
    "strategy_chart",
]

Section = tuple[str, Sequence[str], list[list[str]], str]


def simulate_sections(simulation: Simulation) -> list[Section]:
    headers = (
        "strategy",
        "pass rate",
        "passed",
        "spend $",
        "$ per task",
        "calls",
        "escalated",
        "saving vs premium",
    )
    rows = [
        [
            _label(s, simulation.premium),
            _percent(s.pass_rate),
            f"{s.passed}/{s.tasks}",
            _money(s.spend),
            _money(s.spend / s.tasks if s.spend is not None and s.tasks else None),
            f"{s.calls:,}",
            f"{s.escalated:,}",
            _percent(s.saving_against(simulation.premium)),
        ]
        for s in simulation.strategies
    ]
    sections: list[Section] = [
        (f"Routing replay: {simulation.tasks} tasks", headers, rows, _simulate_note(simulation))
    ]
    tiered = [s for s in simulation.strategies if s.tiers is not None]
    for strategy in tiered:
        assert strategy.tiers is not None
        tier_rows = [[tier, f"{count:,}"] for tier, count in strategy.tiers.items()]
        sections.append(("Tasks per tier", ("tier", "tasks"), tier_rows, ""))
    return sections


def plan_sections(plan: Plan) -> list[Section]:
    sections: list[Section] = []
    headers = (
        "cascade",
        "pass rate",
        "spend $",
        "saving vs premium",
        "cheapest single model reaching the rate",
        "saving vs it",
    )
    rows = [_candidate_row(c) for c in plan.candidates]
    if plan.best is not None:
        best = plan.best
        title = f"Cheapest cascades with pass rate >= {_percent(plan.min_pass)}"
        note = (
            f"plan: {best.result.name} — {_percent(best.result.pass_rate)} pass, "
            f"${_money(best.result.spend)} "
            f"({_percent(best.saving_vs_premium)} cheaper than always {plan.premium.name})"
        )
    else:
        title = f"No cascade reaches a pass rate of {_percent(plan.min_pass)}"
        note = f"the best pass rate of any cascade searched is {_percent(plan.best_pass_rate)}"
    sections.append((title, headers, rows, note + "; " + _plan_note(plan)))
    single_rows = [[s.name, _percent(s.pass_rate), _money(s.spend)] for s in plan.singles]
    sections.append(
        ("Single models", ("model", "pass rate", "spend $"), single_rows, _left_out(plan))
    )
    return sections


def classify_sections(items: Sequence[tuple[str, Tier, str | None]]) -> list[Section]:
    """``items`` are (prompt, tier, expected label or None)."""
    with_labels = any(label is not None for _, _, label in items)
    headers = ["prompt", "tier", "score", "tokens", "files", "blocks", "reasons"]
    if with_labels:
        headers.insert(2, "label")
    rows = []
    for prompt, tier, label in items:
        row = [
            _shorten(" ".join(prompt.split()), 60),
            tier.name,
            f"{tier.score:g}",
            f"{tier.tokens:,}",
            str(tier.files),
            str(tier.code_blocks),
            "; ".join(tier.reasons),
        ]
        if with_labels:
            row.insert(2, label or "")
        rows.append(row)
    note = ""
    if with_labels:
        labelled = [(t, label) for _, t, label in items if label is not None]
        right = sum(1 for t, label in labelled if t.name == label)
        note = f"accuracy {right}/{len(labelled)} = {_percent(right / len(labelled))}"
    return [("Tiers", headers, rows, note)]


def render_text(sections: Sequence[Section]) -> str:
    """Plain aligned tables (for pipes and files)."""
    out: list[str] = []
    for title, headers, rows, note in sections:
        widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
        out.append(title)
        out.append(_line(list(headers), widths))
        out.append("  ".join("-" * w for w in widths))
        out.extend(_line(row, widths) for row in rows)
        if note:
            out.append(f"note: {note}")
        out.append("")
    return "\n".join(out)


def render_rich(sections: Sequence[Section], console: Any) -> None:
    """Rich tables on ``console`` (a terminal)."""
    from rich.table import Table

    for title, headers, rows, note in sections:
        table = Table(
            title=title, title_justify="left", caption=note or None, caption_justify="left"
        )
        for index, header in enumerate(headers):
            table.add_column(header, justify="left" if index == 0 else "right", overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)


def render_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_html(title: str, sections: Sequence[Section], chart: str = "") -> str:
    """One self-contained page: the tables, and ``chart`` (an inline SVG) above them."""
    tables = "".join(_html_table(*section) for section in sections)
    return _PAGE.format(
        title=html.escape(title),
        chart=f'<div class="chart">{chart}</div>' if chart else "",
        tables=tables,
    )


def strategy_chart(strategies: Sequence[StrategyResult], heading: str) -> str:
    """Horizontal bars of spend per strategy, each labelled with its pass rate."""
    label_width, chart_width, bar_height, gap = 430, 420, 20, 8
    values = [s.spend or 0.0 for s in strategies]
    top = max([*values, 0.0])
    scale = chart_width / top if top > 0 else 0.0
    height = 40 + len(strategies) * (bar_height + gap) + 10
    width = label_width + chart_width + 200
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{html.escape(heading)}">',
        f'<text x="0" y="18" class="chart-title">{html.escape(heading)}</text>',
    ]
    y = 34
    for strategy, value in zip(strategies, values, strict=True):
        bar = max(value * scale, 1.0 if value else 0.0)
        spend = "unknown" if strategy.spend is None else f"${_money(strategy.spend)}"
        text = f"{spend} · {_percent(strategy.pass_rate)} pass"
        colour = "#64748b" if strategy.kind == "single" else "#0f766e"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height - 6}" text-anchor="end" '
            f'class="axis">{html.escape(_shorten(_short_name(strategy), 66))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{bar_height - 4}" '
            f'fill="{colour}"><title>{html.escape(strategy.name)}: {html.escape(text)}</title>'
            f'</rect><text x="{label_width + bar + 6:.1f}" y="{y + bar_height - 6}" '
            f'class="value">{html.escape(text)}</text>'
        )
        y += bar_height + gap
    parts.append("</svg>")
    return "".join(parts)


# --- helpers ---------------------------------------------------------------------------------


def _short_name(strategy: StrategyResult) -> str:
    """Model names without their provider prefix (the full names are in the tooltip)."""
    if strategy.kind == "tiers":
        return "tier routing"
    return " → ".join(model.rsplit("/", 1)[-1] for model in strategy.models)


def _label(strategy: StrategyResult, premium: StrategyResult) -> str:
    if strategy is premium:
        return f"always {strategy.name} (premium)"
    if strategy.kind == "single":
        return f"always {strategy.name}"
    if strategy.kind == "tiers":
        return "tier routing (" + ", ".join(strategy.models) + ")"
    return strategy.name


def _candidate_row(candidate: Candidate) -> list[str]:
    result = candidate.result
    return [
        result.name,
        _percent(result.pass_rate),
        _money(result.spend),
        _percent(candidate.saving_vs_premium),
        candidate.reference or "none reaches the rate",
        _percent(candidate.saving_vs_reference),
    ]


def _simulate_note(simulation: Simulation) -> str:
    sources = ", ".join(f"{n:,} {k}" for k, n in sorted(simulation.price_sources.items()))
    pricing = "billed cost_usd where present" if simulation.pricing == "bill" else "list prices"
    note = f"priced by {pricing} ({sources}); {_CHECKS[simulation.check]}"
    if simulation.tasks_left_out:
        note += f"; {simulation.tasks_left_out} tasks left out (not answered by every model)"
    return note


_CHECKS = {
    "verdict": "escalation replays the recorded test verdicts",
    "compiles": "escalation when the recorded answer does not compile",
}


def _plan_note(plan: Plan) -> str:
    pricing = "billed cost_usd where present" if plan.pricing == "bill" else "list prices"
    note = (
        f"{plan.searched:,} cascades of up to {plan.max_length} of {len(plan.models)} models "
        f"searched on {plan.tasks} tasks; priced by {pricing}; {_CHECKS[plan.check]}"
    )
    if plan.unpriced:
        note += f"; {plan.unpriced:,} left out: a model in them has no price"
    return note


def _left_out(plan: Plan) -> str:
    if not plan.left_out:
        return ""
    return "left out of the search: " + "; ".join(
        f"{m} ({why})" for m, why in plan.left_out.items()
    )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _money(value: float | None) -> str:
    """Cents above a dollar; four significant digits, never exponents, below."""
    if value is None:
        return "—"
    if value == 0 or abs(value) >= 1:
        return f"{value:,.2f}"
    decimals = min(max(2, 3 - math.floor(math.log10(abs(value)))), 12)
    text = f"{value:.{decimals}f}".rstrip("0")
    return text + "0" * max(0, 2 - len(text.partition(".")[2]))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    ).rstrip()


def _html_table(title: str, headers: Sequence[str], rows: list[list[str]], note: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    caption = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (
        f"<h2>{html.escape(title)}</h2><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>{caption}"
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
         color: #1e293b; background: #ffffff; }}
  main {{ max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }}
  h1 {{ font-size: 24px; margin: 0 0 4px; }}
  h2 {{ font-size: 18px; margin: 32px 0 8px; }}
  .chart {{ margin: 8px 0 16px; overflow-x: auto; }}
  svg {{ max-width: 100%; height: auto; }}
  svg .chart-title {{ font-size: 14px; font-weight: 600; fill: #1e293b; }}
  svg .axis {{ font-size: 12px; fill: #334155; }}
  svg .value {{ font-size: 11px; fill: #475569; }}
  table {{ border-collapse: collapse; width: 100%; font-size: 13px;
           font-variant-numeric: tabular-nums; }}
  th, td {{ padding: 5px 8px; border-bottom: 1px solid #e2e8f0; text-align: right; }}
  th:first-child, td:first-child {{ text-align: left; }}
  thead th {{ background: #f1f5f9; font-weight: 600; }}
  .note {{ font-size: 12px; color: #64748b; margin: 4px 0 0; }}
  footer {{ margin-top: 36px; font-size: 12px; color: #94a3b8; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
{chart}
{tables}
<footer>Generated by tokentrim route. A cascade calls its models in order and escalates while the
recorded test verdict is a failure; a task costs every call made. Prices from the runs' billed
cost_usd or from genai-prices (or a --prices file).</footer>
</main>
</body>
</html>
"""
