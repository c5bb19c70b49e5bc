"""Find the reply text in one parsed JSON record, whatever API produced it.

``analyse(obj, field)`` returns a :class:`Record` — the kind, the model, the provider's usage and
every reply string as a :class:`Slot` (its JSON path and text) — or a :class:`NoReply` saying why
the record carries no reply. Nothing here does I/O; ``jsonl.py`` reads and rewrites lines with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, NamedTuple

from tokentrim.cost.usage import Usage

JsonPath = tuple[str | int, ...]

#: Keys tried, in this order, for a record with a reply field when no ``field`` is given. Used only
#: when exactly one of them holds a string (or a known API object): two candidates are ambiguous.
COMMON_REPLY_FIELDS = ("response", "completion", "output", "answer", "reply", "text", "content")
_TOKEN_KEYS = ("prompt_tokens", "completion_tokens", "input_tokens", "output_tokens")


@dataclasses.dataclass(frozen=True)
class Reply:
    """One model call's reply, read from a saved output.

    ``text`` joins the reply's text parts with ``""`` (as the SDKs' ``output_text`` does) and the
    choices of an ``n > 1`` chat completion with a blank line. ``usage`` is the provider's usage of
    the whole call, or None when the input carries none. ``origin`` is ``"path"`` for a text file,
    ``"path:LINE"`` (1-based) for a JSONL line, ``"logs.db#ID"`` for an llm log row.
    """

    text: str
    model: str | None
    usage: Usage | None
    origin: str
    kind: str


@dataclasses.dataclass(frozen=True)
class Slot:
    """One reply string inside a record: where it is and what it says."""

    path: JsonPath
    text: str
    group: int = 0  # the choice / message it belongs to; groups are joined with a blank line


@dataclasses.dataclass(frozen=True)
class Record:
    """A JSON record that carries a reply."""

    kind: str
    model: str | None
    usage: Usage | None
    slots: tuple[Slot, ...]
    #: A Responses object's ``output_text`` convenience copy: rewritten as the join of the slots.
    mirror: JsonPath | None = None

    @property
    def text(self) -> str:
        groups: dict[int, list[str]] = {}
        for slot in self.slots:
            groups.setdefault(slot.group, []).append(slot.text)
        return "\n\n".join("".join(texts) for texts in groups.values())

    def reply(self, origin: str) -> Reply:
        return Reply(self.text, self.model, self.usage, origin, self.kind)


class NoReply(NamedTuple):
    """Why a JSON record has no reply; ``quiet`` when that is normal (a failed batch request)."""

    reason: str
    quiet: bool = False


def analyse(obj: Any, field: str | None = None) -> Record | NoReply:
    """Find the reply in ``obj``: by ``field`` (dotted path) if given, else by its shape."""
    if not isinstance(obj, dict):
        return NoReply(f"not a JSON object but {_json_type(obj)}")
    if field is not None:
        return _by_field(obj, field)
    batch = _batch_line(obj)
    if batch is not None:
        return batch
    record = _api_object(obj, ())
    if record is not None:
        return record
    return _by_common_field(obj)


def _by_field(obj: dict[str, Any], field: str) -> Record | NoReply:
    path: list[str | int] = []
    value: Any = obj
    for name in field.split("."):
        if isinstance(value, dict) and name in value:
            path.append(name)
            value = value[name]
        elif isinstance(value, list) and name.isdigit() and int(name) < len(value):
            path.append(int(name))
            value = value[int(name)]
        else:
            return NoReply(f"no field {field!r}")
    return _field_value(obj, tuple(path), value, field)


def _by_common_field(obj: dict[str, Any]) -> Record | NoReply:
    found = [
        name
        for name in COMMON_REPLY_FIELDS
        if isinstance(obj.get(name), str) or _api_object(obj.get(name), (name,)) is not None
    ]
    if len(found) > 1:
        names = ", ".join(repr(name) for name in found)
        return NoReply(f"ambiguous reply field ({names}); pass --field NAME")
    nulls = [name for name in COMMON_REPLY_FIELDS if name in obj and obj[name] is None]
    if not found and nulls:  # e.g. a failed call in an evaluation dump: no reply to read
        return NoReply(f"field {nulls[0]!r} is null", quiet=True)
    if not found:
        return NoReply(
            "no reply found (not a chat completion, Responses object, Anthropic message, batch "
            "line, nor a record with a reply field); pass --field NAME"
        )
    return _field_value(obj, (found[0],), obj[found[0]], found[0])


def _field_value(obj: dict[str, Any], path: JsonPath, value: Any, field: str) -> Record | NoReply:
    if value is None:
        return NoReply(f"field {field!r} is null", quiet=True)
    if isinstance(value, str):
        model = obj.get("model")
        usage = _usage(obj.get("usage"))
        if usage is None and any(key in obj for key in _TOKEN_KEYS):
            usage = Usage.from_mapping(obj)  # token counts at the top level of the record
        return Record(
            kind="field",
            model=model if isinstance(model, str) and model else None,
            usage=usage,
            slots=(Slot(path, value),),
        )
    nested = _api_object(value, path)
    if nested is None:
        return NoReply(f"field {field!r} is {_json_type(value)}, not a string")
    if nested.model is None and isinstance(obj.get("model"), str) and obj["model"]:
        nested = dataclasses.replace(nested, model=obj["model"])
    return nested


def _batch_line(obj: dict[str, Any]) -> Record | NoReply | None:
    """OpenAI Batch output lines and Anthropic Message Batch results; None for anything else."""
    if "custom_id" not in obj:
        return None
    if "response" in obj or "error" in obj:  # OpenAI: {id, custom_id, response, error}
        response = obj.get("response")
        body = response.get("body") if isinstance(response, dict) else None
        if obj.get("error") or not isinstance(body, dict):
            return NoReply("batch request failed", quiet=True)
        inner = _api_object(body, ("response", "body"))
        if inner is None:
            return NoReply("batch body is neither a chat completion nor a Responses object")
        return dataclasses.replace(inner, kind="openai-batch")
    result = obj.get("result")
    if isinstance(result, dict) and "type" in result:  # Anthropic: {custom_id, result: {type, ...}}
        if result["type"] != "succeeded":
            return NoReply(f"batch request {result['type']}", quiet=True)
        inner = _anthropic(result.get("message"), ("result", "message"))
        if inner is None:
            return NoReply("batch result carries no Anthropic message")
        return dataclasses.replace(inner, kind="anthropic-batch")
    return None


def _api_object(obj: Any, prefix: JsonPath) -> Record | None:
    if not isinstance(obj, dict):
        return None
    return _openai_chat(obj, prefix) or _openai_responses(obj, prefix) or _anthropic(obj, prefix)


def _openai_chat(obj: dict[str, Any], prefix: JsonPath) -> Record | None:
    choices = obj.get("choices")
    looks_like_chat = isinstance(choices, list) and any(
        isinstance(choice, dict) and isinstance(choice.get("message"), dict) for choice in choices
    )
    if obj.get("object") != "chat.completion" and not looks_like_chat:
        return None
    slots: list[Slot] = []
    for i, choice in enumerate(choices if isinstance(choices, list) else []):
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        where = (*prefix, "choices", i, "message", "content")
        if isinstance(content, str):
            slots.append(Slot(where, content, i))
        elif isinstance(content, list):
            for j, part in enumerate(content):
                if isinstance(part, dict) and part.get("type") == "text":
                    if isinstance(part.get("text"), str):
                        slots.append(Slot((*where, j, "text"), part["text"], i))
    return Record("openai-chat", _model(obj), _usage(obj.get("usage")), tuple(slots))


def _openai_responses(obj: dict[str, Any], prefix: JsonPath) -> Record | None:
    if obj.get("object") != "response":
        return None
    slots: list[Slot] = []
    output = obj.get("output")
    for i, item in enumerate(output if isinstance(output, list) else []):
        if not isinstance(item, dict) or item.get("type") != "message":
            continue
        content = item.get("content")
        for j, part in enumerate(content if isinstance(content, list) else []):
            if isinstance(part, dict) and part.get("type") == "output_text":
                if isinstance(part.get("text"), str):
                    slots.append(Slot((*prefix, "output", i, "content", j, "text"), part["text"]))
    mirror: JsonPath | None = None
    output_text = obj.get("output_text")
    if isinstance(output_text, str):
        if not slots:
            slots.append(Slot((*prefix, "output_text"), output_text))
        elif output_text == "".join(slot.text for slot in slots):
            mirror = (*prefix, "output_text")
    return Record("openai-responses", _model(obj), _usage(obj.get("usage")), tuple(slots), mirror)


def _anthropic(obj: Any, prefix: JsonPath) -> Record | None:
    if not isinstance(obj, dict) or obj.get("type") != "message":
        return None
    content = obj.get("content")
    if not isinstance(content, list):
        return None
    slots = tuple(
        Slot((*prefix, "content", j, "text"), block["text"])
        for j, block in enumerate(content)
        if isinstance(block, dict)
        and block.get("type") == "text"
        and isinstance(block.get("text"), str)
    )
    return Record("anthropic", _model(obj), _usage(obj.get("usage")), slots)


def _model(obj: Mapping[str, Any]) -> str | None:
    model = obj.get("model")
    return model if isinstance(model, str) and model else None


def _usage(data: Any) -> Usage | None:
    return Usage.from_mapping(data) if isinstance(data, Mapping) else None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
