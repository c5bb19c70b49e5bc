"""Server-sent events through the rewrite core: ``text/event-stream`` bytes in, bytes out.

:class:`SSEParser` cuts a byte stream into events keeping every byte; :class:`SSERewriter` feeds
their JSON payloads to a :class:`~tokentrim.middleware.core.StreamRewriter` and writes each event
back — the original bytes when its texts did not change, else with only the data line's reply
strings spliced. I/O-free: the transports (and the proxy) feed it what they read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from tokentrim.middleware.core import Emit, StreamRewriter, apply_texts
from tokentrim.providers import Api, JsonPath
from tokentrim.providers.splice import UnsafeRewrite, splice, value_at
from tokentrim.settings import Settings

__all__ = ["SSEEvent", "SSEParser", "SSERewriter"]

_LINE_END = re.compile(rb"\r\n|\r|\n")


class SSEEvent(NamedTuple):
    """One server-sent event: its raw bytes (terminating blank line included) and its data."""

    raw: bytes
    lines: tuple[bytes, ...]  # its lines without endings, the blank terminator excluded
    data: str | None  # the data lines joined with "\n"; None when there is none


class SSEParser:
    """Cut a byte stream into server-sent events (WHATWG rules), keeping every byte."""

    def __init__(self) -> None:
        self._buffer = b""
        self._event_start = 0
        self._scan = 0
        self._lines: list[bytes] = []

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        self._buffer += chunk
        events: list[SSEEvent] = []
        buffer = self._buffer
        pos = self._scan
        for match in _LINE_END.finditer(buffer, pos):
            if match.group() == b"\r" and match.end() == len(buffer):
                break  # may be the first half of "\r\n"
            line = buffer[pos : match.start()]
            pos = match.end()
            if line:
                self._lines.append(line)
                continue
            if self._lines:
                events.append(self._event(buffer[self._event_start : pos]))
            else:  # a blank line with no event before it: pass it on as it is
                events.append(SSEEvent(buffer[self._event_start : pos], (), None))
            self._event_start = pos
        self._scan = pos
        if self._event_start:
            self._buffer = buffer[self._event_start :]
            self._scan -= self._event_start
            self._event_start = 0
        return events

    def close(self) -> bytes:
        """Bytes of an event the stream never terminated (passed on as they are)."""
        rest, self._buffer, self._lines = self._buffer, b"", []
        self._scan = self._event_start = 0
        return rest

    def _event(self, raw: bytes) -> SSEEvent:
        lines, self._lines = tuple(self._lines), []
        data = [
            line[5:].removeprefix(b" ") if line.startswith(b"data:") else b""
            for line in lines
            if line.startswith(b"data:") or line == b"data"
        ]
        text = b"\n".join(data).decode("utf-8", "replace") if data else None
        return SSEEvent(raw, lines, text)


class SSERewriter:
    """A ``text/event-stream`` of one API: bytes in, bytes out; see :class:`StreamRewriter`.

    Events whose data is not a JSON object (``[DONE]``, pings, comments) pass through as they
    are; ``[DONE]`` first releases what every channel held. A failure inside tokentrim switches
    the rest of the stream to pass-through, after releasing what was held as received, and is
    reported through ``on_error``.
    """

    def __init__(
        self, api: Api, settings: Settings, on_error: Callable[[Exception], object] | None = None
    ) -> None:
        self.rewriter = StreamRewriter(api, settings)
        self._parser = SSEParser()
        self._on_error = on_error
        self.failed = False
        self.finished = False  # [DONE] seen, or the upstream stream ended
        self.reported = False  # for the shells: the call's result went to on_result

    def feed(self, chunk: bytes) -> bytes:
        if self.failed:
            return chunk
        try:
            events = self._parser.feed(chunk)
        except Exception as error:  # noqa: BLE001 - never fail the caller's stream
            return self._fail(error, chunk)
        out: list[bytes] = []
        for i, event in enumerate(events):
            try:
                out.extend(self._event(event))
            except Exception as error:  # noqa: BLE001
                rest = b"".join(e.raw for e in events[i:]) + self._parser.close()
                out.append(self._fail(error, rest))
                break
        return b"".join(out)

    def close(self) -> bytes:
        """The upstream stream ended: release what is held, then any unterminated bytes."""
        if self.failed:
            return b""
        try:
            held = b"" if self.finished else self._render(self.rewriter.finish())
        except Exception as error:  # noqa: BLE001
            return self._fail(error, self._parser.close())
        self.finished = True
        return held + self._parser.close()

    def abort(self) -> bytes:
        """The upstream stream broke: release what was held back, as received."""
        if self.failed:
            return b""
        self.failed = True
        try:
            return self._render(self.rewriter.abort())
        except Exception:  # noqa: BLE001
            return b""

    def _event(self, event: SSEEvent) -> list[bytes]:
        data = event.data
        if data is None or not data.lstrip().startswith("{"):
            if data is not None and data.strip() == "[DONE]" and not self.finished:
                self.finished = True
                return [self._render(self.rewriter.finish()), event.raw]
            return [event.raw]
        obj = json.loads(data)
        return [self._render(self.rewriter.feed(obj, event))]

    def _render(self, emits: list[Emit]) -> bytes:
        parts = []
        for emit in emits:
            event: SSEEvent = emit.handle
            if not emit.texts:
                parts.append(event.raw)
                continue
            parts.append(_with_data(event, _new_data(event.data or "", emit.event, emit.texts)))
        return b"".join(parts)

    def _fail(self, error: Exception, rest: bytes) -> bytes:
        self.failed = True
        if self._on_error is not None:
            self._on_error(error)
        try:
            held = self._render(self.rewriter.abort())
        except Exception:  # noqa: BLE001
            held = b""
        return held + rest


def _new_data(data: str, obj: Any, texts: Mapping[JsonPath, str]) -> str:
    old = {path: value_at(obj, path) for path in texts}
    try:
        return splice(data, obj, old, texts)
    except UnsafeRewrite:
        # The texts must go out whatever happens (the stream already depends on them): write the
        # event afresh rather than drop its text.
        fresh = apply_texts(obj, texts)
        return json.dumps(fresh, ensure_ascii=False, separators=(",", ":"))


def _with_data(event: SSEEvent, data: str) -> bytes:
    """The event with its data lines replaced by one ``data:`` line, other lines kept in order."""
    ending = _LINE_END.search(event.raw)
    eol = ending.group() if ending else b"\n"
    lines: list[bytes] = []
    placed = False
    for line in event.lines:
        if line.startswith(b"data:") or line == b"data":
            if not placed:
                lines.append(b"data: " + data.encode("utf-8", "surrogatepass"))
                placed = True
            continue
        lines.append(line)
    return eol.join(lines) + eol + eol
