"""The report as one JSON document: :meth:`CostSummary.as_dict`, indented, UTF-8 kept."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokentrim.report.summary import CostSummary

__all__ = ["render_json"]


def render_json(report: CostSummary) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
