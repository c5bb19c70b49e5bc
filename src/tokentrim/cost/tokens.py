"""Price token counts for a model name: what routing needs ("what do these prompt and
completion tokens cost on this model"), beside ``priced``'s whole-reply cost; the model's
resolution is cached per name.

Some prices depend on the time of the call (DeepSeek's off-peak discount): ``when`` is that time;
``None`` means now. Replays of recorded runs price at :func:`standard_time` so that a replay gives
the same figures whatever the hour it runs at.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from tokentrim.cost.prices import PriceTable, resolve_model
from tokentrim.cost.usage import Usage

__all__ = ["TokenPricer", "price_tokens", "standard_time"]


def price_tokens(
    model: str, usage: Usage, prices: PriceTable | None = None, *, when: datetime | None = None
) -> tuple[float | None, str | None]:
    """``(USD, priced_as)`` of ``usage`` on ``model``; ``(None, None)`` when no price is known."""
    resolved = resolve_model(model, prices)
    if resolved is None:
        return None, None
    try:
        return float(resolved.price(usage, when=when).total), resolved.priced_as
    except (ValueError, ArithmeticError):
        return None, resolved.priced_as


@dataclasses.dataclass
class TokenPricer:
    """:func:`price_tokens` with the model resolution cached (one lookup per distinct name)."""

    prices: PriceTable | None = None
    when: datetime | None = None
    _priced_as: dict[str, str | None] = dataclasses.field(default_factory=dict)

    def __call__(self, model: str, input_tokens: int, output_tokens: int) -> float | None:
        cost, priced_as = price_tokens(
            model,
            Usage(input_tokens=input_tokens, output_tokens=output_tokens),
            self.prices,
            when=self.when,
        )
        self._priced_as.setdefault(model, priced_as)
        return cost

    def priced_as(self, model: str) -> str | None:
        if model not in self._priced_as:
            self(model, 0, 0)
        return self._priced_as[model]


def standard_time() -> datetime:
    """Today at 12:00 UTC: the standard (peak) rate of every time-of-day price genai-prices has."""
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
