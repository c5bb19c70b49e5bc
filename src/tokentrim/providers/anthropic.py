"""Anthropic Messages: ``message`` objects, Message Batch results, and their stream events.

Replies: the ``text`` content blocks (``thinking``, ``redacted_thinking``, ``tool_use`` and server
tool blocks are not reply text). Streams: a text block is one channel (its ``index``); its
``content_block_delta`` events of type ``text_delta`` carry the pieces and ``content_block_stop``
ends it. Usage: ``input_tokens`` counts only what follows the last cache breakpoint, so
:class:`~tokentrim.cost.usage.Usage` adds the cache reads and writes; in a stream ``message_start``
carries the input side and ``message_delta`` the final ``output_tokens``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

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
    model_of,
    usage_of,
)


class MessagesApi:
    """``/messages`` payloads and stream events."""

    name = "anthropic"

    def read(self, payload: Any, prefix: JsonPath = ()) -> Record | None:
        return read_message(payload, prefix)

    def pieces(self, event: Any) -> list[Piece]:
        if get(event, "type") == "content_block_start":
            block = get(event, "content_block")
            text = get(block, "text")
            if get(block, "type") == "text" and isinstance(text, str) and text:
                return [Piece(get(event, "index") or 0, ("content_block", "text"), text)]
            return []
        if get(event, "type") != "content_block_delta":
            return []
        delta = get(event, "delta")
        if get(delta, "type") != "text_delta" or not isinstance(get(delta, "text"), str):
            return []
        return [Piece(get(event, "index") or 0, ("delta", "text"), get(delta, "text"))]

    def ends(self, event: Any) -> list[Channel] | None:
        kind = get(event, "type")
        if kind == "content_block_stop":
            return [get(event, "index") or 0]
        if kind in ("message_delta", "message_stop"):
            return None
        return []

    def full_texts(self, event: Any) -> list[FullText]:
        return []

    def usage(self, event: Any) -> Any:
        if get(event, "type") == "message_start":
            return get(get(event, "message"), "usage")
        return get(event, "usage")

    def model(self, event: Any) -> str | None:
        return model_of(get(event, "message"))


API = MessagesApi()


def read_message(obj: Any, prefix: JsonPath = ()) -> Record | None:
    """An Anthropic ``message``, else None."""
    if not is_node(obj) or get(obj, "type") != "message":
        return None
    content = get(obj, "content")
    if not isinstance(content, list):
        return None
    slots = tuple(
        Slot((*prefix, "content", j, "text"), get(block, "text"))
        for j, block in enumerate(content)
        if get(block, "type") == "text" and isinstance(get(block, "text"), str)
    )
    return Record("anthropic", model_of(obj), usage_of(get(obj, "usage")), slots)


def read_batch_result(obj: Any) -> Record | NoReply | None:
    """A Message Batch result line ``{custom_id, result: {type, message}}``, else None."""
    result = obj.get("result") if isinstance(obj, dict) else None
    if not isinstance(result, dict) or "type" not in result:
        return None
    if result["type"] != "succeeded":
        return NoReply(f"batch request {result['type']}", quiet=True)
    inner = read_message(result.get("message"), ("result", "message"))
    if inner is None:
        return NoReply("batch result carries no Anthropic message")
    return dataclasses.replace(inner, kind="anthropic-batch")
