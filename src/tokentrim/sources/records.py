"""Find the reply text in one parsed JSON record, whatever API produced it.

``analyse(obj, field)`` returns a :class:`Record` — the kind, the model, the provider's usage and
every reply string as a :class:`Slot` (its JSON path and text) — or a :class:`NoReply` saying why
the record carries no reply. Nothing here does I/O; ``jsonl.py`` reads and rewrites lines with it.
Where each API keeps its reply is the provider layer's knowledge (:mod:`tokentrim.providers`);
this module adds what is particular to saved outputs: records with a reply field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from tokentrim.cost.usage import Usage
from tokentrim.providers import anthropic, openai_batch, read_api_object
from tokentrim.providers._base import JsonPath, NoReply, Record, Slot

__all__ = ["COMMON_REPLY_FIELDS", "JsonPath", "NoReply", "Record", "Reply", "Slot", "analyse"]

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

    @classmethod
    def of(cls, record: Record, origin: str) -> Reply:
        return cls(record.text, record.model, record.usage, origin, record.kind)


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
    found = openai_batch.read_batch_line(obj)
    return found if found is not None else anthropic.read_batch_result(obj)


def _api_object(obj: Any, prefix: JsonPath) -> Record | None:
    return read_api_object(obj, prefix)


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
