"""LiteLLM: a ``CustomLogger`` for the LiteLLM proxy, and ``wrap()`` for the library.

The proxy (``config.yaml``)::

    litellm_settings:
      callbacks: tokentrim.integrations.litellm.proxy_handler_instance

``async_post_call_success_hook`` trims every non-streamed reply (a ``ModelResponse``: every choice)
and ``async_post_call_streaming_iterator_hook`` every streamed one, chunk by chunk, as the
middleware core does. Requests with ``logprobs`` or JSON mode, and requests carrying the header
``x-tokentrim: off``, pass through untouched. A failure inside tokentrim returns LiteLLM's response
as it was. The library: ``completion = tokentrim.wrap(litellm.completion)`` (and
``litellm.acompletion``); see :func:`tokentrim.wrap`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

try:
    from litellm.integrations.custom_logger import CustomLogger
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "tokentrim.integrations.litellm needs LiteLLM: pip install 'tokentrim[litellm]'"
    ) from error

from tokentrim.middleware.core import OnResult, request_skip_reason
from tokentrim.middleware.wrap import Trimmer, resolve_settings, wrap
from tokentrim.providers import openai_chat
from tokentrim.settings import Settings

__all__ = ["TokentrimCallback", "proxy_handler_instance", "wrap"]


class TokentrimCallback(CustomLogger):
    """Trims the replies the LiteLLM proxy sends back; ``on_result(TrimResult)`` per call."""

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        on_result: OnResult | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__()
        self.trimmer = Trimmer(resolve_settings(settings, overrides), on_result)

    async def async_post_call_success_hook(
        self, data: dict[str, Any], user_api_key_dict: Any, response: Any
    ) -> Any:
        if not _wanted(data):
            return response
        return await self.trimmer.avalue(response)

    async def async_post_call_streaming_iterator_hook(  # type: ignore[override]
        self, user_api_key_dict: Any, response: Any, request_data: dict[str, Any]
    ) -> AsyncIterator[Any]:
        chunks = self.trimmer.aiter(response) if _wanted(request_data) else response
        async for chunk in chunks:
            yield chunk


def _wanted(data: Mapping[str, Any]) -> bool:
    """Whether the request's reply may be trimmed (not opted out, no logprobs, no JSON mode)."""
    if not isinstance(data, Mapping):
        return False
    request = data.get("proxy_server_request")
    headers = request.get("headers") if isinstance(request, Mapping) else None
    if isinstance(headers, Mapping):
        flag = next((v for k, v in headers.items() if str(k).lower() == "x-tokentrim"), "")
        if str(flag).strip().lower() in ("off", "0", "false", "no"):
            return False
    return request_skip_reason(openai_chat.API, data) is None


#: The instance the proxy's ``callbacks:`` list names (settings from pyproject.toml / env).
proxy_handler_instance = TokentrimCallback()
