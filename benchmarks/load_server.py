"""Load test of ``tokentrim serve`` on loopback: N requests at concurrency C, half streamed, to a
stand-in provider with simulated latency and token pacing (each in its own process).

Every reply is checked against ``trim()`` of what the stand-in sent (plain: the message content;
streamed: the deltas joined). The same requests are then sent to the stand-in directly, so the
proxy's added latency is the difference of the two distributions (p50, p99). Also: requests per
second per worker, peak RSS of the proxy's processes (``VmHWM``), errors and mismatches.

    python benchmarks/load_server.py [--requests 2000] [--concurrency 64] [--workers 1] [--distinct]

``--distinct`` makes every reply unique to its request (``standin.tagged``: a line naming it, a
comment in every Python block), so the proxy's reply and block caches never answer: the figures
are then those of trimming distinct replies, not of relaying ones trimmed before.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))
from standin import corpus, tagged  # noqa: E402

import tokentrim  # noqa: E402
from tokentrim import trim  # noqa: E402

SOURCE = Path(tokentrim.__file__).resolve().parent.parent

REPLIES = [
    "deepseek-lru-cache",
    "claude-nested-fences",
    "gemini-flash-binary-search",
    "claude-dataclass-refactor",
    "gpt4o-debounce-js-ts",
    "claude-prose-only",
]
LATENCY_MS = 40  # before the first byte
PACE_MS = 1  # between the stream's writes (1 to 80 bytes each)
DEADLINE = 600.0  # the whole run, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--distinct", action="store_true", help="a unique reply per request")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    figures = run(args.requests, args.concurrency, args.workers, distinct=args.distinct)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>24}: {value}")
    return 0 if figures["errors"] == 0 and figures["mismatches"] == 0 else 1


def run(requests: int, concurrency: int, workers: int, *, distinct: bool = False) -> dict[str, Any]:
    if distinct:  # trimmed here, before the clock starts
        sent = {i: tagged(corpus(_reply(i)), str(i)) for i in range(requests)}
    else:
        sent = {i: corpus(_reply(i)) for i in range(len(REPLIES))}
    expected = {i: trim(text).text for i, text in sent.items()}
    # Replies trim() leaves whole (prose only): the proxy counts each as untrimmed, "unchanged".
    whole = sum(
        expected[key] == sent[key]
        for key in (range(requests) if distinct else map(_key, range(requests)))
    )
    standin_port, proxy_port = _free_port(), _free_port()
    # The stand-in's module, and the tokentrim imported here (this tree's, not the venv's).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(SOURCE), *_paths()])}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    standin = subprocess.Popen(
        [sys.executable, "-c", _STANDIN.format(port=standin_port)], env=env, stdout=subprocess.PIPE
    )
    proxy = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tokentrim",
            "serve",
            "--upstream",
            f"http://127.0.0.1:{standin_port}",
            "--port",
            str(proxy_port),
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{proxy_port}/readyz")
        via, wall, errors, mismatches, error_kinds = asyncio.run(
            _load(f"http://127.0.0.1:{proxy_port}", requests, concurrency, expected, distinct)
        )
        rss = _peak_rss_mb(proxy.pid)
        metrics = httpx.get(f"http://127.0.0.1:{proxy_port}/metrics").text
        direct, _, direct_errors, _, _ = asyncio.run(
            _load(f"http://127.0.0.1:{standin_port}", requests, concurrency, None, distinct)
        )
    finally:
        os.killpg(proxy.pid, signal.SIGTERM)
        proxy.wait(30)
        standin.terminate()
        standin.wait(10)
    return {
        "requests": requests,
        "concurrency": concurrency,
        "workers": workers,
        "distinct": distinct,
        "errors": errors,
        "error_kinds": error_kinds,
        "mismatches": mismatches,
        "direct_errors": direct_errors,
        "p50_ms_via_proxy": _ms(_pct(via, 50)),
        "p50_ms_direct": _ms(_pct(direct, 50)),
        "p50_added_ms": _ms(_pct(via, 50) - _pct(direct, 50)),
        "p99_ms_via_proxy": _ms(_pct(via, 99)),
        "p99_ms_direct": _ms(_pct(direct, 99)),
        "p99_added_ms": _ms(_pct(via, 99) - _pct(direct, 99)),
        "requests_per_s": round(requests / wall, 1),
        "requests_per_s_per_worker": round(requests / wall / workers, 1),
        "peak_rss_mb_per_process": rss,
        "metrics_requests_total": _metric_sum(metrics, "tokentrim_requests_total"),
        "metrics_upstream_errors": _metric_sum(metrics, "tokentrim_upstream_errors_total"),
        "metrics_untrimmed": _metric_sum(metrics, "tokentrim_untrimmed_total"),
        "metrics_untrimmed_by_reason": _by_label(metrics, "tokentrim_untrimmed_total", "reason"),
        "unchanged_expected": whole,
    }


_STANDIN = """
import time, standin
server = standin.StandIn()
server._server.server_close()
server._server = standin._Server(("127.0.0.1", {port}), server._server.RequestHandlerClass)
import threading
server._thread = threading.Thread(target=server._server.serve_forever, daemon=True)
server.__enter__()
while True:
    time.sleep(3600)
