"""Model prices: genai-prices' snapshot, overridden by a ``--prices`` TOML file.

:func:`resolve_model` matches a model name as users write it (router and provider prefixes, date
and version suffixes) to a price; :func:`load_prices` reads a file of per-million-token prices into
a :class:`PriceTable` that wins over genai-prices. Prices are computed by genai-prices' own
arithmetic (Decimal USD), cache tokens included.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import tomllib
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from genai_prices import Usage as GenaiUsage
from genai_prices import data_snapshot
from genai_prices.data_snapshot import find_provider_by_id
from genai_prices.types import ModelInfo, ModelPrice, Provider

from tokentrim.cost.usage import Usage
from tokentrim.errors import ConfigError

__all__ = [
    "PRICE_FILE_KEYS",
    "Price",
    "PriceTable",
    "ResolvedModel",
    "load_prices",
    "resolve_model",
    "to_genai_usage",
]

PRICE_FILE_KEYS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
}


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
    return list(dict.fromkeys(out))  # first occurrence wins, order kept


@functools.lru_cache(maxsize=256)
def _provider_for_prefix(prefix: str) -> str | None:
    if prefix in _PROVIDER_ALIASES:
        return _PROVIDER_ALIASES[prefix]
    provider = find_provider_by_id(data_snapshot.get_snapshot().providers, prefix)
    return provider.id if provider is not None else None
