"""What every provider module shares: slots, records, stream pieces, and a reader for both shapes.

A provider module reads two kinds of payload: a whole reply (a parsed JSON body, or the SDK's
pydantic object for it) and one event of a streamed reply. Both are read through :func:`pick`, which
takes a mapping key or an attribute, so one reader serves ``json.loads`` output and SDK objects
alike; a :data:`JsonPath` built while reading names the same place in either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping
from typing import Any, NamedTuple

from tokentrim.cost.usage import Usage

JsonPath = tuple[str | int, ...]
Channel = Hashable


@dataclasses.dataclass(frozen=True)
class Slot:
    """One reply string inside a payload: where it is and what it says."""

    path: JsonPath
    text: str
    group: int = 0  # the choice / message it belongs to; groups are joined with a blank line


@dataclasses.dataclass(frozen=True)
class Record:
    """A payload that carries a reply: its kind, model, the provider's usage and its reply strings."""

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


class NoReply(NamedTuple):
    """Why a payload has no reply; ``quiet`` when that is normal (a failed batch request)."""

    reason: str
    quiet: bool = False


class Piece(NamedTuple):
    """A stream event's share of one reply text: which text (``channel``), where, and what."""

    channel: Channel
    path: JsonPath
    text: str


class FullText(NamedTuple):
    """A place in a stream event that repeats a channel's whole text (Responses ``*.done``)."""

    channel: Channel
    path: JsonPath
    text: str


def pick(node: Any, *keys: str) -> tuple[str, Any] | None:
    """The first of ``keys`` that ``node`` holds (as a mapping key or an attribute) and its value.

    A key whose value is None counts as absent, as pydantic models hold None for unset fields.
    """
    for key in keys:
        if isinstance(node, Mapping):
            value = node.get(key)
        elif isinstance(node, (str, bytes, int, float, list, tuple)) or node is None:
            return None
        else:
            value = getattr(node, key, None)
        if value is not None:
            return key, value
    return None


def get(node: Any, *keys: str) -> Any:
    """The value of the first of ``keys`` that ``node`` holds, or None."""
    found = pick(node, *keys)
    return None if found is None else found[1]


def is_node(value: Any) -> bool:
    """A JSON object or an SDK object standing for one (not a scalar, not a list)."""
    return value is not None and not isinstance(value, (str, bytes, bool, int, float, list, tuple))


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def model_of(node: Any, *keys: str) -> str | None:
    model = get(node, *(keys or ("model",)))
    return model if isinstance(model, str) and model else None


def usage_of(data: Any) -> Usage | None:
    """Provider usage, whether a mapping or an SDK usage object."""
    mapping = as_mapping(data)
    return Usage.from_mapping(mapping) if mapping is not None else None


def as_mapping(data: Any) -> Mapping[str, Any] | None:
    if isinstance(data, Mapping):
        return data
    dump = getattr(data, "model_dump", None)
    if callable(dump):
        try:
            dumped = dump(by_alias=True, exclude_none=True)
        except TypeError:
            dumped = dump()
        return dumped if isinstance(dumped, Mapping) else None
    return None
