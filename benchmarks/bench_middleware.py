"""What the middleware adds to a model call, measured side by side against the stand-in provider.

1. Non-streamed call: the same OpenAI SDK call with and without ``TrimTransport`` (interleaved),
   median and p99 of the difference. Most of it is trim() itself (libcst + black on the code).
2. Streaming, per prose chunk: the time ``SSERewriter.feed`` (the transport's path) and the
   ``wrap()`` object path take per chunk of a prose reply, p50 / p99 of wall and of thread CPU time.
3. Time to first token of a reply that starts with prose, with and without the transport
   (interleaved; the stand-in paces events 20 ms apart).

    python benchmarks/bench_middleware.py [--calls 30] [--streams 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx2
import openai

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from standin import STREAMS, Spec, StandIn, corpus  # noqa: E402

from tokentrim import Settings, TrimTransport, trim  # noqa: E402
from tokentrim.middleware.core import StreamRewriter, apply_texts
from tokentrim.middleware.sse import SSERewriter  # noqa: E402
from tokentrim.providers import openai_chat  # noqa: E402

CODE_REPLY = "gemini-flash-steps"
PROSE_REPLY = "claude-prose-only"
PROSE_FIRST = "claude-nested-fences"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--streams", type=int, default=30)
    args = parser.parse_args(argv)
    with StandIn() as server:
        plain = openai.OpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)
        trimmed = openai.OpenAI(
            base_url=server.url + "/v1",
            api_key="k",
            max_retries=0,
            http_client=httpx2.Client(transport=TrimTransport(settings=Settings())),
        )
        non_streamed(plain, trimmed, args.calls)
        per_chunk()
        first_token(plain, trimmed, args.streams)
    return 0


def non_streamed(plain: openai.OpenAI, trimmed: openai.OpenAI, calls: int) -> None:
    messages = [{"role": "user", "content": f"reply={CODE_REPLY}"}]
    for client in (plain, trimmed):  # warm up: connections, imports, prices
        client.chat.completions.create(model="gpt-4o", messages=messages)  # type: ignore[arg-type]
    without, with_ = [], []
    for _ in range(calls):
        for client, times in ((plain, without), (trimmed, with_)):
            start = time.perf_counter()
            client.chat.completions.create(model="gpt-4o", messages=messages)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
    added = sorted(b - a for a, b in zip(without, with_, strict=True))
    reply = corpus(CODE_REPLY)
    alone = []
    for _ in range(calls):
        start = time.perf_counter()
        trim(reply)
        alone.append(time.perf_counter() - start)
    print(f"non-streamed call ({CODE_REPLY}, {calls} calls, interleaved)")
    print(f"  without tokentrim  median {ms(statistics.median(without))}")
    print(f"  with TrimTransport median {ms(statistics.median(with_))}")
    print(f"  added              median {ms(statistics.median(added))}  p99 {ms(pct(added, 99))}")
    print(f"  of which trim()    median {ms(statistics.median(alone))}  (the same reply, no I/O)")


def per_chunk() -> None:
    events = STREAMS["chat"](Spec(f"reply={PROSE_REPLY};seed=1"), "gpt-4o", {})
    chunks = [f"data: {data}\n\n".encode() for _, data in events]
    sse_times: list[float] = []
    sse_cpu: list[float] = []
    for _ in range(20):
        rewriter = SSERewriter(openai_chat.API, Settings())
        for chunk in chunks:
            start, cpu = time.perf_counter(), time.thread_time()
            rewriter.feed(chunk)
            sse_times.append(time.perf_counter() - start)
            sse_cpu.append(time.thread_time() - cpu)
        rewriter.close()
    objects = [
        openai.types.chat.ChatCompletionChunk.model_validate_json(data)
        for _, data in events
        if data.startswith("{")
    ]
    obj_times: list[float] = []
    obj_cpu: list[float] = []
    for _ in range(20):
        stream = StreamRewriter(openai_chat.API, Settings())
        for obj in objects:
            start, cpu = time.perf_counter(), time.thread_time()
            for emit in stream.feed(obj):
                apply_texts(emit.event, emit.texts)
            obj_times.append(time.perf_counter() - start)
            obj_cpu.append(time.thread_time() - cpu)
    for values in (sse_times, sse_cpu, obj_times, obj_cpu):
        values.sort()
    # Wall time includes the moments a loaded machine takes the core away mid-chunk; the thread's
    # CPU time is the work tokentrim adds to the chunk, which such load does not inflate.
    print(f"streaming, per prose chunk ({PROSE_REPLY}, {len(chunks)} chunks x 20 runs)")
    print(
        f"  SSE bytes (transport)  wall p50 {us(pct(sse_times, 50))}  p99 {us(pct(sse_times, 99))}"
    )
    print(f"                         cpu  p50 {us(pct(sse_cpu, 50))}  p99 {us(pct(sse_cpu, 99))}")
    print(
        f"  SDK chunks (wrap)      wall p50 {us(pct(obj_times, 50))}  p99 {us(pct(obj_times, 99))}"
    )
    print(f"                         cpu  p50 {us(pct(obj_cpu, 50))}  p99 {us(pct(obj_cpu, 99))}")


def first_token(plain: openai.OpenAI, trimmed: openai.OpenAI, streams: int) -> None:
    messages = [{"role": "user", "content": f"reply={PROSE_FIRST};fault=slow;seed=1"}]
    without, with_ = [], []
    for _ in range(streams):
        for client, times in ((plain, without), (trimmed, with_)):
            start = time.perf_counter()
            stream = client.chat.completions.create(model="gpt-4o", messages=messages, stream=True)  # type: ignore[arg-type]
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    times.append(time.perf_counter() - start)
                    break
            stream.close()
    added = sorted(b - a for a, b in zip(without, with_, strict=True))
    # In process, without the network's jitter: a fresh stream's first events up to the first
    # prose delta, through the transport's rewriter (what it adds before the SDK sees the token).
    events = STREAMS["chat"](Spec(f"reply={PROSE_FIRST};seed=1"), "gpt-4o", {})
    first = [f"data: {data}\n\n".encode() for _, data in events[:2]]
    cold = []
    for _ in range(1001):
        start = time.perf_counter()
        rewriter = SSERewriter(openai_chat.API, Settings())
        released = b"".join(rewriter.feed(chunk) for chunk in first)
        cold.append(time.perf_counter() - start)
    assert released == b"".join(first)  # the prose delta went out as it came
    print(
        f"time to first token ({PROSE_FIRST}, events 20 ms apart, {streams} streams, interleaved)"
    )
    print(f"  without tokentrim  median {ms(statistics.median(without))}")
    print(f"  with TrimTransport median {ms(statistics.median(with_))}")
    print(f"  added              median {ms(statistics.median(added))}  max {ms(added[-1])}")
    first_ever, warm = cold[0], cold[1:]  # the first loads the rule registry, once a process
    print(f"  in process, new stream to first prose delta  p50 {us(pct(warm, 50))}")
    print(f"                                               p99 {us(pct(warm, 99))}")
    print(f"                    (first stream of a process     {us(first_ever)})")


def pct(values: list[float], q: int) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:7.1f} µs"


if __name__ == "__main__":
    sys.exit(main())
