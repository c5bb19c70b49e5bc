"""Token usage as a provider reported it (or as counted locally)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Usage:
    """Tokens of one model call. ``estimated`` is True when counted locally, not by the provider."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    estimated: bool = False

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Usage | None:
        """Read OpenAI (chat/Responses) or Anthropic usage dicts; None when there is nothing usable."""
        if not data:
            return None

        def num(*keys: str, within: Mapping[str, Any] | None = None) -> int:
            source = data if within is None else within
            for key in keys:
                value = source.get(key) if isinstance(source, Mapping) else None
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    return int(value)
            return 0

        details = data.get("prompt_tokens_details") or data.get("input_tokens_details") or {}
        cache_read = num("cache_read_input_tokens") or num("cached_tokens", within=details)
        input_tokens = num("prompt_tokens", "input_tokens")
        # OpenAI counts cached tokens inside prompt_tokens; Anthropic counts them apart.
        if "prompt_tokens" in data or "input_tokens_details" in data:
            input_tokens -= cache_read
        usage = cls(
            input_tokens=max(input_tokens, 0),
            output_tokens=num("completion_tokens", "output_tokens"),
            cache_read_tokens=cache_read,
            cache_write_tokens=num("cache_creation_input_tokens"),
            estimated=bool(data.get("estimated", False)),
        )
        if not (usage.input_tokens or usage.output_tokens or usage.cache_read_tokens):
            return None
        return usage
