"""What trimming one input did — the ``clean --json`` record, one schema for every kind of input.

A :class:`Tally` sums the replies of one input (a markdown file is one reply, a JSONL file or an
llm ``logs.db`` many) in constant memory: counts, token sums, the rules that fired, and the
first :data:`MAX_LISTED` problem blocks and warnings. ``docs/clean-json.schema.json`` is its
JSON Schema; a test validates every kind of input against it.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import TYPE_CHECKING, Any

# An annotation only: `tokentrim digest` does not load the pipeline (libcst, black).
if TYPE_CHECKING:
    from tokentrim.pipeline import TrimResult

__all__ = ["COST_KEYS", "MAX_LISTED", "Tally"]

MAX_LISTED = 100
COST_KEYS = ("compute", "review_before", "review_after", "context_saved")


@dataclasses.dataclass
class Tally:
    """The sums of one input's replies (see ``docs/clean-json.md`` for each field)."""

    path: str
    kind: str
    replies: int = 0
    changed: int = 0
    records: int | None = None
    tokens_before: int = 0
    tokens_after: int = 0
    encoding: str | None = None
    blocks: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    rules: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    skipped: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    failed: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    problems: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    warning_count: int = 0
    costs: dict[str, float | None] = dataclasses.field(default_factory=dict)

    def add(self, result: TrimResult, origin: str) -> list[str]:
        """Count one reply in; returns the ``-v`` lines for its skipped and failed blocks."""
        self.replies += 1
        self.changed += result.changed
        self.tokens_before += result.tokens_before
        self.tokens_after += result.tokens_after
        self.encoding = result.encoding
        self.rules.update(result.rules)
        verbose = []
        for number, block in enumerate(result.blocks, 1):
            self.blocks[block.status] += 1
            if block.status not in ("skipped", "failed"):
                continue
            lang = f" ({block.lang})" if block.lang else ""
            verbose.append(f"{origin}: block {number}{lang} {block.status}: {block.reason}")
            if block.left_alone:
                continue
            (self.failed if block.status == "failed" else self.skipped)[block.category] += 1
            if len(self.problems) < MAX_LISTED:
                self.problems.append(
                    {
                        "origin": origin,
                        "block": number,
                        "lang": block.lang,
                        "status": block.status,
                        "reason": block.reason,
                    }
                )
        self.warning_count += len(result.warnings)
        for warning in result.warnings:
            if len(self.warnings) < MAX_LISTED and warning not in self.warnings:
                self.warnings.append(warning)
        if result.cost is not None:
            for key in COST_KEYS:
                value = getattr(result.cost, key, None)
                # One reply without a price makes the sum unknown, not smaller.
                total = self.costs.get(key, 0.0)
                self.costs[key] = None if value is None or total is None else total + value
        return verbose

    def json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "replies": self.replies,
            "changed": self.changed,
            "records": self.records,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "encoding": self.encoding,
            "blocks": {s: self.blocks[s] for s in ("changed", "unchanged", "skipped", "failed")},
            "rules": dict(sorted(self.rules.items())),
            "problems": self.problems,
            "warnings": self.warnings,
            "warning_count": self.warning_count,
            "cost": self.costs or None,
        }
