"""Put new reply strings into a JSON document byte-preservingly, and prove the result.

:func:`splice` replaces only the JSON string values at the given paths, so every other byte — key
order, spacing, number spelling, escapes — stays as it was, and then parses the result back to check
that it is the original document with exactly the new strings in it. Every payload rewrite (JSONL
lines, HTTP bodies, SSE events) goes through it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tokentrim.providers._base import JsonPath

_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


class UnsafeRewrite(Exception):
    """The document could not be rewritten provably safely; it must be kept as it was."""


def splice(
    text: str,
    original: Any,
    old: Mapping[JsonPath, str],
    new: Mapping[JsonPath, str],
    *,
    locate: Callable[[str, Iterable[JsonPath]], dict[JsonPath, tuple[int, int]]] | None = None,
) -> str:
    """``text`` (the JSON of ``original``) with the strings at ``new``'s paths replaced.

    ``old`` holds the values being replaced (for the parse-back check). Raises
    :class:`UnsafeRewrite` when a path cannot be found or the result does not parse back to
    ``original`` with exactly the new strings. ``locate`` replaces :func:`locate_values` (tests
    give a wrong one to prove the check).
    """
    spans = (locate or locate_values)(text, new.keys())
    if spans.keys() != new.keys():
        raise UnsafeRewrite("could not locate the reply in the document")
    # Keep the writer's style: escape non-ASCII only when the text shows it was written that way
    # (every serialiser escapes control characters, so \u0000-\u001f are no evidence).
    ensure_ascii = text.isascii() and escapes_non_ascii(text)
    for path, (start, end) in sorted(spans.items(), key=lambda item: item[1][0], reverse=True):
        text = text[:start] + dumps_string(new[path], ensure_ascii) + text[end:]
    check(original, text, old, new)
    return text


def dumps_string(value: str, ensure_ascii: bool) -> str:
    """``value`` as a JSON string; lone surrogates (a split emoji) are always escaped."""
    if not ensure_ascii and any("\ud800" <= char <= "\udfff" for char in value):
        ensure_ascii = True
    return json.dumps(value, ensure_ascii=ensure_ascii)


def escapes_non_ascii(text: str) -> bool:
    """Whether a JSON text holds a ``\\uXXXX`` escape of a character at or above U+0020."""
    start = text.find("\\u")
    while start != -1:
        first = start
        while first > 0 and text[first - 1] == "\\":
            first -= 1
        if (start - first) % 2 == 0 and not text.startswith(("000", "001"), start + 2):
            return True
        start = text.find("\\u", start + 2)
    return False


def check(
    original: Any, text: str, old: Mapping[JsonPath, str], new: Mapping[JsonPath, str]
) -> None:
    """``text`` must parse to ``original`` with exactly the new strings in it."""
    try:
        rewritten = json.loads(text)
        for path, value in new.items():
            container = rewritten
            for key in path[:-1]:
                container = container[key]
            if container[path[-1]] != value:
                raise UnsafeRewrite("rewritten document does not hold the new reply")
            container[path[-1]] = old[path]
    except (ValueError, LookupError, TypeError) as error:
        raise UnsafeRewrite(f"rewritten document does not parse back ({error})") from error
    if rewritten != original:
        raise UnsafeRewrite("rewrite would change fields other than the reply")


def value_at(obj: Any, path: JsonPath) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def locate_values(text: str, targets: Iterable[JsonPath]) -> dict[JsonPath, tuple[int, int]]:
    """Character spans of the JSON values at ``targets`` in the JSON document ``text``.

    Walks only the objects and arrays on the way to a target; everything else is skipped by the C
    scanner. With duplicate keys the last one wins, as in ``json.loads``.
    """
    wanted = set(targets)
    on_the_way = {path[:i] for path in wanted for i in range(len(path))}
    spans: dict[JsonPath, tuple[int, int]] = {}

    def skip_ws(pos: int) -> int:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        return pos

    def value(pos: int, path: JsonPath) -> int:
        if path in on_the_way and text[pos] == "{":
            return obj(pos + 1, path)
        if path in on_the_way and text[pos] == "[":
            return array(pos + 1, path)
        _, end = _DECODER.raw_decode(text, pos)
        if path in wanted:
            spans[path] = (pos, end)
        return end

    def obj(pos: int, path: JsonPath) -> int:
        pos = skip_ws(pos)
        if text[pos] == "}":
            return pos + 1
        while True:
            key, pos = _DECODER.raw_decode(text, pos)
            pos = skip_ws(skip_ws(pos) + 1)  # past the colon
            pos = skip_ws(value(pos, (*path, key)))
            if text[pos] == "}":
                return pos + 1
            pos = skip_ws(pos + 1)  # past the comma

    def array(pos: int, path: JsonPath) -> int:
        pos = skip_ws(pos)
        if text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = skip_ws(value(pos, (*path, index)))
            if text[pos] == "]":
                return pos + 1
            pos = skip_ws(pos + 1)
            index += 1

    value(skip_ws(0), ())
    return spans
