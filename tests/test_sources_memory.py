"""JSONL is streamed: 200 MB go through the reader and the rewriter without being held in memory.

The input is generated on the fly by a raw stream that is never materialised, so the measured peak
(``tracemalloc``) is what tokentrim itself allocates. No timing assertions.
"""

from __future__ import annotations

import io
import sys
import tracemalloc
import zlib
from collections.abc import Callable

import pytest
from openai.types.chat import ChatCompletion

from tokentrim.sources import Reply, iter_replies, rewrite_jsonl

TOTAL_BYTES = 200 * 1024 * 1024
PEAK_LIMIT = 8 * 1024 * 1024  # a few lines' worth; the input is 25x larger than this
CODE = "```python\ndef f(x):\n    return x  # identity\n```\n"


def line_for(index: int) -> bytes:
    body = f"Reply {index}.\n\n" + CODE * 200  # about 10 KB of reply per line
    completion = ChatCompletion(
        id=f"chatcmpl-{index}",
        object="chat.completion",
        created=1_730_000_000,
        model="gpt-4o-mini",
        choices=[
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": body}}
        ],
        usage={"prompt_tokens": 10, "completion_tokens": 3000, "total_tokens": 3010},
    )
    return completion.model_dump_json().encode() + b"\n"


class GeneratedLines(io.RawIOBase):
    """A read-only stream of ``total`` bytes made by repeating a few distinct lines."""

    def __init__(self, lines: list[bytes], total: int) -> None:
        self._lines = lines
        self._remaining = total
        self._pending = b""
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._pending:
            if self._remaining <= 0:
                return 0
            self._pending = self._lines[self._count % len(self._lines)]
            self._remaining -= len(self._pending)
            self._count += 1
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class CountingSink(io.RawIOBase):
    """Keeps a byte count and a CRC of what it is given, not the bytes."""

    def __init__(self) -> None:
        self.size = 0
        self.crc = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        self.crc = zlib.crc32(data, self.crc)
        return len(data)


def peak_while(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def lines() -> list[bytes]:
    return [line_for(i) for i in range(3)]


def test_rewrite_streams_in_constant_memory(lines: list[bytes]) -> None:
    src = io.BufferedReader(GeneratedLines(lines, TOTAL_BYTES))
    sink = CountingSink()
    outcome = {}

    def strip(text: str, reply: Reply) -> str:
        return text.replace("  # identity", "")

    peak = peak_while(lambda: outcome.setdefault("stats", rewrite_jsonl(src, sink, strip)))

    stats = outcome["stats"]
    expected_lines = -(-TOTAL_BYTES // len(lines[0]))  # the lines are the same length
    assert stats.lines == stats.records == stats.changed == expected_lines
    removed = len(b"  # identity") * 200
    assert sink.size == sum(len(lines[i % 3]) - removed for i in range(stats.lines))
    assert peak < PEAK_LIMIT, f"peak {peak / 2**20:.1f} MiB for {TOTAL_BYTES / 2**20:.0f} MiB"


def test_reading_stdin_streams_in_constant_memory(
    lines: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = GeneratedLines(lines, TOTAL_BYTES // 2)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(raw), encoding="utf-8"))
    counted = {"replies": 0, "chars": 0}

    def consume() -> None:
        for reply in iter_replies(["-"]):
            counted["replies"] += 1
            counted["chars"] += len(reply.text)

    peak = peak_while(consume)

    assert counted["replies"] == -(-(TOTAL_BYTES // 2) // len(lines[0]))
    assert counted["chars"] > TOTAL_BYTES // 4
    assert peak < PEAK_LIMIT, f"peak {peak / 2**20:.1f} MiB"
