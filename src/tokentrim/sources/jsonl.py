"""JSON Lines: read replies from a stream of records, and rewrite their reply fields, line by line.

Both directions hold one line in memory at a time. A rewritten line is the original line with only
the reply strings spliced out and the new ones spliced in, so every other byte — key order, spacing,
number spelling, escapes, the line ending — stays as it was; the result is parsed again and checked
before it is written (:func:`tokentrim.providers.splice.splice`, shared with the middleware).
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Literal, NamedTuple

from tokentrim.providers.splice import UnsafeRewrite, locate_values, splice
from tokentrim.sources.records import JsonPath, NoReply, Record, Reply, analyse

__all__ = [
    "ParsedLine",
    "RewriteStats",
    "iter_jsonl",
    "locate_values",
    "parse_line",
    "rewrite_jsonl",
]

Transform = Callable[[str, Reply], str]
OnError = Callable[[str, str], None]
LineStatus = Literal["reply", "blank", "malformed", "no-reply"]

_BOM = "\ufeff"
_WHITESPACE = " \t\n\r"


@dataclasses.dataclass(frozen=True)
class RewriteStats:
    """What :func:`rewrite_jsonl` did. Every line not counted in ``changed`` was copied byte-for-byte."""

    lines: int = 0  # lines read, blank ones included
    records: int = 0  # lines that carry a reply
    changed: int = 0  # records whose reply changed, written with the new reply
    skipped: int = 0  # blank lines and JSON lines without a reply
    malformed: int = 0  # not UTF-8, not JSON, or not safely rewritable (copied as they were)


class ParsedLine(NamedTuple):
    status: LineStatus
    message: str  # why the line has no reply; "" when that is normal (blank, failed batch request)
    text: str = ""  # the JSON text: line ending and byte order mark removed
    bom: bool = False
    obj: Any = None
    record: Record | None = None


def parse_line(raw: bytes, field: str | None = None) -> ParsedLine:
    """Decode, parse and analyse one line (with or without its line ending)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return ParsedLine(
            "malformed", f"not UTF-8 (byte 0x{raw[error.start]:02x} at column {error.start + 1})"
        )
    bom = text.startswith(_BOM)
    text = text.removeprefix(_BOM).rstrip("\r\n")
    if not text.strip(_WHITESPACE):
        return ParsedLine("blank", "")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        return ParsedLine("malformed", f"malformed JSON: {error.msg} (column {error.colno})")
    except RecursionError:
        return ParsedLine("malformed", "malformed JSON: nested too deeply")
    outcome = analyse(obj, field)
    if isinstance(outcome, NoReply):
        return ParsedLine("no-reply", "" if outcome.quiet else outcome.reason)
    return ParsedLine("reply", "", text, bom, obj, outcome)


def iter_jsonl(
    lines: Iterable[bytes], name: str, field: str | None, on_error: OnError
) -> Iterator[Reply]:
    """Replies of a JSONL stream; lines without one are reported (unless that is normal)."""
    for lineno, raw in enumerate(lines, 1):
        parsed = parse_line(raw, field)
        if parsed.record is not None:
            yield Reply.of(parsed.record, f"{name}:{lineno}")
        elif parsed.message:
            on_error(f"{name}:{lineno}", parsed.message)


def rewrite_jsonl(
    src: IO[bytes] | IO[str],
    dst: IO[bytes] | IO[str],
    transform: Transform,
    *,
    field: str | None = None,
    name: str | None = None,
    on_error: OnError | None = None,
) -> RewriteStats:
    """Copy JSONL from ``src`` to ``dst``, replacing every reply string by ``transform(text, reply)``.

    Streams line by line in constant memory. Lines without a reply, malformed lines and records whose
    reply ``transform`` leaves unchanged are copied byte-for-byte; a changed record is the original
    line with only its reply strings replaced (every choice of a chat completion, every text part).
    ``transform`` receives one reply string at a time and the record's whole :class:`Reply` (model,
    usage, origin ``name:LINE``). Binary streams keep every byte; text streams must be opened with
    ``newline=""`` to keep CRLF. ``on_error(origin, message)`` hears about lines that have no reply
    and were not expected to; they are copied all the same.
    """
    origin_name = name or _stream_name(src)
    write = _writer(dst)
    counts = dict.fromkeys(("lines", "records", "changed", "skipped", "malformed"), 0)
    for lineno, raw in enumerate(_byte_lines(src), 1):
        counts["lines"] += 1
        origin = f"{origin_name}:{lineno}"
        parsed = parse_line(raw, field)
        if parsed.record is None:
            counts["malformed" if parsed.status == "malformed" else "skipped"] += 1
            if parsed.message and on_error is not None:
                on_error(origin, parsed.message)
            write(raw)
            continue
        counts["records"] += 1
        try:
            new_text = _rewrite_record(parsed, transform, origin)
        except _UnsafeRewrite as error:
            counts["malformed"] += 1
            if on_error is not None:
                on_error(origin, f"{error}; line left unchanged")
            new_text = None
        if new_text is None:
            write(raw)
            continue
        counts["changed"] += 1
        ending = raw[len(raw.rstrip(b"\r\n")) :]
        write(((_BOM if parsed.bom else "") + new_text).encode("utf-8") + ending)
    return RewriteStats(**counts)


class _UnsafeRewrite(Exception):
    pass


def _rewrite_record(parsed: ParsedLine, transform: Transform, origin: str) -> str | None:
    """The line with new reply strings spliced in, or None when the reply did not change."""
    record = parsed.record
    assert record is not None
    reply = Reply.of(record, origin)
    old: dict[JsonPath, str] = {}
    new: dict[JsonPath, str] = {}
    for slot in record.slots:
        result = transform(slot.text, reply)
        if not isinstance(result, str):
            raise TypeError(f"transform returned {type(result).__name__}, not str")
        if result != slot.text:
            old[slot.path], new[slot.path] = slot.text, result
    if not new:
        return None
    if record.mirror is not None:
        old[record.mirror] = "".join(slot.text for slot in record.slots)
        new[record.mirror] = "".join(new.get(slot.path, slot.text) for slot in record.slots)

    try:
        return splice(parsed.text, parsed.obj, old, new, locate=locate_values)
    except UnsafeRewrite as error:
        raise _UnsafeRewrite(str(error).replace("document", "line")) from None


def _byte_lines(src: IO[bytes] | IO[str]) -> Iterator[bytes]:
    first = src.readline()
    if isinstance(first, str):
        text_src: IO[str] = src  # type: ignore[assignment]
        line = first
        while line:
            yield line.encode("utf-8", "surrogateescape")
            line = text_src.readline()
    else:
        binary_src: IO[bytes] = src  # type: ignore[assignment]
        raw = first
        while raw:
            yield raw
            raw = binary_src.readline()


def _writer(dst: IO[bytes] | IO[str]) -> Callable[[bytes], object]:
    if isinstance(dst, io.TextIOBase) or "b" not in getattr(dst, "mode", "b"):
        text_dst: IO[str] = dst  # type: ignore[assignment]
        return lambda data: text_dst.write(data.decode("utf-8", "surrogateescape"))
    binary_dst: IO[bytes] = dst  # type: ignore[assignment]
    return binary_dst.write


def _stream_name(stream: object) -> str:
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else "<stream>"
