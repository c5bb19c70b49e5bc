"""``tokentrim report``: trim saved replies and total their costs per model.

:func:`build_report` streams replies (:class:`tokentrim.sources.Reply`, or anything with ``text``,
``model``, ``usage`` and ``origin``) through :func:`tokentrim.trim`, prices each one with
:mod:`tokentrim.cost`, and keeps only running sums, so memory stays flat however many replies come
in. Renderers turn the :class:`CostSummary` into a terminal table, JSON, CSV or one self-contained
HTML page (inline CSS and SVG, no scripts, opens offline).

==============  =================================================================================
``measure``     one reply trimmed and priced: :func:`measure_reply` → :class:`ReplyCost`
``summary``     running sums per model: :func:`build_report` → :class:`CostSummary` of
                :class:`Bucket`\\ s
``projection``  a projected month on every priced model (``--per-day``)
``parallel``    the same measurements in worker processes (``--jobs``)
``render``      ``text`` (and rich), ``json``, ``csv``, ``html``
==============  =================================================================================

Every figure in a report is a sum of per-reply figures: totals cover the replies that have a
price; ``unpriced_replies`` says how many were left out of them.
"""

from __future__ import annotations

from tokentrim.report.measure import NO_MODEL, ReplyCost, measure_reply
from tokentrim.report.projection import DAYS_PER_MONTH, Projection
from tokentrim.report.render import (
    render_csv,
    render_html,
    render_json,
    render_rich,
    render_text,
)
from tokentrim.report.summary import Bucket, CostSummary, build_report

__all__ = [
    "Bucket",
    "CostSummary",
    "DAYS_PER_MONTH",
    "NO_MODEL",
    "Projection",
    "ReplyCost",
    "build_report",
    "measure_reply",
    "render_csv",
    "render_html",
    "render_json",
    "render_rich",
    "render_text",
]
