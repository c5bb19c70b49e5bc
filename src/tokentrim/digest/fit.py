"""Fit ranked entries to a token budget, exactly. Pure.

The rendered text is what is counted, with the model's tokenizer: no estimate per entry. The longest
prefix of the ranking that fits is found by doubling then bisecting (a handful of renders however
large the repository); then the entries after it are tried in rank order, each kept if the whole
text still fits, so that a long signature early in the ranking does not leave the rest of the
budget empty. Every candidate text is counted before it is kept: the result never exceeds the
budget, whatever the tokenizer does at the joins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tokentrim.digest.model import Scored

__all__ = ["FILL_ATTEMPTS", "fit"]

# Entries tried after the prefix: enough to fill the budget's tail, bounded for huge repositories.
FILL_ATTEMPTS = 96
# Below this many tokens left, no entry fits: stop trying.
MIN_ENTRY_TOKENS = 4


def fit(
    ranked: Sequence[Scored],
    budget: int,
    render: Callable[[Sequence[Scored]], str],
    count: Callable[[str], int],
) -> tuple[list[Scored], str, int]:
    """(entries kept in rank order, their rendered text, its token count ≤ ``budget``)."""
    empty = render([])
    empty_tokens = count(empty)
    if empty_tokens > budget:
        return [], "", 0

    def fits(entries: Sequence[Scored]) -> tuple[str, int] | None:
        text = render(entries)
        tokens = count(text)
        return (text, tokens) if tokens <= budget else None

    best: tuple[str, int] = (empty, empty_tokens)
    low, high = 0, 1  # the prefix of `low` entries fits; find the first `high` that does not
    while high <= len(ranked):
        result = fits(ranked[:high])
        if result is None:
            break
        best, low, high = result, high, high * 2
    high = min(high, len(ranked) + 1)
    while high - low > 1:
        middle = (low + high) // 2
        result = fits(ranked[:middle])
        if result is None:
            high = middle
        else:
            best, low = result, middle

    chosen = list(ranked[:low])
    for entry in ranked[low + 1 : low + 1 + FILL_ATTEMPTS]:
        if budget - best[1] < MIN_ENTRY_TOKENS:
            break
        result = fits([*chosen, entry])
        if result is not None:
            chosen.append(entry)
            best = result
    return chosen, best[0], best[1]
