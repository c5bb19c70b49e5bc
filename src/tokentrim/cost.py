"""What a reply cost, and what trimming it saved: compute (genai-prices) and review time.

Two kinds of cost are kept apart (see ``docs/costs.md``):

* **compute** — what the model call cost, priced with genai-prices from the provider's usage when
  the input carries it, otherwise from local token counts (prompt unknown, so input 0; output = the
  reply's tokens) and marked ``compute_estimated``. A model genai-prices does not know, and that no
  ``--prices`` file names, has ``compute = None`` and a warning: never a made-up number.
* **review** — reviewer time: code lines ÷ lines-per-hour + prose words ÷ (words-per-minute × 60),
  times an hourly rate, before and after trimming.

Trimming does not refund the tokens already paid; it saves review time and the input tokens of every
later prompt that carries the reply (``context_saved``)::

    total_before = compute + review_before
    total_after  = compute + review_after - context_saved
    savings      = total_before - total_after
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from genai_prices import Usage as GenaiUsage
from genai_prices import data_snapshot
from genai_prices.data_snapshot import find_provider_by_id
from genai_prices.types import ModelInfo, ModelPrice, Provider

from tokentrim.errors import ConfigError
from tokentrim.fences import find_code_blocks
from tokentrim.settings import Settings
from tokentrim.usage import Usage

__all__ = [
    "CostReport",
    "Price",
    "PriceTable",
    "ResolvedModel",
    "ReviewLoad",
    "cost_report",
    "load_prices",
    "price_reply",
    "resolve_model",
    "review_hours",
    "review_load",
]

PRICE_FILE_KEYS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
}


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
    compute = context_saved = total_before = total_after = savings = None
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
    if compute is not None and context_saved is not None:
        total_before = compute + review_before
        total_after = compute + review_after - context_saved
        savings = (review_before - review_after) + context_saved
    return CostReport(
        model=model,
        compute=compute,
        compute_estimated=usage.estimated,
        review_before=review_before,
        review_after=review_after,
        review_hours_before=hours_before,
        review_hours_after=hours_after,
        context_saved=context_saved,
        total_before=total_before,
        total_after=total_after,
        savings=savings,
        warnings=tuple(warnings),
        priced_as=resolved.priced_as if resolved else None,
        usage=usage,
        code_lines_before=load_before.code_lines,
        code_lines_after=load_after.code_lines,
        prose_words_before=load_before.prose_words,
        prose_words_after=load_after.prose_words,
    )


# --- review time -----------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:['’.-]\w+)*")


@dataclasses.dataclass(frozen=True)
class ReviewLoad:
    """What a reviewer reads: non-blank lines of fenced code, and words of prose around them."""

    code_lines: int
    prose_words: int

    @classmethod
    def of(cls, prose: Iterable[str], code: Iterable[str]) -> ReviewLoad:
        """The load of a reply already split into prose pieces and code block contents."""
        return cls(
            code_lines=sum(_non_blank_lines(block) for block in code),
            prose_words=sum(len(_WORD.findall(piece)) for piece in prose),
        )


def review_load(text: str, settings: Settings | None = None) -> ReviewLoad:
    """Code lines inside fenced blocks and prose words outside them.

    A reply without fences that ``trim()`` treats as one Python block (``code="whole"``, or
    ``code="auto"`` and it parses as a program) counts as code throughout.
    """
    blocks = find_code_blocks(text)
    if not blocks and _whole_reply_is_code(text, settings or _DEFAULT_SETTINGS):
        return ReviewLoad(code_lines=_non_blank_lines(text), prose_words=0)
    code_lines = sum(_non_blank_lines(block.code) for block in blocks)
    prose_words = 0
    position = 0
    for block in blocks:
        prose_words += len(_WORD.findall(text, position, block.start))
        position = max(position, block.end)
    prose_words += len(_WORD.findall(text, position))
    return ReviewLoad(code_lines=code_lines, prose_words=prose_words)


def review_hours(load: ReviewLoad, settings: Settings) -> float:
    """Hours to review: lines ÷ lines-per-hour + words ÷ (words-per-minute × 60)."""
    return load.code_lines / settings.review_lines_per_hour + load.prose_words / (
        settings.review_words_per_minute * 60
    )


def _whole_reply_is_code(text: str, settings: Settings) -> bool:
    if settings.code == "fenced" or not text.strip():
        return False
    if settings.code == "whole":
        return True
    from tokentrim.languages.python.detect import looks_like_python

    return looks_like_python(text)


_DEFAULT_SETTINGS = Settings()


def _non_blank_lines(code: str) -> int:
    return sum(1 for line in code.splitlines() if line.strip())


# --- prices ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Price:
    """A priced usage in USD: ``input`` (prompt incl. cache) + ``output`` = ``total``."""

    input: Decimal
    output: Decimal
    total: Decimal


@dataclasses.dataclass(frozen=True)
class ResolvedModel:
    """A model name matched to a price: genai-prices' provider and model, or a prices-file entry."""

    name: str
    priced_as: str  # "openai:gpt-4o", or "prices file:my-model"
    matched_ref: str = ""  # the reference genai-prices matched (its calc_price takes it)
    model_price: ModelPrice | None = None  # prices file
    provider: Provider | None = dataclasses.field(default=None, compare=False)
    model_info: ModelInfo | None = dataclasses.field(default=None, compare=False)

    @property
    def source(self) -> str:
        return "prices file" if self.model_price is not None else "genai-prices"

    def price(self, usage: Usage, *, when: datetime | None = None) -> Price:
        """Price ``usage`` exactly as genai-prices' ``calc_price`` does (Decimal USD)."""
        genai_usage = to_genai_usage(usage)
        if self.model_price is not None:
            result = self.model_price.calc_price(genai_usage)
            return Price(result["input_price"], result["output_price"], result["total_price"])
        assert self.model_info is not None and self.provider is not None
        calculation = self.model_info.calc_price(
            genai_usage, self.provider, genai_request_timestamp=when
        )
        return Price(calculation.input_price, calculation.output_price, calculation.total_price)

    def context_saved(self, tokens_removed: int, carry_turns: int) -> float:
        """Input price of ``tokens_removed`` prompt tokens, times the turns the reply is carried."""
        per_turn = self.price(Usage(input_tokens=abs(tokens_removed))).input
        return math.copysign(float(per_turn), tokens_removed) * carry_turns


