"""Token usage as a provider reported it (or as counted locally).

``Usage`` follows genai-prices' convention so that it can be priced without translation:
``input_tokens`` is the **total** number of prompt tokens, cache reads and cache writes included;
``cache_read_tokens`` and ``cache_write_tokens`` are parts of that total, priced at their own rates.

Providers disagree on what "input tokens" means, and :meth:`Usage.from_mapping` reconciles them:

=====================  ====================================  ===================================
provider / API         reported                              ``Usage.input_tokens``
=====================  ====================================  ===================================
OpenAI chat            ``prompt_tokens`` (cached included)    ``prompt_tokens``
OpenAI Responses       ``input_tokens`` (cached included)     ``input_tokens``
Anthropic messages     ``input_tokens`` (cache excluded)      ``input_tokens`` + cache read + write
Gemini                 ``promptTokenCount`` (cached incl.)    ``promptTokenCount``
=====================  ====================================  ===================================
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any


@dataclasses.dataclass(frozen=True)
class Usage:
    """Tokens of one model call. ``estimated`` is True when counted locally, not by the provider.

    ``input_tokens`` includes ``cache_read_tokens`` and ``cache_write_tokens`` (genai-prices'
    convention); ``output_tokens`` includes reasoning tokens, which providers bill as output.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    estimated: bool = False

    def __add__(self, other: object) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
            estimated=self.estimated or other.estimated,
        )

    @property
    def uncached_input_tokens(self) -> int:
        """Prompt tokens billed at the plain input rate."""
        return max(self.input_tokens - self.cache_read_tokens - self.cache_write_tokens, 0)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Usage | None:
        """Read an OpenAI (chat or Responses), Anthropic, Gemini or tokentrim usage mapping.

        Returns None when the mapping carries no token counts at all.
        """
        if not isinstance(data, Mapping) or not data:
            return None
        if "usageMetadata" in data or "usage_metadata" in data:
            data = data.get("usageMetadata") or data.get("usage_metadata") or {}
            if not isinstance(data, Mapping):
                return None

        def num(key: str, within: Any = None) -> int:
            source = data if within is None else within
            value = source.get(key) if isinstance(source, Mapping) else None
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                return int(value)
            return 0

        cache_write = 0
        if "prompt_tokens" in data or "completion_tokens" in data:
            # OpenAI chat completions (and every OpenAI-compatible API): cached tokens are
            # counted inside prompt_tokens.
            details = data.get("prompt_tokens_details")
            input_tokens = num("prompt_tokens")
            output_tokens = num("completion_tokens")
            cache_read = num("cached_tokens", details) or num("cached_tokens")
            cache_write = num("cache_write_tokens", details)
        elif "promptTokenCount" in data or "candidatesTokenCount" in data:
            # Gemini: cachedContentTokenCount is part of promptTokenCount; thinking tokens are
            # reported apart from candidates but billed as output.
            input_tokens = num("promptTokenCount") + num("toolUsePromptTokenCount")
            output_tokens = num("candidatesTokenCount") + num("thoughtsTokenCount")
            cache_read = num("cachedContentTokenCount")
        elif "cache_read_input_tokens" in data or "cache_creation_input_tokens" in data:
            # Anthropic: input_tokens counts only the tokens after the last cache breakpoint.
            cache_read = num("cache_read_input_tokens")
            cache_write = num("cache_creation_input_tokens")
            input_tokens = num("input_tokens") + cache_read + cache_write
            output_tokens = num("output_tokens")
        elif "cache_read_tokens" in data or "cache_write_tokens" in data:
            # Already in this class's (genai-prices') convention, e.g. Usage.as_dict().
            cache_read = num("cache_read_tokens")
            cache_write = num("cache_write_tokens")
            input_tokens = max(num("input_tokens"), cache_read + cache_write)
            output_tokens = num("output_tokens")
        else:
            # OpenAI Responses API (cached tokens inside input_tokens), or a plain
            # input/output pair where there is no cache to reconcile.
            details = data.get("input_tokens_details")
            input_tokens = num("input_tokens")
            output_tokens = num("output_tokens")
            cache_read = num("cached_tokens", details)
            cache_write = num("cache_write_tokens", details)
        cache_read = min(cache_read, input_tokens)
        cache_write = min(cache_write, input_tokens - cache_read)
        if not (input_tokens or output_tokens):
            return None
        return cls(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cache_read_tokens=cache_read,
            cache_write_tokens=cache_write,
            estimated=bool(data.get("estimated", False)),
        )
