"""The tables every renderer shows, as rows of formatted cells: :func:`sections`.

Numbers are formatted once here, so the terminal, text, and HTML tables agree to the character.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tokentrim.report.projection import DAYS_PER_MONTH

if TYPE_CHECKING:
    from tokentrim.report.summary import Bucket, CostSummary

__all__ = ["COLUMNS", "PROJECTION_COLUMNS", "Section", "money", "sections"]

#: (title, columns, rows of cells, note)
Section = tuple[str, Sequence[tuple[str, str]], list[list[str]], str]

# (key, header): a key "a|b" shows the pair as "a → b" (before → after).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("model", "model"),
    ("replies", "replies"),
    ("tokens_before|tokens_after", "tokens before → after"),
    ("compute", "compute $"),
    ("review_hours_before|review_hours_after", "review hours before → after"),
    ("context_saved", "context saved $"),
    ("total_before|total_after", "total $ before → after"),
    ("savings", "savings $"),
)
PROJECTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("model", "model"),
    ("compute", "compute $/month"),
    ("review_before|review_after", "review $ before → after"),
    ("context_saved", "context saved $"),
    ("total_before|total_after", "total $ before → after"),
    ("savings", "savings $"),
)


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if key.startswith("review_hours"):
            return f"{value:,.2f}" if abs(value) >= 1 else _significant(value)
        return money(value)
    return str(value)


def money(value: float) -> str:
    """Cents for amounts over a dollar; three significant digits, never exponents, below."""
    return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else _significant(value)


def _significant(value: float) -> str:
    if value == 0:
        return "0"
    decimals = min(max(2, 2 - math.floor(math.log10(abs(value)))), 10)
    return f"{value:.{decimals}f}"


def _rows(buckets: Iterable[Any], columns: Sequence[tuple[str, str]]) -> list[list[str]]:
    return [[_cell(bucket, key) for key, _ in columns] for bucket in buckets]


def _cell(bucket: Any, key: str) -> str:
    if "|" not in key:
        return _fmt(key, getattr(bucket, key))
    before, after = (getattr(bucket, name) for name in key.split("|"))
    if before is None and after is None:
        return "—"
    return f"{_fmt(key, before)} → {_fmt(key, after)}"


def sections(report: CostSummary) -> list[Section]:
    """(title, columns, rows, note) for each table the text renderers print."""
    buckets = [b for _, b in sorted(report.models.items())]
    rows = _rows([*buckets, report.total], COLUMNS)
    note = _priced_note(report.total)
    found: list[Section] = [("Cost per model (USD)", COLUMNS, rows, note)]
    if report.compare:
        compare_note = "same per-reply token usage priced on other models"
        found.append(("Compared", COLUMNS, _rows(report.compare, COLUMNS), compare_note))
    if report.projections:
        first = report.projections[0]
        note = (
            f"{first.tokens_per_day:,} tokens/day × {DAYS_PER_MONTH} days; input share "
            f"{first.input_share:.0%} ({report.input_share_source}); trimming and review scaled "
            "from the measured replies (review assumes a person reads every reply)"
        )
        rows = _rows(report.projections, PROJECTION_COLUMNS)
        found.append(("Projected month", PROJECTION_COLUMNS, rows, note))
    if report.rules:
        ranked = sorted(report.rules.items(), key=lambda kv: (-kv[1], kv[0]))
        rule_rows = [[rule, f"{tokens:,.1f}"] for rule, tokens in ranked]
        found.append(
            ("Tokens saved per rule", (("rule", "rule"), ("tokens", "tokens saved")), rule_rows, "")
        )
    return found


def _priced_note(total: Bucket) -> str:
    notes = []
    if total.estimated_replies:
        notes.append(
            f"{total.estimated_replies} of {total.replies} replies without provider usage: "
            "compute estimated from the reply tokens (prompt unknown)"
        )
    if total.unpriced_replies:
        notes.append(
            f"{total.unpriced_replies} replies have no price: compute, context and totals "
            "leave them out"
        )
    return "; ".join(notes)
