"""The report as CSV: a row per model, a ``total`` row, then ``compare``, ``source`` and
``projection`` rows (a source row's ``model`` column holds the source)."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tokentrim.report.summary import CostSummary

__all__ = ["CSV_FIELDS", "render_csv"]

CSV_FIELDS = (
    "kind",
    "model",
    "priced_as",
    "replies",
    "replies_changed",
    "unpriced_replies",
    "estimated_replies",
    "tokens_before",
    "tokens_after",
    "tokens_saved",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "code_lines_before",
    "code_lines_after",
    "prose_words_before",
    "prose_words_after",
    "review_hours_before",
    "review_hours_after",
    "review_before",
    "review_after",
    "compute",
    "context_saved",
    "total_before",
    "total_after",
    "savings",
)


def render_csv(report: CostSummary) -> str:
    """Rows of ``kind`` model, total, compare, source, then projection (monthly figures)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for kind, buckets in (
        ("model", [b for _, b in sorted(report.models.items())]),
        ("total", [report.total]),
        ("compare", report.compare),
        ("source", [b for _, b in sorted(report.sources.items())]),
    ):
        for bucket in buckets:
            writer.writerow(_csv_row(kind, bucket.as_dict()))
    for projection in report.projections:
        data = dataclasses.asdict(projection)
        data["tokens_before"] = ""
        writer.writerow(_csv_row("projection", data))
    return buffer.getvalue()


def _csv_row(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    row = {key: ("" if data.get(key) is None else data.get(key, "")) for key in CSV_FIELDS}
    row["kind"] = kind
    for key, value in row.items():
        if isinstance(value, float):
            row[key] = repr(value)
    return row
