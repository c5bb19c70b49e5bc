"""One reply's costs: :class:`CostReport`, priced by :func:`price_reply` (see ``docs/costs.md``).

Two kinds of cost are kept apart:

* **compute** — what the model call cost, priced with genai-prices from the provider's usage when
  the input carries it, otherwise from local token counts (prompt unknown, so input 0; output = the
  reply's tokens) and marked ``compute_estimated``. A model genai-prices does not know, and that no
  ``--prices`` file names, has ``compute = None`` and a warning: never a made-up number.
* **review** — reviewer time: code lines ÷ lines-per-hour + prose words ÷ (words-per-minute × 60),
  times an hourly rate, before and after trimming.

The totals and savings come from :func:`tokentrim.cost.totals.totals`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tokentrim.cost.prices import PriceTable, resolve_model
from tokentrim.cost.review import ReviewLoad, review_hours, review_load
from tokentrim.cost.totals import totals
from tokentrim.cost.usage import Usage
from tokentrim.settings import Settings

__all__ = ["CostReport", "cost_report", "price_reply"]


@dataclasses.dataclass(frozen=True)
class CostReport:
    """Costs of one reply in ``currency``; ``None`` where a price is unknown."""

    model: str
    compute: float | None
    compute_estimated: bool
    review_before: float
    review_after: float
    review_hours_before: float
    review_hours_after: float
    context_saved: float | None
    total_before: float | None
    total_after: float | None
    savings: float | None
    currency: str = "USD"
    warnings: tuple[str, ...] = ()
    priced_as: str | None = None
    usage: Usage | None = None
    code_lines_before: int = 0
    code_lines_after: int = 0
    prose_words_before: int = 0
    prose_words_after: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["warnings"] = list(self.warnings)
        return data


def cost_report(
    *,
    model: str,
    before: str,
    after: str,
    tokens_before: int,
    tokens_after: int,
    settings: Settings,
    usage: Usage | None = None,
    prices: PriceTable | None = None,
) -> tuple[CostReport | None, list[str]]:
    """Price one reply before and after trimming; ``(None, [])`` when there is no model at all.

    ``usage`` is the provider's usage of the call; without it the reply's own tokens are priced as
    output (``compute_estimated``). A model without a price still gets review costs, with
    ``compute``, ``context_saved``, the totals and ``savings`` set to None and a warning.
    """
    if not model or not model.strip():
        return None, []
    report = price_reply(
        model=model,
        load_before=review_load(before, settings),
        load_after=review_load(after, settings),
        tokens_before=tokens_before,
        tokens_after=tokens_after,
        settings=settings,
        usage=usage,
        prices=prices,
    )
    return report, list(report.warnings)


def price_reply(
    *,
    model: str,
    load_before: ReviewLoad,
    load_after: ReviewLoad,
    tokens_before: int,
    tokens_after: int,
    settings: Settings,
    usage: Usage | None = None,
    prices: PriceTable | None = None,
) -> CostReport:
    """:func:`cost_report` for callers that already measured the review load."""
    warnings: list[str] = []
    hours_before = review_hours(load_before, settings)
    hours_after = review_hours(load_after, settings)
    review_before = hours_before * settings.review_hourly_rate
    review_after = hours_after * settings.review_hourly_rate

    if usage is None or not (usage.input_tokens or usage.output_tokens):
        usage = Usage(output_tokens=max(tokens_before, 0), estimated=True)
    resolved = resolve_model(model, prices)
    compute: float | None = None
    context_saved: float | None = None
    if resolved is None:
        warnings.append(
            f"no price known for model {model!r}: compute cost left out (add it to a --prices file)"
        )
    else:
        try:
            compute = float(resolved.price(usage).total)
            context_saved = resolved.context_saved(
                tokens_before - tokens_after, settings.carry_turns
            )
        except (ValueError, ArithmeticError) as exc:
            compute = context_saved = None
            warnings.append(f"cannot price {model!r} as {resolved.priced_as}: {exc}")
    total = totals(
        compute=compute,
        review_before=review_before,
        review_after=review_after,
        context_saved=context_saved,
    )
    return CostReport(
        model=model,
        compute=compute,
        compute_estimated=usage.estimated,
        review_before=review_before,
        review_after=review_after,
        review_hours_before=hours_before,
        review_hours_after=hours_after,
        context_saved=context_saved,
        total_before=total.total_before,
        total_after=total.total_after,
        savings=total.savings,
        warnings=tuple(warnings),
        priced_as=resolved.priced_as if resolved else None,
        usage=usage,
        code_lines_before=load_before.code_lines,
        code_lines_after=load_after.code_lines,
        prose_words_before=load_before.prose_words,
        prose_words_after=load_after.prose_words,
    )
