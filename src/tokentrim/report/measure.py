"""One reply, trimmed and priced: :func:`measure_reply` → :class:`ReplyCost`, the report's unit.

Every figure in a report is a sum of these per-reply figures.
"""

from __future__ import annotations

import dataclasses
import io
import tokenize
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tokentrim.cost import (
    CostReport,
    PriceTable,
    ResolvedModel,
    Usage,
    review_hours,
    review_load,
)
from tokentrim.settings import Settings

if TYPE_CHECKING:
    from tokentrim.pipeline import TrimResult
    from tokentrim.sources.records import Reply

__all__ = ["NO_MODEL", "ReplyCost", "measure_reply"]

NO_MODEL = "(no model)"


@dataclasses.dataclass(frozen=True)
class ReplyCost:
    """Everything the report adds up for one reply."""

    origin: str
    model: str  # as written in the record (or the default model), NO_MODEL when there is none
    priced_as: str | None
    changed: bool
    tokens_before: int
    tokens_after: int
    usage: Usage  # what ``compute`` priced: the provider's usage, or the local estimate
    code_lines_before: int
    code_lines_after: int
    prose_words_before: int
    prose_words_after: int
    review_hours_before: float
    review_hours_after: float
    review_before: float
    review_after: float
    compute: float | None
    context_saved: float | None
    total_before: float | None
    total_after: float | None
    savings: float | None
    rule_tokens: tuple[tuple[str, float], ...] = ()
    compare: tuple[tuple[str, float | None, float | None], ...] = ()  # (model, compute, context)
    warnings: tuple[str, ...] = ()
    encoding: str = ""  # the tokenizer that counted the tokens (TrimResult.encoding)

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after

    @property
    def priced(self) -> bool:
        return self.compute is not None and self.context_saved is not None


def measure_reply(
    reply: Reply,
    *,
    settings: Settings,
    prices: PriceTable | None = None,
    compare: Sequence[ResolvedModel] = (),
) -> ReplyCost:
    """Trim one reply and price it before and after; never raises on bad text."""
    from tokentrim.pipeline import trim

    model = (reply.model or settings.model or "").strip() or None
    usage = reply.usage
    if usage is not None and not isinstance(usage, Usage):
        usage = Usage.from_mapping(usage)
    result = trim(reply.text, model=model, settings=settings, usage=usage, prices=prices)
    cost = result.cost
    if cost is None:  # no model: review only
        cost = _review_only(result.original, result.text, result.tokens_before, usage, settings)
    priced_usage = cost.usage or Usage()
    removed = result.tokens_before - result.tokens_after
    compared = tuple(
        (other.name, *_price_on(other, priced_usage, removed, settings)) for other in compare
    )
    return ReplyCost(
        origin=reply.origin,
        model=model or NO_MODEL,
        priced_as=cost.priced_as,
        changed=result.changed,
        tokens_before=result.tokens_before,
        tokens_after=result.tokens_after,
        usage=priced_usage,
        code_lines_before=cost.code_lines_before,
        code_lines_after=cost.code_lines_after,
        prose_words_before=cost.prose_words_before,
        prose_words_after=cost.prose_words_after,
        review_hours_before=cost.review_hours_before,
        review_hours_after=cost.review_hours_after,
        review_before=cost.review_before,
        review_after=cost.review_after,
        compute=cost.compute,
        context_saved=cost.context_saved,
        total_before=cost.total_before,
        total_after=cost.total_after,
        savings=cost.savings,
        rule_tokens=_rule_tokens(result, model),
        compare=compared,
        warnings=cost.warnings,
        encoding=result.encoding,
    )


def _review_only(
    before: str, after: str, tokens_before: int, usage: Usage | None, settings: Settings
) -> CostReport:
    """A CostReport without compute, for replies whose model nobody named."""
    load_before, load_after = review_load(before, settings), review_load(after, settings)
    hours_before = review_hours(load_before, settings)
    hours_after = review_hours(load_after, settings)
    return CostReport(
        model=NO_MODEL,
        compute=None,
        compute_estimated=usage is None,
        review_before=hours_before * settings.review_hourly_rate,
        review_after=hours_after * settings.review_hourly_rate,
        review_hours_before=hours_before,
        review_hours_after=hours_after,
        context_saved=None,
        total_before=None,
        total_after=None,
        savings=None,
        warnings=("no model given: compute cost left out (pass --model)",),
        usage=usage or Usage(output_tokens=tokens_before, estimated=True),
        code_lines_before=load_before.code_lines,
        code_lines_after=load_after.code_lines,
        prose_words_before=load_before.prose_words,
        prose_words_after=load_after.prose_words,
    )


def _price_on(
    other: ResolvedModel, usage: Usage, removed: int, settings: Settings
) -> tuple[float | None, float | None]:
    try:
        return float(other.price(usage).total), other.context_saved(removed, settings.carry_turns)
    except (ValueError, ArithmeticError):
        return None, None


def _rule_tokens(result: TrimResult, model: str | None) -> tuple[tuple[str, float], ...]:
    """Tokens saved, apportioned to what saved them (an estimate; the total is exact).

    In code blocks, ``comments`` gets the tokens of the comments that disappeared; the rest of a
    changed block's saving is split evenly among the rule ids that changed it, or goes to
    ``format`` (black) when none did. What the reply saved outside blocks goes to the text rules
    that fired (``<think>`` stripping, filler prose), or to ``other`` (e.g. ``--prose drop``).
    """
    shares: dict[str, float] = {}
    block_saved = 0
    block_rules: set[str] = set()
    for block in result.blocks:
        saved = block.tokens_before - block.tokens_after
        if block.status != "changed" or saved == 0:
            continue
        block_saved += saved
        rules = tuple(block.rules) or ("format",)
        block_rules.update(rules)
        for rule in rules:
            shares[rule] = shares.get(rule, 0.0) + saved / len(rules)
    if block_saved > 0:
        removed = _comment_tokens(result.original, model) - _comment_tokens(result.text, model)
        comments = float(min(max(removed, 0), block_saved))
        if comments:
            scale = (block_saved - comments) / block_saved
            shares = {rule: tokens * scale for rule, tokens in shares.items()}
            shares["comments"] = comments
    rest = (result.tokens_before - result.tokens_after) - block_saved
    if rest:
        text_rules = [r for r in result.rules if r not in block_rules] or ["other"]
        for rule in text_rules:
            shares[rule] = shares.get(rule, 0.0) + rest / len(text_rules)
    return tuple(sorted((rule, tokens) for rule, tokens in shares.items() if tokens))


def _comment_tokens(text: str, model: str | None) -> int:
    """Tokens in the ``#`` comments of the Python blocks of ``text`` (0 where it does not lex)."""
    from tokentrim.fences import find_code_blocks
    from tokentrim.tokens import count_tokens

    comments: list[str] = []
    for block in find_code_blocks(text):
        if block.lang not in ("python", "py", "python3", ""):
            continue
        try:
            comments.extend(
                token.string
                for token in tokenize.generate_tokens(io.StringIO(block.code).readline)
                if token.type == tokenize.COMMENT
            )
        except (tokenize.TokenError, SyntaxError, ValueError):
            continue
    return count_tokens("\n".join(comments), model=model) if comments else 0
