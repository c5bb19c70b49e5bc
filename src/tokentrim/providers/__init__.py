"""One provider layer: where reply texts live in each API's payloads, pure and per API.

Every shell — JSONL sources, ``wrap()``, the httpx transports, the LiteLLM hook, the proxy — asks
this package where the reply texts are and puts trimmed texts back with :func:`splice.splice`.

=================== ======================================== ==================================
module              payloads                                 stream
=================== ======================================== ==================================
``openai_chat``     ``chat.completion``, ``text_completion``  ``chat.completion.chunk`` deltas
``openai_responses`` ``response`` (``output_text`` parts)    ``response.output_text.*`` events
``openai_batch``    Batch output lines                       —
``anthropic``       ``message`` text blocks, batch results   ``content_block_delta`` text deltas
``gemini``          ``GenerateContentResponse`` parts        ``streamGenerateContent?alt=sse``
``mistral_fim``     ``/fim/completions`` (code, not markdown) chat-completion chunks
=================== ======================================== ==================================

Each API is an :class:`Api`: ``read(payload)`` gives a :class:`Record` of :class:`Slot` s;
``pieces(event)``, ``ends(event)`` and ``full_texts(event)`` say how a stream event maps onto reply
texts (channels: a choice, a content block, a candidate); ``usage`` and ``model`` what to price it
with (:class:`~tokentrim.cost.usage.Usage` maps every provider's usage onto genai-prices' convention).
Payloads are parsed JSON or the SDKs' objects alike (see :func:`_base.pick`).
"""

from __future__ import annotations

from typing import Any, Protocol

from tokentrim.providers import anthropic, gemini, mistral_fim, openai_chat, openai_responses
from tokentrim.providers._base import (
    Channel,
    FullText,
    JsonPath,
    NoReply,
    Piece,
    Record,
    Slot,
    get,
    is_node,
)

__all__ = [
    "Api",
    "Channel",
    "FullText",
    "JsonPath",
    "NoReply",
    "Piece",
    "Record",
    "Slot",
    "api_for_path",
    "detect",
    "detect_event",
    "read_api_object",
]


class Api(Protocol):
    """What the middleware needs to know about one API."""

    name: str

    def read(self, payload: Any, prefix: JsonPath = ()) -> Record | None:
        """The reply texts of a whole (non-streamed) payload; None when it is not this API's."""

    def pieces(self, event: Any) -> list[Piece]:
        """The reply-text pieces a stream event carries, in order."""

    def ends(self, event: Any) -> list[Channel] | None:
        """Channels this event ends (after its pieces); None: every channel."""

    def full_texts(self, event: Any) -> list[FullText]:
        """Places in this event that repeat a channel's whole text."""

    def usage(self, event: Any) -> Any:
        """The usage a stream event reports (a mapping or an SDK object), or None."""

    def model(self, event: Any) -> str | None:
        """The model a stream event names, or None."""


def api_for_path(path: str) -> Api | None:
    """The API an HTTP request path calls, or None for an endpoint that carries no reply."""
    path = path.rstrip("/")
    if path.endswith((":generateContent", ":streamGenerateContent")):
        return gemini.API
    if path.endswith("/chat/completions"):
        return openai_chat.API
    if path.endswith("/fim/completions"):
        return mistral_fim.API
    if path.endswith("/completions"):
        return openai_chat.API
    if path.endswith("/responses"):
        return openai_responses.API
    if path.endswith("/messages"):
        return anthropic.API
    return None


def read_api_object(obj: Any, prefix: JsonPath = ()) -> Record | None:
    """A chat completion, Responses object or Anthropic message (the saved-output kinds)."""
    if not is_node(obj):
        return None
    return (
        openai_chat.read_chat(obj, prefix)
        or openai_responses.read_response(obj, prefix)
        or anthropic.read_message(obj, prefix)
    )


def detect(payload: Any) -> tuple[Api, Record] | None:
    """The API and reply of a whole payload of any supported kind (for ``wrap()``), or None."""
    if not is_node(payload):
        return None
    for api, read in (
        (openai_chat.API, openai_chat.read_chat),
        (openai_chat.API, openai_chat.read_completion),
        (openai_responses.API, openai_responses.read_response),
        (anthropic.API, anthropic.read_message),
        (gemini.API, gemini.read_response),
    ):
        record = read(payload)
        if record is not None:
            return api, record
    return None


_ANTHROPIC_EVENTS = frozenset(
    {
        "message_start",
        "message_delta",
        "message_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "ping",
    }
)


def detect_event(event: Any) -> Api | None:
    """The API a stream event (an SSE payload or an SDK chunk object) belongs to, or None."""
    if not is_node(event):
        return None
    kind = get(event, "type")
    if isinstance(kind, str):
        if kind.startswith("response."):
            return openai_responses.API
        if kind in _ANTHROPIC_EVENTS:
            return anthropic.API
    if isinstance(get(event, "candidates"), list):
        return gemini.API
    if get(event, "object") in ("chat.completion.chunk", "text_completion") or isinstance(
        get(event, "choices"), list
    ):
        return openai_chat.API
    return None
