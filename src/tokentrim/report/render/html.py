"""The report as one self-contained HTML page: inline CSS and SVG charts, no scripts, offline.

The page opens with what a reader needs to trust the numbers (date, inputs, tokenizer, settings),
then charts compute and review apart: review time dwarfs compute for most models, and one chart of
totals would draw every model's bars the same length. Charts are SVGs with labels above the bars,
so they stay readable from a 420 px phone to a wide screen.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import resources
from string import Template
from typing import TYPE_CHECKING

from tokentrim.report.render.tables import (
    TEXT_KEYS,
    duration,
    money,
    plural,
    sections,
    tokenizer_note,
)

if TYPE_CHECKING:
    from tokentrim.report.summary import Bucket, CostSummary

__all__ = ["render_html"]

_PALETTE = {
    "before": "#c2410c",
    "after": "#0f766e",
    "compute": "#475569",
    "bar": "#2563eb",
}
_LABELS = {"before": "before trimming", "after": "after trimming", "compute": "compute"}

# SVG geometry, in viewBox units (the SVG scales to its column's width).
_WIDTH = 420
_VALUE_ROOM = 96  # right of the longest bar, for its value
_LABEL_HEIGHT = 17
_BAR_HEIGHT = 15
_GAP = 9


def render_html(
    report: CostSummary,
    *,
    title: str = "tokentrim cost report",
    generated: datetime | None = None,
) -> str:
    """One self-contained page: inline CSS, inline SVG charts, no scripts, no network."""
    template = Template(
        resources.files("tokentrim.report.render")
        .joinpath("template.html")
        .read_text(encoding="utf-8")
    )
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M %Z").strip()
    tables = "".join(
        _html_table(t, cols, rows, note, total_row=t.startswith("Cost per model"))
        for t, cols, rows, note in sections(report)
    )
    warnings = "".join(
        f"<li>{html.escape(message)}"
        + (f' <span class="muted">({plural(count, "reply", "replies")})</span>' if count else "")
        + "</li>"
        for message, count in report.warnings.items()
    )
    return template.substitute(
        title=html.escape(title),
        header=_header(report, when),
        cards=_cards(report),
        charts="".join(
            chart
            for chart in (
                _compute_chart(report),
                _review_chart(report),
                _projection_chart(report),
                _rule_chart(report),
            )
            if chart
        ),
        tables=tables,
        warnings=f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "",
    )


def _header(report: CostSummary, when: str) -> str:
    settings = report.settings
    inputs = ", ".join(report.inputs) if report.inputs else "—"
    tokenizer = tokenizer_note(report).removeprefix("tokens counted with ") or "—"
    settings_text = (
        f"level {settings.level} · {settings.review_lines_per_hour:g} code lines/hour · "
        f"{settings.review_words_per_minute:g} words/minute · "
        f"${settings.review_hourly_rate:g}/hour · "
        f"context carried {plural(settings.carry_turns, 'turn', 'turns')}"
        + (f" · prices file {report.prices_file}" if report.prices_file else "")
    )
    rows = (
        ("generated", when),
        ("inputs", inputs),
        ("tokenizer", tokenizer),
        ("settings", settings_text),
    )
    return (
        '<dl class="meta">'
        + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
        + "</dl>"
    )


def _cards(report: CostSummary) -> str:
    total = report.total
    share = f" ({total.tokens_saved / total.tokens_before:.1%})" if total.tokens_before else ""
    cards = [
        ("replies", f"{total.replies:,}"),
        ("tokens saved", f"{total.tokens_saved:,} of {total.tokens_before:,}{share}"),
        (
            "review time",
            f"{duration(total.review_hours_before)} → {duration(total.review_hours_after)}",
        ),
        ("review cost", f"${money(total.review_before)} → ${money(total.review_after)}"),
        ("compute", "—" if total.compute is None else f"${money(total.compute)}"),
        ("savings", "—" if total.savings is None else f"${money(total.savings)}"),
    ]
    return "".join(
        f'<div class="card"><div class="label">{html.escape(k)}</div>'
        f'<div class="value">{html.escape(v)}</div></div>'
        for k, v in cards
    )


def _html_table(
    title: str,
    columns: Sequence[tuple[str, str]],
    rows: list[list[str]],
    note: str,
    *,
    total_row: bool = False,
) -> str:
    kinds = [' class="text"' if key in TEXT_KEYS else "" for key, _ in columns]
    head = "".join(
        f"<th{kind}>{html.escape(label)}</th>"
        for kind, (_, label) in zip(kinds, columns, strict=True)
    )
    body = "".join(
        ('<tr class="total">' if total_row and index == len(rows) - 1 else "<tr>")
        + "".join(
            f"<td{kind}>{html.escape(cell)}</td>" for kind, cell in zip(kinds, row, strict=True)
        )
        + "</tr>"
        for index, row in enumerate(rows)
    )
    caption = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (
        f'<h2>{html.escape(title)}</h2><div class="scroll"><table><thead><tr>{head}</tr>'
        f"</thead><tbody>{body}</tbody></table></div>{caption}"
    )


def _dollars(value: float) -> str:
    return f"${money(value)}"


def _compute_chart(report: CostSummary) -> str:
    buckets = [b for _, b in sorted(report.models.items()) if b.compute is not None]
    groups = [(b.model, [("compute", b.compute or 0.0)]) for b in buckets]
    groups += [
        (f"{b.model} (compare)", [("compute", b.compute or 0.0)])
        for b in report.compare
        if b.compute is not None
    ]
    if not groups:
        body = '<p class="note">No model price known: compute is not charted.</p>'
    else:
        body = _bar_chart("Compute per model (USD)", groups, _dollars)
    note = "what the calls cost; trimming afterwards does not refund it"
    return _figure("compute-chart", "Compute per model (USD)", body, note)


def _review_chart(report: CostSummary) -> str:
    buckets: list[Bucket] = [b for _, b in sorted(report.models.items())]
    groups = [(b.model, [("before", b.review_before), ("after", b.review_after)]) for b in buckets]
    body = _bar_chart("Review cost before and after trimming (USD)", groups, _dollars)
    note = "a reviewer reading every reply at the hourly rate; needs no model price"
    return _figure("review-chart", "Review cost, before → after (USD)", body, note, legend=True)


def _projection_chart(report: CostSummary) -> str:
    priced = [p for p in report.projections if p.compute is not None]
    if not priced:
        return ""
    groups = [(p.model, [("compute", p.compute or 0.0)]) for p in priced]
    first = priced[0]
    body = _bar_chart("Projected compute per month (USD)", groups, _dollars)
    note = (
        f"{first.tokens_per_day:,} tokens/day for 30 days; review "
        f"{_dollars(first.review_before)} → {_dollars(first.review_after)} a month on every model"
    )
    return _figure("projection-chart", "Projected month: compute (USD)", body, note)


def _rule_chart(report: CostSummary) -> str:
    ranked = report.rule_tokens()[:20]
    if not ranked:
        body = '<p class="note">No rule changed any reply.</p>'
    else:
        groups = [(rule, [("bar", float(tokens))]) for rule, tokens in ranked]
        body = _bar_chart("Tokens saved per rule", groups, lambda v: f"{v:,.0f}")
    return _figure("rule-chart", "Tokens saved per rule", body, "")


def _figure(id_: str, heading: str, body: str, note: str, *, legend: bool = False) -> str:
    keys = (
        '<p class="legend">'
        + "".join(
            f'<span><i style="background:{_PALETTE[name]}"></i>{_LABELS[name]}</span>'
            for name in ("before", "after")
        )
        + "</p>"
        if legend
        else ""
    )
    caption = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (
        f'<figure class="chart" id="{id_}"><h3>{html.escape(heading)}</h3>{body}{keys}'
        f"{caption}</figure>"
    )


def _bar_chart(
    label: str,
    groups: list[tuple[str, list[tuple[str, float]]]],
    fmt: Callable[[float], str],
) -> str:
    """Horizontal bars, each group's label above its bars (one bar per series, value at its end)."""
    values = [abs(value) for _, series in groups for _, value in series]
    top = max(values + [0.0])
    scale = (_WIDTH - _VALUE_ROOM) / top if top > 0 else 0.0
    height = sum(_LABEL_HEIGHT + len(series) * _BAR_HEIGHT + _GAP for _, series in groups)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" aria-label="{html.escape(label)}">'
    ]
    y = 0
    for name, series in groups:
        parts.append(
            f'<text x="0" y="{y + _LABEL_HEIGHT - 4}" class="axis">'
            f"{html.escape(_shorten(name, 48))}</text>"
        )
        y += _LABEL_HEIGHT
        for kind, value in series:
            bar = max(abs(value) * scale, 1.0 if value else 0.0)
            text = fmt(value)
            parts.append(
                f'<rect x="0" y="{y}" width="{bar:.1f}" height="{_BAR_HEIGHT - 3}" '
                f'fill="{_PALETTE[kind]}"><title>{html.escape(name)} '
                f"{_LABELS.get(kind, '')}: {html.escape(text)}</title></rect>"
                f'<text x="{bar + 5:.1f}" y="{y + _BAR_HEIGHT - 5}" class="value">'
                f"{html.escape(text)}</text>"
            )
            y += _BAR_HEIGHT
        y += _GAP
    parts.append("</svg>")
    return "".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
