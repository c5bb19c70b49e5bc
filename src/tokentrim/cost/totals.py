"""The one place the totals formula lives: compute, review and context saved → totals, savings.

Trimming does not refund the tokens already paid; it saves review time and the input tokens of every
later prompt that carries the reply (``context_saved``)::

    total_before = compute + review_before
    total_after  = compute + review_after - context_saved
    savings      = total_before - total_after = (review_before - review_after) + context_saved

A reply, a comparison on another model and a projected month all go through :func:`totals`.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Totals", "totals"]


class Totals(NamedTuple):
    """``total_before``, ``total_after`` and ``savings``; all None when a price is unknown."""

    total_before: float | None
    total_after: float | None
    savings: float | None


def totals(
    *,
    compute: float | None,
    review_before: float,
    review_after: float,
    context_saved: float | None,
) -> Totals:
    """The totals of one priced workload; ``Totals(None, None, None)`` without compute or context.

    Review costs are always known (they need only the hourly rate); compute and context saved need
    a model price, and a total that left them out would be a made-up number.
    """
    if compute is None or context_saved is None:
        return Totals(None, None, None)
    return Totals(
        total_before=compute + review_before,
        total_after=compute + review_after - context_saved,
        # Not total_before - total_after: a large compute would swallow a small saving in rounding.
        savings=(review_before - review_after) + context_saved,
    )
