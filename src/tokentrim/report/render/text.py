"""The report as aligned plain text (pipes, files) or rich tables (a terminal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tokentrim.report.render.tables import TEXT_KEYS, sections

if TYPE_CHECKING:
    from rich.console import Console

    from tokentrim.report.summary import CostSummary

__all__ = ["render_rich", "render_text"]


def render_text(report: CostSummary) -> str:
    """Plain aligned text tables (for pipes and files)."""
    out: list[str] = []
    for title, columns, rows, note in sections(report):
        headers = [label for _, label in columns]
        left = [index == 0 or key in TEXT_KEYS for index, (key, _) in enumerate(columns)]
        widths = [
            max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
            for i, h in enumerate(headers)
        ]
        out.append(title)
        out.append(
            "  ".join(
                h.ljust(w) if left[i] else h.rjust(w)
                for i, (h, w) in enumerate(zip(headers, widths, strict=True))
            )
        )
        out.append("  ".join("-" * w for w in widths))
        for row in rows:
            out.append(
                "  ".join(
                    c.ljust(w) if left[i] else c.rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
        if note:
            out.append(f"note: {note}")
        out.append("")
    return "\n".join(out)


def render_rich(report: CostSummary, console: Console) -> None:
    """Rich tables on ``console`` (a terminal)."""
    from rich.table import Table

    for title, columns, rows, note in sections(report):
        table = Table(
            title=title, title_justify="left", caption=note or None, caption_justify="left"
        )
        for index, (key, label) in enumerate(columns):
            if index == 0:
                table.add_column(label, overflow="fold", ratio=2)
            elif key in TEXT_KEYS:
                table.add_column(label, overflow="fold", ratio=2)
            else:
                table.add_column(label, justify="right", ratio=1)
        with_total = title.startswith("Cost per model")
        for position, row in enumerate(rows):
            is_total = with_total and position == len(rows) - 1
            if is_total:
                table.add_section()
            table.add_row(*row, style="bold" if is_total else None)
        console.print(table)
