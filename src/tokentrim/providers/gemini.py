"""Google Gemini ``generateContent`` responses and ``streamGenerateContent`` (SSE) chunks.

Replies: ``candidates[i].content.parts[j].text`` of the parts that are not thoughts (``thought:
true``) — one reply per candidate. A streamed chunk is a whole ``GenerateContentResponse`` holding
the next pieces of every candidate; a candidate ends with its ``finishReason``. Usage:
``usageMetadata`` (``promptTokenCount`` includes cached tokens; thinking tokens are billed as output).
JSON bodies use camelCase, the google-genai SDK's objects snake_case: both are read.
"""

from __future__ import annotations

from typing import Any

from tokentrim.providers._base import (
    Channel,
    FullText,
    JsonPath,
    Piece,
    Record,
    Slot,
    get,
    is_node,
    items,
    pick,
    usage_of,
)


class GeminiApi:
    """``:generateContent`` payloads and ``:streamGenerateContent`` chunks."""

    name = "gemini"

    def read(self, payload: Any, prefix: JsonPath = ()) -> Record | None:
        return read_response(payload, prefix)

    def pieces(self, event: Any) -> list[Piece]:
        return [Piece(channel, path, text) for channel, path, text in _texts(event)]

    def ends(self, event: Any) -> list[Channel] | None:
        return [
            _index(candidate, i)
            for i, candidate in enumerate(items(get(event, "candidates")))
            if get(candidate, "finishReason", "finish_reason") is not None
        ]

    def full_texts(self, event: Any) -> list[FullText]:
        return []

    def usage(self, event: Any) -> Any:
        usage = get(event, "usageMetadata", "usage_metadata")
        return {"usageMetadata": usage} if isinstance(usage, dict) else usage

    def model(self, event: Any) -> str | None:
        model = get(event, "modelVersion", "model_version")
        return model if isinstance(model, str) and model else None


API = GeminiApi()


def read_response(obj: Any, prefix: JsonPath = ()) -> Record | None:
    """A ``GenerateContentResponse`` (JSON or SDK object), else None."""
    if not is_node(obj) or not isinstance(get(obj, "candidates"), list):
        return None
    slots = tuple(Slot((*prefix, *path), text, channel) for channel, path, text in _texts(obj))
    return Record("gemini", API.model(obj), usage_of(API.usage(obj)), slots)


def _texts(obj: Any) -> list[tuple[int, JsonPath, str]]:
    found: list[tuple[int, JsonPath, str]] = []
    for i, candidate in enumerate(items(get(obj, "candidates"))):
        content = pick(candidate, "content")
        if content is None:
            continue
        parts = pick(content[1], "parts")
        if parts is None:
            continue
        for j, part in enumerate(items(parts[1])):
            text = pick(part, "text")
            if text is None or not isinstance(text[1], str) or get(part, "thought"):
                continue
            found.append(
                (_index(candidate, i), ("candidates", i, content[0], parts[0], j, text[0]), text[1])
            )
    return found


def _index(candidate: Any, position: int) -> int:
    index = get(candidate, "index")
    return index if isinstance(index, int) else position