"""


def _paths() -> list[str]:
    return [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]


def _reply(i: int) -> str:
    return REPLIES[i % len(REPLIES)]


def _key(i: int) -> int:
    return i % len(REPLIES)


async def _load(
    base: str,
    requests: int,
    concurrency: int,
    expected: dict[int, str] | None,
    distinct: bool,
) -> tuple[list[float], float, int, int, dict[str, int]]:
    latencies: list[float] = []
    errors = mismatches = 0
    kinds: dict[str, int] = {}
    # One client of one connection per lane: a single pool of 64 costs the load client
    # O(connections²) a request in httpcore 1.0's bookkeeping (see tokentrim/server/pool.py),
    # CPU the proxy and the stand-in on the same cores then lack.
    clients = [
        httpx.AsyncClient(
            base_url=base,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=60,
        )
        for _ in range(concurrency)
    ]
    todo = iter(range(requests))

    async def one(client: httpx.AsyncClient, i: int) -> None:
        nonlocal errors, mismatches
        name = _reply(i)
        stream = i % 2 == 1
        prompt = f"reply={name};seed={i % 17};latency={LATENCY_MS};pace={PACE_MS}"
        if distinct:
            prompt += f";tag={i}"
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": prompt}]}
        if stream:
            body["stream"] = True
        started = time.perf_counter()
        head: dict[str, str] = {}  # the reply's status and own headers, for the dump
        try:
            text = await (_streamed(client, body, head) if stream else _plain(client, body, head))
        except Exception as error:  # noqa: BLE001 - counted, by kind
            errors += 1
            kinds[type(error).__name__] = kinds.get(type(error).__name__, 0) + 1
            return
        latencies.append(time.perf_counter() - started)
        want = None if expected is None else expected[i if distinct else _key(i)]
        if want is not None and text != want:
            mismatches += 1
            if os.environ.get("LOAD_SERVER_DUMP"):
                with open(os.environ["LOAD_SERVER_DUMP"], "a", encoding="utf-8") as dump:
                    record = {"i": i, "stream": stream, "head": head, "got": text, "want": want}
                    dump.write(json.dumps(record) + "\n")

    async def lane(client: httpx.AsyncClient) -> None:
        async with client:
            for i in todo:  # the lanes share one iterator: the next request goes to a free lane
                await one(client, i)

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(lane(client) for client in clients)), DEADLINE)
    wall = time.perf_counter() - started
    return latencies, wall, errors, mismatches, kinds


async def _plain(client: httpx.AsyncClient, body: dict[str, Any], head: dict[str, str]) -> str:
    response = await client.post("/v1/chat/completions", json=body)
    _note_head(response, head)
    response.raise_for_status()
    return str(response.json()["choices"][0]["message"]["content"])


async def _streamed(client: httpx.AsyncClient, body: dict[str, Any], head: dict[str, str]) -> str:
    parts: list[str] = []
    async with client.stream("POST", "/v1/chat/completions", json=body) as response:
        _note_head(response, head)
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            event = json.loads(line[6:])
            if "error" in event:  # the proxy's word that the upstream stream broke off
                raise RuntimeError(event["error"])
            for choice in event.get("choices", []):
                parts.append(choice.get("delta", {}).get("content") or "")
    return "".join(parts)


def _note_head(response: httpx.Response, head: dict[str, str]) -> None:
    """Status, content type and the proxy's token headers: which path a reply took (trimmed JSON
    replies carry ``x-tokentrim-tokens-before/after``; relayed ones do not)."""
    head["status"] = str(response.status_code)
    for name, value in response.headers.items():
        if name == "content-type" or name.startswith("x-tokentrim-"):
            head[name] = value


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} never became ready")


def _peak_rss_mb(pid: int) -> list[float]:
    """VmHWM of the proxy process and its children (the uvicorn workers)."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    out = []
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                out.append(round(int(line.split()[1]) / 1024, 1))
    return out


def _metric_sum(text: str, name: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + "{")
    )


def _by_label(text: str, name: str, label: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(name + "{") and f'{label}="' in line:
            value = line.split(f'{label}="', 1)[1].split('"', 1)[0]
            out[value] = out.get(value, 0.0) + float(line.rsplit(" ", 1)[1])
    return out


def _pct(values: list[float], q: int) -> float:
    if not values:
        return float("nan")
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":
    sys.exit(main())
