"""Renderers of a :class:`~tokentrim.report.summary.CostSummary`: text, rich, JSON, CSV, HTML."""

from __future__ import annotations

from tokentrim.report.render.csv import render_csv
from tokentrim.report.render.html import render_html
from tokentrim.report.render.json import render_json
from tokentrim.report.render.text import render_rich, render_text

__all__ = ["render_csv", "render_html", "render_json", "render_rich", "render_text"]
