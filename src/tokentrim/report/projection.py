"""A projected month: ``--per-day`` tokens on every priced model, trimmed as the measured replies.

Trimming and review scale with output tokens, at the rates measured per reply token; a typical
request (the measured average, or :data:`NOMINAL_REQUEST_TOKENS` without provider usage) is
priced and scaled, so per-request price tiers apply as they would.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from tokentrim.cost import PriceTable, Usage, resolve_model, totals
from tokentrim.report.measure import NO_MODEL

if TYPE_CHECKING:
    from tokentrim.report.summary import CostSummary

__all__ = [
    "DAYS_PER_MONTH",
    "NOMINAL_REQUEST_TOKENS",
    "Projection",
    "choose_input_share",
    "project",
]

DAYS_PER_MONTH = 30
# Request size used to price a projected month when the replies carry no provider usage: small
# enough to stay in every provider's base price tier.
NOMINAL_REQUEST_TOKENS = 1_000


def choose_input_share(measured: Usage, given: float | None) -> tuple[float, str]:
    """The input share of projected tokens, and where it comes from."""
    if given is not None:
        return given, "--input-share"
    if measured.input_tokens + measured.output_tokens > 0:
        share = measured.input_tokens / (measured.input_tokens + measured.output_tokens)
        return share, "measured from provider usage"
    return 0.5, "assumed: no provider usage, pass --input-share"


def project(summary: CostSummary, per_day: int, prices: PriceTable | None) -> list[Projection]:
    """One 30-day month of ``per_day`` tokens per priced model, at ``summary.input_share``."""
    measured = summary.measured
    share = 0.5 if summary.input_share is None else summary.input_share
    month = per_day * DAYS_PER_MONTH
    month_in = round(month * share)
    month_out = month - month_in
    total = summary.total
    # Trimming and reviewing scale with output tokens: use the measured rates per reply token.
    saved_fraction = total.tokens_saved / total.tokens_before if total.tokens_before else 0.0
    hours_before_per_token = (
        total.review_hours_before / total.tokens_before if total.tokens_before else 0.0
    )
    hours_after_per_token = (
        total.review_hours_after / total.tokens_before if total.tokens_before else 0.0
    )
    rate = summary.settings.review_hourly_rate
    review_before = month_out * hours_before_per_token * rate
    review_after = month_out * hours_after_per_token * rate
    removed = round(month_out * saved_fraction)
    # Price a typical request, then scale, so that per-request price tiers apply as they would;
    # cache reads keep their measured share of the prompt.
    if summary.measured_replies:
        request = max(
            (measured.input_tokens + measured.output_tokens) // summary.measured_replies, 1
        )
        cached = (
            measured.cache_read_tokens / measured.input_tokens if measured.input_tokens else 0.0
        )
    else:
        request, cached = NOMINAL_REQUEST_TOKENS, 0.0
    request_in = round(request * share)
    request_usage = Usage(
        input_tokens=request_in,
        output_tokens=request - request_in,
        cache_read_tokens=round(request_in * cached),
    )
    scale = month / request

    projections: list[Projection] = []
    names = [name for name in sorted(summary.models) if name != NO_MODEL]
    names += [b.model for b in summary.compare if b.model not in names]
    for name in names:
        resolved = resolve_model(name, prices)
        if resolved is None:  # already warned about; a row of dashes says nothing more
            continue
        compute: float | None = None
        context: float | None = None
        try:
            compute = float(resolved.price(request_usage).total) * scale
            # Per token at a small prompt's rate: the removed tokens are spread over requests.
            per_1k = resolved.context_saved(1_000, summary.settings.carry_turns)
            context = per_1k * removed / 1_000
        except (ValueError, ArithmeticError):
            compute = context = None
        month_totals = totals(
            compute=compute,
            review_before=review_before,
            review_after=review_after,
            context_saved=context,
        )
        projections.append(
            Projection(
                model=name,
                priced_as=resolved.priced_as,
                tokens_per_day=per_day,
                input_share=share,
                input_tokens=month_in,
                output_tokens=month_out,
                compute=compute,
                review_before=review_before,
                review_after=review_after,
                context_saved=context,
                total_before=month_totals.total_before,
                total_after=month_totals.total_after,
                savings=month_totals.savings,
            )
        )
    return projections


@dataclasses.dataclass(frozen=True)
class Projection:
    """A 30-day month of ``tokens_per_day`` on one model, trimmed as the measured replies were."""

    model: str
    priced_as: str | None
    tokens_per_day: int
    input_share: float
    input_tokens: int
    output_tokens: int
    compute: float | None
    review_before: float
    review_after: float
    context_saved: float | None
    total_before: float | None
    total_after: float | None
    savings: float | None
