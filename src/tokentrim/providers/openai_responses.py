"""OpenAI Responses API: ``response`` objects and their stream events.

Replies: the ``output_text`` parts of the ``message`` items of ``output`` (reasoning items,
function calls and refusals are not reply text); a top-level ``output_text`` (the SDKs' convenience
copy, present in some saved objects) is kept equal to their join. Streams: a text part is one
channel ``(output_index, content_index)``; ``response.output_text.delta`` carries its pieces and
``response.output_text.done`` ends it, and that event, ``response.content_part.done``,
``response.output_item.done`` and the final ``response.completed`` repeat the whole text, which is
rewritten to the trimmed text. Usage: ``input_tokens`` (cached inside) / ``output_tokens``.
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
    model_of,
    usage_of,
)

_FINAL = ("response.completed", "response.incomplete", "response.failed")


class ResponsesApi:
    """``/responses`` payloads and stream events."""

    name = "openai-responses"

    def read(self, payload: Any, prefix: JsonPath = ()) -> Record | None:
        return read_response(payload, prefix)

    def pieces(self, event: Any) -> list[Piece]:
        if get(event, "type") != "response.output_text.delta":
            return []
        delta = get(event, "delta")
        if not isinstance(delta, str):
            return []
        return [Piece(_channel(event), ("delta",), delta)]

    def ends(self, event: Any) -> list[Channel] | None:
        kind = get(event, "type")
        if kind == "response.output_text.done":
            return [_channel(event)]
        if kind in _FINAL:
            return None  # every channel
        return []

    def full_texts(self, event: Any) -> list[FullText]:
        kind = get(event, "type")
        if kind == "response.output_text.done" and isinstance(get(event, "text"), str):
            return [FullText(_channel(event), ("text",), get(event, "text"))]
        if kind == "response.content_part.done":
            part = get(event, "part")
            if get(part, "type") == "output_text" and isinstance(get(part, "text"), str):
                return [FullText(_channel(event), ("part", "text"), get(part, "text"))]
            return []
        if kind == "response.output_item.done":
            index = get(event, "output_index")
            return _item_texts(get(event, "item"), index, ("item",))
        if kind in _FINAL:
            found: list[FullText] = []
            output = get(get(event, "response"), "output")
            for i, item in enumerate(items(output)):
                found += _item_texts(item, i, ("response", "output", i))
            return found
        return []

    def usage(self, event: Any) -> Any:
        return get(get(event, "response"), "usage")

    def model(self, event: Any) -> str | None:
        return model_of(get(event, "response"))


API = ResponsesApi()


def read_response(obj: Any, prefix: JsonPath = ()) -> Record | None:
    """A Responses ``response`` object, else None."""
    if not is_node(obj) or get(obj, "object") != "response":
        return None
    slots: list[Slot] = []
    for i, item in enumerate(items(get(obj, "output"))):
        if get(item, "type") != "message":
            continue
        for j, part in enumerate(items(get(item, "content"))):
            if get(part, "type") == "output_text" and isinstance(get(part, "text"), str):
                slots.append(Slot((*prefix, "output", i, "content", j, "text"), get(part, "text")))
    mirror: JsonPath | None = None
    # Only a plain JSON object holds output_text as data; on an SDK object it is a property.
    output_text = obj.get("output_text") if isinstance(obj, dict) else None
    if isinstance(output_text, str):
        if not slots:
            slots.append(Slot((*prefix, "output_text"), output_text))
        elif output_text == "".join(slot.text for slot in slots):
            mirror = (*prefix, "output_text")
    return Record(
        "openai-responses", model_of(obj), usage_of(get(obj, "usage")), tuple(slots), mirror
    )


def _channel(event: Any) -> Channel:
    return (get(event, "output_index") or 0, get(event, "content_index") or 0)


def _item_texts(item: Any, index: Any, where: JsonPath) -> list[FullText]:
    if get(item, "type") != "message" or not isinstance(index, int):
        return []
    return [
        FullText((index, j), (*where, "content", j, "text"), get(part, "text"))
        for j, part in enumerate(items(get(item, "content")))
        if get(part, "type") == "output_text" and isinstance(get(part, "text"), str)
    ]
