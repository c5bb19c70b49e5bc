"""``tokentrim serve`` as a command: the install hint, flag checks, the bind warning, and a real
run with ``--workers 2`` (metrics summed over the workers, graceful shutdown of an open stream)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import tokentrim
from tokentrim.cli import main

pytest.importorskip("uvicorn")

from server_harness import free_port  # noqa: E402
from standin import StandIn  # noqa: E402

pytestmark = pytest.mark.timeout(90)
TESTS = Path(__file__).resolve().parent


def test_missing_extra_prints_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    assert main(["serve", "--upstream", "http://127.0.0.1:1"]) == 2
    assert "pip install 'tokentrim[server]'" in capsys.readouterr().err


def test_upstream_must_be_a_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--upstream", "api.openai.com"]) == 2
    assert "--upstream must be an http" in capsys.readouterr().err


def _ran(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    monkeypatch.delenv("TOKENTRIM_SERVE_CONFIG", raising=False)
    return calls


def test_a_public_bind_without_api_key_warns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _ran(monkeypatch)
    assert main(["serve", "--upstream", "http://127.0.0.1:1", "--host", "0.0.0.0"]) == 0
    assert "without --api-key" in capsys.readouterr().err
    assert calls[0]["host"] == "0.0.0.0" and calls[0]["access_log"] is False
    assert main(["serve", "--upstream", "http://127.0.0.1:1", "--level", "aggressive"]) == 0
    assert "warning" not in capsys.readouterr().err
    spec = json.loads(os.environ["TOKENTRIM_SERVE_CONFIG"])
    assert calls[1]["host"] == "127.0.0.1" and calls[1]["port"] == 8787
    assert spec["settings"]["level"] == "aggressive" and spec["config"]["api_key"] is None


@pytest.fixture(scope="module")
def upstream() -> Iterator[StandIn]:
    with StandIn() as server:
        yield server


def test_two_workers_sum_their_metrics_and_finish_open_streams_on_sigterm(
    upstream: StandIn, tmp_path: Path
) -> None:
    (tmp_path / "counter_1.db").write_bytes(b"stale")  # a previous run's: wiped at start
    serve = ["--workers", "2", "--shutdown-timeout", "20"]
    with _served(upstream, serve, {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}) as (process, base):
        body = {"model": "m", "messages": [{"role": "user", "content": "text=hi"}]}
        for _ in range(8):  # fresh connections, spread over the workers by the kernel
            assert httpx.post(base + "/v1/chat/completions", json=body).status_code == 200
        counted = 'tokentrim_requests_total{route="/v1/chat/completions",status="200"} 8.0'
        deadline = time.monotonic() + 10
        while counted not in httpx.get(base + "/metrics").text:
            # A request is counted once its reply has gone out: the last may lag the client.
            assert time.monotonic() < deadline
            time.sleep(0.05)
        for _ in range(3):  # whichever worker answers reports the sum
            assert counted in httpx.get(base + "/metrics").text
        slow = {
            "model": "m",
            "stream": True,
            "messages": [
                {
                    "role": "user",
                    "content": "text=" + "Prose, streamed slowly. " * 8 + ";fault=slow",
                }
            ],
        }
        with httpx.stream("POST", base + "/v1/chat/completions", json=slow, timeout=30) as reply:
            chunks = reply.iter_bytes()
            first = next(chunks)
            os.killpg(process.pid, signal.SIGTERM)  # mid-stream: it must still finish
            rest = b"".join(chunks)
        assert (first + rest).endswith(b"data: [DONE]\n\n")
        assert process.wait(30) == 0


def test_on_sigterm_a_stream_longer_than_the_shutdown_deadline_is_cut_at_it(
    upstream: StandIn,
) -> None:
    with _served(upstream, ["--shutdown-timeout", "1"], {}) as (process, base):
        # ~3,000 events 20 ms apart: a minute of stream, far past the one-second deadline.
        text = "Prose, streamed slowly. " * 1000
        slow = {
            "model": "m",
            "stream": True,
            "messages": [{"role": "user", "content": f"text={text};fault=slow"}],
        }
        received = b""
        with httpx.stream("POST", base + "/v1/chat/completions", json=slow, timeout=30) as reply:
            chunks = reply.iter_bytes()
            received = next(chunks)
            os.killpg(process.pid, signal.SIGTERM)
            try:
                for chunk in chunks:
                    received += chunk
            except httpx.HTTPError:
                pass  # cut mid-stream: the connection closed without the chunked ending
        assert process.wait(30) is not None  # it stopped, well before the stream's minute
        assert not received.endswith(b"data: [DONE]\n\n")


@contextlib.contextmanager
def _served(
    upstream: StandIn, flags: list[str], env: dict[str, str]
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``tokentrim serve`` of this tree in its own process group, ready (``/readyz``); killed at the
    end if it is still running."""
    port = free_port()
    paths = os.pathsep.join([str(TESTS), str(Path(tokentrim.__file__).resolve().parents[1])])
    environ = {**os.environ, "PYTHONPATH": paths, **env}
    if "PROMETHEUS_MULTIPROC_DIR" not in env:
        environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "tokentrim", "serve", "--upstream", upstream.url]
        + ["--port", str(port), "--no-access-log", *flags],
        env=environ,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)
        yield process, base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
