"""Model names nobody knows: a "did you mean" from genai-prices' and tiktoken's names.

A ``--model`` that neither genai-prices (nor a ``--prices`` file) prices nor tiktoken tokenizes is
almost always a typo (``gpt4o``, ``claude-3.5-sonet``); it would otherwise pass silently, counted
with the default encoding and left unpriced. :func:`unknown_model_warning` says so once, with the
closest known names from :func:`suggest_models`.
"""

from __future__ import annotations

import difflib
import functools

import tiktoken.model
from genai_prices import data_snapshot

from tokentrim.cost.prices import PriceTable, resolve_model

__all__ = ["known_model", "suggest_models", "unknown_model_warning"]

#: How close a known name must be to be suggested (difflib's ratio, 0..1).
SIMILARITY = 0.7


def unknown_model_warning(name: str, prices: PriceTable | None = None) -> str | None:
    """A one-line warning for a model nothing knows, with suggestions; None when it is known."""
    if not name.strip() or known_model(name, prices):
        return None
    suggestions = suggest_models(name, prices)
    hint = (
        "did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        if suggestions
        else "add it to a --prices file to price it"
    )
    return f"unknown model {name!r}: no price and no tokenizer known for it; {hint}"


def known_model(name: str, prices: PriceTable | None = None) -> bool:
    """Whether a price (genai-prices or ``prices``) or a tiktoken encoding exists for ``name``."""
    if resolve_model(name, prices) is not None:
        return True
    bare = name.strip().lower().rsplit("/", 1)[-1]
    try:
        tiktoken.model.encoding_name_for_model(bare)
    except KeyError:
        return False
    return True


def suggest_models(name: str, prices: PriceTable | None = None, *, limit: int = 3) -> list[str]:
    """Up to ``limit`` known model names closest to ``name``, closest first.

    Candidates are genai-prices' model ids, tiktoken's model names and prefixes, and the names in
    ``prices``. A router or provider prefix (``openrouter/``, ``gemini/``) is matched without it.
    """
    wanted = name.strip().lower()
    if not wanted:
        return []
    candidates = _known_names() + tuple(prices or ())
    found: list[str] = []
    for query in dict.fromkeys((wanted, wanted.rsplit("/", 1)[-1])):
        found += difflib.get_close_matches(query, candidates, n=limit, cutoff=SIMILARITY)
    ranked = sorted(
        dict.fromkeys(found),
        key=lambda c: (
            -max(
                difflib.SequenceMatcher(None, q, c).ratio()
                for q in (wanted, wanted.rsplit("/", 1)[-1])
            )
        ),
    )
    return [c for c in ranked if c != wanted][:limit]


@functools.cache
def _known_names() -> tuple[str, ...]:
    names: dict[str, None] = {}
    for provider in data_snapshot.get_snapshot().providers:
        for model in provider.models:
            names[model.id.lower()] = None
    for model_name in tiktoken.model.MODEL_TO_ENCODING:
        names[model_name] = None
    for prefix in tiktoken.model.MODEL_PREFIX_TO_ENCODING:
        names[prefix.rstrip("-")] = None
    # Fine-tune prefixes ("ft:gpt-4o") are not names anyone means to type.
    return tuple(name for name in names if ":" not in name)
