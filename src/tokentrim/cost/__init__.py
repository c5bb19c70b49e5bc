"""What a reply cost, and what trimming it saved: compute (genai-prices) and review time.

=============  ===================================================================================
``prices``     :class:`PriceTable`, :func:`load_prices` (``--prices`` files), :func:`resolve_model`
               (names as users write them → genai-prices)
``names``      :func:`suggest_models` ("did you mean"), :func:`unknown_model_warning`
``review``     :class:`ReviewLoad`, :func:`review_load`, :func:`review_hours`
``usage``      :class:`Usage`: a provider's token usage in genai-prices' convention
``totals``     :func:`totals`: the one formula for compute + review − context saved
``priced``     :class:`CostReport` of one reply, :func:`price_reply`, :func:`cost_report`
``tokens``     :func:`price_tokens` / :class:`TokenPricer`: token counts on a model (routing)
=============  ===================================================================================

Trimming does not refund the tokens already paid; it saves review time and the input tokens of every
later prompt that carries the reply (``context_saved``)::

    total_before = compute + review_before
    total_after  = compute + review_after - context_saved
    savings      = total_before - total_after

``prices`` and ``priced`` import genai-prices' data (~0.1 s), so their names load on first use:
``tokentrim.cost.usage`` (which the trimming pipeline imports) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from tokentrim.cost.review import ReviewLoad, review_hours, review_load
from tokentrim.cost.totals import Totals, totals
from tokentrim.cost.usage import Usage

if TYPE_CHECKING:
    from tokentrim.cost.names import known_model, suggest_models, unknown_model_warning
    from tokentrim.cost.priced import CostReport, cost_report, price_reply
    from tokentrim.cost.prices import (
        Price,
        PriceTable,
        ResolvedModel,
        load_prices,
        resolve_model,
        to_genai_usage,
    )
    from tokentrim.cost.tokens import TokenPricer, price_tokens, standard_time

__all__ = [
    "CostReport",
    "Price",
    "PriceTable",
    "ResolvedModel",
    "ReviewLoad",
    "TokenPricer",
    "Totals",
    "Usage",
    "cost_report",
    "known_model",
    "load_prices",
    "price_reply",
    "price_tokens",
    "resolve_model",
    "review_hours",
    "review_load",
    "standard_time",
    "suggest_models",
    "to_genai_usage",
    "totals",
    "unknown_model_warning",
]

_LAZY = {
    "CostReport": "priced",
    "cost_report": "priced",
    "known_model": "names",
    "suggest_models": "names",
    "unknown_model_warning": "names",
    "price_reply": "priced",
    "Price": "prices",
    "PriceTable": "prices",
    "ResolvedModel": "prices",
    "load_prices": "prices",
    "resolve_model": "prices",
    "to_genai_usage": "prices",
    "TokenPricer": "tokens",
    "price_tokens": "tokens",
    "standard_time": "tokens",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tokentrim.cost' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tokentrim.cost.{module}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
