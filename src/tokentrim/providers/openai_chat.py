"""OpenAI chat completions (and every OpenAI-compatible server), legacy completions, their streams.

Replies: ``choices[i].message.content`` — a string or a list of ``{"type": "text"}`` parts — and,
for the legacy ``/completions`` endpoint (``text_completion``), ``choices[i].text``. Tool calls,
refusals and audio are not reply text. Streams: ``chat.completion.chunk`` events carry
``choices[i].delta.content`` (legacy: ``choices[i].text``); a choice ends with its
``finish_reason``; ``data: [DONE]`` ends the stream. Usage: ``prompt_tokens`` /
``completion_tokens`` (cached tokens inside the prompt), mapped by :class:`~tokentrim.cost.usage.Usage`.
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


class ChatApi:
    """``/chat/completions`` and ``/completions`` payloads and stream chunks."""

    name = "openai-chat"

    def read(self, payload: Any, prefix: JsonPath = ()) -> Record | None:
        return read_chat(payload, prefix) or read_completion(payload, prefix)

    def pieces(self, event: Any) -> list[Piece]:
        found = []
        for i, choice in enumerate(items(get(event, "choices"))):
            index = get(choice, "index")
            channel = index if isinstance(index, int) else i
            delta = get(choice, "delta")
            content = get(delta, "content")
            if isinstance(content, str):
                found.append(Piece(channel, ("choices", i, "delta", "content"), content))
            elif isinstance(get(choice, "text"), str):  # legacy completions stream
                found.append(Piece(channel, ("choices", i, "text"), get(choice, "text")))
        return found

    def ends(self, event: Any) -> list[Channel] | None:
        ended: list[Channel] = []
        for i, choice in enumerate(items(get(event, "choices"))):
            if get(choice, "finish_reason") is not None:
                index = get(choice, "index")
                ended.append(index if isinstance(index, int) else i)
        return ended

    def full_texts(self, event: Any) -> list[FullText]:
        return []

    def usage(self, event: Any) -> Any:
        return get(event, "usage")

    def model(self, event: Any) -> str | None:
        return model_of(event)


API = ChatApi()


def read_chat(obj: Any, prefix: JsonPath = ()) -> Record | None:
    """A ``chat.completion`` (or anything shaped like one: choices with a message), else None."""
    if not is_node(obj):
        return None
    choices = get(obj, "choices")
    looks_like_chat = isinstance(choices, list) and any(
        is_node(get(choice, "message")) for choice in choices
    )
    if get(obj, "object") != "chat.completion" and not looks_like_chat:
        return None
    slots: list[Slot] = []
    for i, choice in enumerate(items(choices)):
        content = get(get(choice, "message"), "content")
        where = (*prefix, "choices", i, "message", "content")
        if isinstance(content, str):
            slots.append(Slot(where, content, i))
        elif isinstance(content, list):
            for j, part in enumerate(content):
                if get(part, "type") == "text" and isinstance(get(part, "text"), str):
                    slots.append(Slot((*where, j, "text"), get(part, "text"), i))
    return Record("openai-chat", model_of(obj), usage_of(get(obj, "usage")), tuple(slots))


def read_completion(obj: Any, prefix: JsonPath = ()) -> Record | None:
    """A legacy ``text_completion`` (``choices[i].text``), else None."""
    if not is_node(obj) or get(obj, "object") != "text_completion":
        return None
    slots = tuple(
        Slot((*prefix, "choices", i, "text"), get(choice, "text"), i)
        for i, choice in enumerate(items(get(obj, "choices")))
        if isinstance(get(choice, "text"), str)
    )
    return Record("openai-completion", model_of(obj), usage_of(get(obj, "usage")), slots)
