"""Running sums: :func:`build_report` streams replies into a :class:`CostSummary`.

Only sums are kept, so memory stays flat however many replies come in. Totals cover the replies
that have a price; ``unpriced_replies`` says how many were left out of them.

Besides the per-model buckets, a summary keeps one bucket per input (``inputs``: the paths the
user named), the tokenizers that counted, and the ``top`` most verbose replies (a bounded heap).

The class is ``CostSummary``, not ``Report``: in this code base (and in black, which STYLE.md
copies) a ``Report`` is the CLI's exit-code keeper, and one name for two things misleads.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from tokentrim.cost import PriceTable, ResolvedModel, Usage, resolve_model, totals
from tokentrim.report.measure import NO_MODEL, ReplyCost, measure_reply
from tokentrim.report.projection import Projection, choose_input_share, project
from tokentrim.settings import Settings

if TYPE_CHECKING:
    from tokentrim.sources.records import Reply

__all__ = ["Bucket", "CostSummary", "build_report", "source_of", "whole_tokens"]


def build_report(
    replies: Iterable[Reply],
    *,
    settings: Settings,
    prices: PriceTable | None = None,
    compare: Sequence[str] = (),
    per_day: int | None = None,
    input_share: float | None = None,
    on_reply: Callable[[ReplyCost], None] | None = None,
    measure: Callable[..., ReplyCost] | None = None,
    jobs: int = 1,
    inputs: Sequence[str] = (),
    top: int = 0,
) -> CostSummary:
    """Trim and price every reply, keeping running sums only.

    ``compare`` prices the same per-reply usage on other models; ``per_day`` projects a 30-day
    month of that many tokens per day on every priced model (input/output split by
    ``input_share``, or by the share measured from the provider usage in the replies).
    ``jobs > 1`` trims in that many worker processes; results are added in input order, so the
    report is the same as with one process. ``inputs`` are the paths the replies were read from
    (``-`` for stdin), for the per-source breakdown; ``top`` keeps that many of the replies that
    trimming shortened most.
    """
    summary = CostSummary(
        settings=settings,
        prices_file=getattr(prices, "origin", None) or None,
        inputs=tuple(inputs),
        top_n=max(top, 0),
    )
    resolved_compare: list[ResolvedModel] = []
    for name in compare:
        resolved = resolve_model(name, prices)
        if resolved is None:
            summary.warnings[f"--compare: no price known for model {name!r}; left out"] = 0
            continue
        resolved_compare.append(resolved)
        summary.compare.append(Bucket(name, priced_as=resolved.priced_as))
    items: Iterator[ReplyCost]
    if jobs > 1 and measure is None:
        from tokentrim.report.parallel import measure_in_processes

        items = measure_in_processes(
            replies, settings=settings, prices=prices, compare=compare, jobs=jobs
        )
    else:
        measure_one = measure or measure_reply
        items = (
            measure_one(reply, settings=settings, prices=prices, compare=resolved_compare)
            for reply in replies
        )
    for item in items:
        summary.add(item)
        if on_reply is not None:
            on_reply(item)
    if per_day is not None:
        summary.input_share, summary.input_share_source = choose_input_share(
            summary.measured, input_share
        )
        summary.projections = project(summary, per_day, prices)
        if not summary.projections:
            summary.warnings[_no_projection_reason(summary)] = 0
    return summary


def whole_tokens(shares: dict[str, float]) -> list[tuple[str, int]]:
    """Fractional token shares as whole tokens that add up to the rounded total, largest first.

    Largest remainder (Hamilton) apportionment: every share is rounded down, and the tokens left
    over go to the shares with the largest fractions (ties by name), so no token is invented or
    lost in the rounding.
    """
    total = round(math.fsum(shares.values()))
    floors = {name: math.floor(value) for name, value in shares.items()}
    left = total - sum(floors.values())
    by_fraction = sorted(shares, key=lambda name: (-(shares[name] - floors[name]), name))
    for name in by_fraction[:left]:
        floors[name] += 1
    return sorted(
        ((name, tokens) for name, tokens in floors.items() if tokens),
        key=lambda kv: (-kv[1], kv[0]),
    )


_LINE_OR_ROW = re.compile(r"(?::\d+|#[^#]*)$")  # path:LINE, logs.db#ID, logs.db#logs/ROW


def source_of(origin: str, inputs: Sequence[str]) -> str:
    """The input a reply came from: the path the user named that holds ``origin``, else its file.

    Origins are ``path``, ``path:LINE`` and ``logs.db#ID`` (see :mod:`tokentrim.sources`); stdin
    replies have ``<stdin>`` origins and belong to ``-``.
    """
    for given in sorted(inputs, key=len, reverse=True):
        root = "<stdin>" if given == "-" else os.path.normpath(given)
        if origin == root or (
            origin.startswith(root) and origin[len(root)] in (os.sep, "/", ":", "#")
        ):
            return given
    return _LINE_OR_ROW.sub("", origin) or origin


def _without_model(data: dict[str, Any]) -> dict[str, Any]:
    """A source bucket's figures: its ``model`` field holds the source's name, said as ``source``."""
    data.pop("model", None)
    return data


def _no_projection_reason(summary: CostSummary) -> str:
    named = sorted(name for name in summary.models if name != NO_MODEL)
    if not named and not summary.compare:
        why = "no reply names a model; pass --model (or --compare MODEL) to price one"
    else:
        listed = ", ".join(repr(name) for name in named[:5]) + (" …" if len(named) > 5 else "")
        why = f"no price known for {listed}; price it in a --prices file or add --compare MODEL"
    return f"--per-day: no projection: {why}"


@dataclasses.dataclass
class CostSummary:
    """The whole report: one bucket per model, a total, rule savings, comparisons, projections."""

    settings: Settings
    models: dict[str, Bucket] = dataclasses.field(default_factory=dict)
    total: Bucket = dataclasses.field(default_factory=lambda: Bucket("TOTAL"))
    rules: dict[str, float] = dataclasses.field(default_factory=dict)
    compare: list[Bucket] = dataclasses.field(default_factory=list)
    projections: list[Projection] = dataclasses.field(default_factory=list)
    input_share: float | None = None
    input_share_source: str = ""
    warnings: dict[str, int] = dataclasses.field(default_factory=dict)
    prices_file: str | None = None
    #: Provider-reported usage only (estimated replies left out): the measured traffic shape.
    measured: Usage = dataclasses.field(default_factory=Usage)
    measured_replies: int = 0
    #: The paths the replies were read from; ``sources`` has one bucket per input (or file).
    inputs: tuple[str, ...] = ()
    sources: dict[str, Bucket] = dataclasses.field(default_factory=dict)
    #: Replies counted per tokenizer (``TrimResult.encoding``).
    encodings: dict[str, int] = dataclasses.field(default_factory=dict)
    top_n: int = 0
    # A min-heap of (tokens saved, -arrival, item): the smallest of the kept ones is dropped first.
    _top: list[tuple[int, int, ReplyCost]] = dataclasses.field(default_factory=list, repr=False)

    def add(self, item: ReplyCost) -> None:
        self.models.setdefault(item.model, Bucket(item.model)).add(item)
        source = source_of(item.origin, self.inputs)
        self.sources.setdefault(source, Bucket(source)).add(item)
        if item.encoding:
            self.encodings[item.encoding] = self.encodings.get(item.encoding, 0) + 1
        if self.top_n and item.tokens_saved > 0:
            entry = (item.tokens_saved, -self.total.replies, item)
            if len(self._top) < self.top_n:
                heapq.heappush(self._top, entry)
            elif entry[:2] > self._top[0][:2]:
                heapq.heapreplace(self._top, entry)
        self.total.add(item)
        if not item.usage.estimated:
            self.measured = self.measured + item.usage
            self.measured_replies += 1
        for rule, tokens in item.rule_tokens:
            self.rules[rule] = self.rules.get(rule, 0.0) + tokens
        for warning in item.warnings:
            self.warnings[warning] = self.warnings.get(warning, 0) + 1
        for bucket, (_, compute, context) in zip(self.compare, item.compare, strict=True):
            bucket.add_compared(item, compute, context)

    @property
    def top(self) -> list[ReplyCost]:
        """The replies trimming shortened most, most tokens saved first (earlier ones on ties)."""
        return [item for *_, item in sorted(self._top, key=lambda e: e[:2], reverse=True)]

    def rule_tokens(self) -> list[tuple[str, int]]:
        """Tokens saved per rule, in whole tokens that add up to the tokens saved."""
        return whole_tokens(self.rules)

    def as_dict(self) -> dict[str, Any]:
        settings = self.settings
        return {
            "currency": "USD",
            "models": [bucket.as_dict() for _, bucket in sorted(self.models.items())],
            "total": self.total.as_dict(),
            "sources": [
                {"source": name, **bucket.as_dict()}
                for name, bucket in sorted(self.sources.items())
            ],
            "tokenizers": [
                {"encoding": name, "replies": count}
                for name, count in sorted(self.encodings.items())
            ],
            "rules": [
                {"rule": rule, "tokens_saved": tokens} for rule, tokens in self.rule_tokens()
            ],
            "top": [
                {
                    "origin": item.origin,
                    "model": item.model,
                    "tokens_before": item.tokens_before,
                    "tokens_after": item.tokens_after,
                    "tokens_saved": item.tokens_saved,
                    "review_hours_before": item.review_hours_before,
                    "review_hours_after": item.review_hours_after,
                    "review_saved": item.review_before - item.review_after,
                }
                for item in self.top
            ],
            "compare": [bucket.as_dict() for bucket in self.compare],
            "projection": [dataclasses.asdict(p) for p in self.projections],
            "input_share": self.input_share,
            "input_share_source": self.input_share_source,
            "parameters": {
                "level": settings.level,
                "lines_per_hour": settings.review_lines_per_hour,
                "words_per_minute": settings.review_words_per_minute,
                "hourly_rate": settings.review_hourly_rate,
                "carry_turns": settings.carry_turns,
                "prices_file": self.prices_file,
            },
            "warnings": [
                {"message": message, "replies": count} for message, count in self.warnings.items()
            ],
        }


@dataclasses.dataclass
class Bucket:
    """Running sums for one model (or all of them, or one ``--compare`` model)."""

    model: str
    priced_as: str | None = None
    replies: int = 0
    replies_changed: int = 0
    unpriced_replies: int = 0
    estimated_replies: int = 0
    tokens_before: int = 0
    tokens_after: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    code_lines_before: int = 0
    code_lines_after: int = 0
    prose_words_before: int = 0
    prose_words_after: int = 0
    review_hours_before: float = 0.0
    review_hours_after: float = 0.0
    review_before: float = 0.0
    review_after: float = 0.0
    compute: float | None = None
    context_saved: float | None = None
    total_before: float | None = None
    total_after: float | None = None
    savings: float | None = None

    def add(self, item: ReplyCost) -> None:
        """Add one reply as it was priced on its own model."""
        if self.priced_as is None:
            self.priced_as = item.priced_as
        elif item.priced_as and item.priced_as != self.priced_as:
            self.priced_as = "(several)"
        self._add_unpriced_figures(item)
        if item.compute is None or item.context_saved is None:
            self.unpriced_replies += 1
            return
        self._add_priced_figures(item.compute, item.context_saved, item)

    def add_compared(
        self, item: ReplyCost, compute: float | None, context_saved: float | None
    ) -> None:
        """Add ``item`` to a comparison bucket, as if the same tokens had gone through its model."""
        self._add_unpriced_figures(item)
        if compute is None or context_saved is None:
            self.unpriced_replies += 1
            return
        self._add_priced_figures(compute, context_saved, item)

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["tokens_saved"] = self.tokens_saved
        return data

    def _add_unpriced_figures(self, item: ReplyCost) -> None:
        """Counts, tokens and review: known for every reply, priced or not."""
        self.replies += 1
        self.replies_changed += item.changed
        self.estimated_replies += item.usage.estimated
        for name in _INT_SUMS:
            setattr(self, name, getattr(self, name) + getattr(item, name))
        for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
            setattr(self, name, getattr(self, name) + getattr(item.usage, name))
        for name in ("review_hours_before", "review_hours_after", "review_before", "review_after"):
            setattr(self, name, getattr(self, name) + getattr(item, name))

    def _add_priced_figures(self, compute: float, context_saved: float, item: ReplyCost) -> None:
        total = totals(
            compute=compute,
            review_before=item.review_before,
            review_after=item.review_after,
            context_saved=context_saved,
        )
        for name, value in (
            ("compute", compute),
            ("context_saved", context_saved),
            *total._asdict().items(),
        ):
            setattr(self, name, (getattr(self, name) or 0.0) + value)


_INT_SUMS = (
    "tokens_before",
    "tokens_after",
    "code_lines_before",
    "code_lines_after",
    "prose_words_before",
    "prose_words_after",
)
