"""The report as one self-contained HTML page: inline CSS and SVG charts, no scripts, offline."""

from __future__ import annotations

import html
from collections.abc import Sequence
from importlib import resources
from string import Template
from typing import TYPE_CHECKING

from tokentrim.report.render.tables import money, sections

if TYPE_CHECKING:
    from tokentrim.report.summary import CostSummary

__all__ = ["render_html"]

_PALETTE = {"before": "#c2410c", "after": "#0f766e", "compute": "#64748b", "bar": "#2563eb"}


def render_html(report: CostSummary, *, title: str = "tokentrim cost report") -> str:
    """One self-contained page: inline CSS, inline SVG charts, no scripts, no network."""
    template = Template(
        resources.files("tokentrim.report.render")
        .joinpath("template.html")
        .read_text(encoding="utf-8")
    )
    data = report.as_dict()
    total = report.total
    summary = [
        ("replies", f"{total.replies:,}"),
        (
            "tokens saved",
            f"{total.tokens_saved:,} of {total.tokens_before:,}"
            + (f" ({total.tokens_saved / total.tokens_before:.1%})" if total.tokens_before else ""),
        ),
        ("review hours", f"{total.review_hours_before:,.2f} → {total.review_hours_after:,.2f}"),
        ("compute", "—" if total.compute is None else f"${money(total.compute)}"),
        ("savings", "—" if total.savings is None else f"${money(total.savings)}"),
    ]
    cards = "".join(
        f'<div class="card"><div class="label">{html.escape(k)}</div>'
        f'<div class="value">{html.escape(v)}</div></div>'
        for k, v in summary
    )
    tables = "".join(
        _html_table(t, cols, rows, note, total_row=t.startswith("Cost per model"))
        for t, cols, rows, note in sections(report)
    )
    warnings = "".join(
        f"<li>{html.escape(w['message'])}"
        + (f" <span class=muted>({w['replies']} replies)</span>" if w["replies"] else "")
        + "</li>"
        for w in data["warnings"]
    )
    params = data["parameters"]
    return template.substitute(
        title=html.escape(title),
        cards=cards,
        cost_chart=_cost_chart(report),
        rule_chart=_rule_chart(report),
        tables=tables,
        warnings=f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "",
        parameters=html.escape(
            f"level {params['level']} · {params['lines_per_hour']:g} code lines/hour · "
            f"{params['words_per_minute']:g} words/minute · ${params['hourly_rate']:g}/hour · "
            f"context carried {params['carry_turns']} turn(s)"
            + (f" · prices file {params['prices_file']}" if params["prices_file"] else "")
        ),
    )


def _html_table(
    title: str,
    columns: Sequence[tuple[str, str]],
    rows: list[list[str]],
    note: str,
    *,
    total_row: bool = False,
) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    body = "".join(
        ('<tr class="total">' if total_row and index == len(rows) - 1 else "<tr>")
        + "".join(f"<td>{html.escape(cell)}</td>" for cell in row)
        + "</tr>"
        for index, row in enumerate(rows)
    )
    caption = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return f"<h2>{html.escape(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{caption}"


def _cost_chart(report: CostSummary) -> str:
    """Grouped horizontal bars: cost before and after trimming, per model (priced models only)."""
    buckets = [b for _, b in sorted(report.models.items()) if b.total_before is not None]
    buckets += [b for b in report.compare if b.total_before is not None]
    if not buckets:
        # Without prices, chart review cost alone so the page still shows what trimming did.
        buckets = [b for _, b in sorted(report.models.items())]
        pairs = [(b.model, b.review_before, b.review_after) for b in buckets]
        heading = "Review cost before / after (USD; no model prices known)"
    else:
        pairs = [
            (
                b.model + (" (compare)" if b in report.compare else ""),
                b.total_before or 0.0,
                b.total_after or 0.0,
            )
            for b in buckets
        ]
        heading = "Total cost before / after trimming (USD: compute + review − context saved)"
    return _bar_chart(
        heading,
        [(label, [("before", before), ("after", after)]) for label, before, after in pairs],
        as_money=True,
    )


def _rule_chart(report: CostSummary) -> str:
    ranked = sorted(report.rules.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    if not ranked:
        return '<p class="note">No rule changed any reply.</p>'
    return _bar_chart(
        "Tokens saved per rule",
        [(rule, [("bar", tokens)]) for rule, tokens in ranked],
        as_money=False,
    )


def _bar_chart(
    heading: str, groups: list[tuple[str, list[tuple[str, float]]]], *, as_money: bool
) -> str:
    """An SVG of horizontal bars; every group is a label and one bar per (series, value)."""
    label_width, chart_width, bar_height, gap = 220, 560, 18, 12
    values = [value for _, series in groups for _, value in series]
    top = max([abs(v) for v in values] + [0.0])
    scale = chart_width / top if top > 0 else 0.0
    height = 40 + sum(len(series) * bar_height + gap for _, series in groups) + 30
    width = label_width + chart_width + 120
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{html.escape(heading)}">',
        f'<text x="0" y="18" class="chart-title">{html.escape(heading)}</text>',
    ]
    y = 34
    for label, series in groups:
        parts.append(
            f'<text x="{label_width - 8}" y="{y + len(series) * bar_height / 2 + 4:.1f}" '
            f'text-anchor="end" class="axis">{html.escape(_shorten(label, 30))}</text>'
        )
        for name, value in series:
            bar = max(abs(value) * scale, 1.0 if value else 0.0)
            text = f"${money(value)}" if as_money else f"{value:,.1f}"
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{bar_height - 3}" '
                f'fill="{_PALETTE[name]}"><title>{html.escape(label)} {name}: {text}</title></rect>'
                f'<text x="{label_width + bar + 6:.1f}" y="{y + bar_height - 6}" class="value">'
                f"{html.escape(text)}</text>"
            )
            y += bar_height
        y += gap
    if any(name != "bar" for _, series in groups for name, _ in series):
        legend_y = y + 10
        parts.append(
            f'<rect x="{label_width}" y="{legend_y}" width="12" height="12" fill="{_PALETTE["before"]}"/>'
            f'<text x="{label_width + 18}" y="{legend_y + 11}" class="axis">before</text>'
            f'<rect x="{label_width + 90}" y="{legend_y}" width="12" height="12" fill="{_PALETTE["after"]}"/>'
            f'<text x="{label_width + 108}" y="{legend_y + 11}" class="axis">after</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