def to_genai_usage(usage: Usage) -> GenaiUsage:
    """Our ``Usage`` in genai-prices' terms (same convention: input includes cache tokens)."""
    values: dict[str, int] = {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
    }
    if usage.cache_read_tokens:
        values["cache_read_tokens"] = usage.cache_read_tokens
    if usage.cache_write_tokens:
        values["cache_write_tokens"] = usage.cache_write_tokens
    return GenaiUsage(**values)


class PriceTable(Mapping[str, ModelPrice]):
    """Per-million-token prices from a TOML file; they override or add to genai-prices.

    ::

        [models."my-model"]
        input = 0.1        # USD per million input tokens
        output = 0.4
        cache_read = 0.01  # optional; cache tokens cost the input price otherwise
        cache_write = 0.5  # optional
    """

    def __init__(self, models: Mapping[str, ModelPrice], *, origin: str = "") -> None:
        self._models = {name.strip().lower(): price for name, price in models.items()}
        self.origin = origin
        self._resolved: dict[str, ResolvedModel | None] = {}

    def __getitem__(self, name: str) -> ModelPrice:
        return self._models[name.strip().lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


def load_prices(path: str | Path) -> PriceTable:
    """Read a prices TOML file; ConfigError (one line, with the path) when it is invalid."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read prices file ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise ConfigError(f'{path}: expected a [models."NAME"] table with input/output prices')
    table: dict[str, ModelPrice] = {}
    for name, entry in models.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: models.{name} must be a table of prices")
        unknown = set(entry) - set(PRICE_FILE_KEYS)
        if unknown:
            raise ConfigError(
                f"{path}: models.{name}: unknown key(s) {', '.join(sorted(unknown))} "
                f"(allowed: {', '.join(PRICE_FILE_KEYS)})"
            )
        missing = {"input", "output"} - set(entry)
        if missing:
            raise ConfigError(f"{path}: models.{name}: missing {', '.join(sorted(missing))}")
        prices: dict[str, Decimal] = {}
        for key, value in entry.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError(f"{path}: models.{name}.{key} must be a number")
            try:
                amount = Decimal(str(value))
            except InvalidOperation:
                raise ConfigError(f"{path}: models.{name}.{key} must be a number") from None
            if not amount.is_finite() or amount < 0:
                raise ConfigError(f"{path}: models.{name}.{key} must be a non-negative number")
            prices[PRICE_FILE_KEYS[key]] = amount
        table[name] = ModelPrice(**prices)
    return PriceTable(table, origin=str(path))


# --- model names -----------------------------------------------------------------------------

# Router and LiteLLM prefixes that genai-prices' own provider matching does not catch.
_PROVIDER_ALIASES = {
    "fireworks_ai": "fireworks",
    "fireworks-ai": "fireworks",
    "azure_ai": "azure",
    "azure_openai": "azure",
    "text-completion-openai": "openai",
    "z-ai": "zai",
    "moonshot": "moonshotai",
    "zhipu": "zhipuai",
    "x-ai": "x-ai",
}
_ROUTERS = ("openrouter/", "litellm/", "litellm_proxy/")
# Suffixes dropped, one at a time, when a name does not match as written: a date (2024-08-06,
# 20240620, Vertex's @20240620, Mistral's 2405), -latest, Bedrock's -v1:0, a version (-v0.1), a
# router tag (:free, :beta).
_DATE_SUFFIX = re.compile(
    r"(?:[-@]20\d{2}-?[01]\d-?[0-3]\d|-[23]\d(?:0[1-9]|1[0-2])|-latest|-v\d+:\d+"
    r"|-v\d+(?:\.\d+)*|:[a-z]+)$"
)


def resolve_model(name: str, prices: PriceTable | None = None) -> ResolvedModel | None:
    """Match a model name as users write it to a price; None when nothing prices it.

    A prices file wins over genai-prices, by name or by the model genai-prices resolves to.
    Resolutions are cached (per table, and per genai-prices snapshot).
    """
    if prices is None:
        return _resolve_genai(name, id(data_snapshot.get_snapshot()))
    if name in prices._resolved:
        return prices._resolved[name]
    resolved: ResolvedModel | None = None
    for ref, _ in _candidates(name):
        if ref in prices:
            resolved = ResolvedModel(name, f"prices file:{ref}", model_price=prices[ref])
            break
    if resolved is None:
        resolved = _resolve_genai(name, id(data_snapshot.get_snapshot()))
        if resolved is not None and resolved.model_info is not None:
            model_id = resolved.model_info.id.lower()
            for key in (f"{resolved.priced_as.split(':', 1)[0]}/{model_id}", model_id):
                if key in prices:
                    resolved = ResolvedModel(name, f"prices file:{key}", model_price=prices[key])
                    break
    prices._resolved[name] = resolved
    return resolved


@functools.lru_cache(maxsize=4096)
def _resolve_genai(name: str, snapshot_id: int) -> ResolvedModel | None:
    snapshot = data_snapshot.get_snapshot()
    for ref, provider_id in _candidates(name):
        try:
            provider, model = snapshot.find_provider_model(ref, None, provider_id, None)
        except (LookupError, ValueError):
            continue
        return ResolvedModel(
            name, f"{provider.id}:{model.id}", ref, provider=provider, model_info=model
        )
    return None


def _candidates(name: str) -> list[tuple[str, str | None]]:
    """(model ref, genai-prices provider id or None) pairs to try, most specific first."""
    ref = name.strip().lower()
    out: list[tuple[str, str | None]] = []
    for router in _ROUTERS:
        if ref.startswith(router):
            ref = ref[len(router) :]
            if router == "openrouter/":
                out.append((ref, "openrouter"))
            break
    if "/" in ref:
        prefix, rest = ref.split("/", 1)
        provider_id = _provider_for_prefix(prefix)
        if provider_id:
            out.append((rest, provider_id))
        out += [(rest, None), (ref, None), (ref, "openrouter")]
    else:
        out.append((ref, None))
    for candidate, provider_id in list(out):
        shorter = candidate
        while (trimmed := _DATE_SUFFIX.sub("", shorter)) != shorter and trimmed:
            shorter = trimmed
            out.append((shorter, provider_id))
        if shorter != candidate:
            out.append((f"{shorter}-latest", provider_id))  # the alias Mistral and Anthropic use
    seen: set[tuple[str, str | None]] = set()
    return [c for c in out if not (c in seen or seen.add(c))]


@functools.lru_cache(maxsize=256)
def _provider_for_prefix(prefix: str) -> str | None:
    if prefix in _PROVIDER_ALIASES:
        return _PROVIDER_ALIASES[prefix]
    provider = find_provider_by_id(data_snapshot.get_snapshot().providers, prefix)
    return provider.id if provider is not None else None
