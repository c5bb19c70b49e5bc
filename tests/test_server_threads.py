"""The proxy trims JSON replies on worker threads while the event loop trims streams: trim() on
several threads at once must give each reply exactly what it gives alone.

CPython 3.11's ``ast.parse`` keeps the depth of the AST object it is building in interpreter-wide
state. A garbage collection during that build may run Python code (a finalizer, a generator being
closed) and so let another thread run; if that thread parses too, it resets the shared depth and
the first thread's ``ast.parse`` fails with ``SystemError: AST constructor recursion depth
mismatch``. Under load that failed blocks at random and the proxy relayed those replies
untrimmed (3-4 of 2,000 in ``benchmarks/load_server.py``). The test below makes that interleaving
happen on purpose instead of by chance: a GC callback on the first thread, inside ``ast.parse``,
hands the interpreter to a second thread that trims a reply of its own, then takes it back.
"""

from __future__ import annotations

import ast
import gc
import json
import logging
import sys
import threading
import uuid
from types import FrameType
from typing import Any

import httpx
import pytest

from tokentrim import trim
from tokentrim.middleware.core import rewrite_body
from tokentrim.providers import api_for_path
from tokentrim.settings import Settings

HANDOFFS = 40  # at most, GC pauses of the first thread handed to the second one
WAIT = 2.0  # seconds the first thread waits for the second one's trim (bounded, never a hang)


def _block(tag: str, functions: int) -> str:
    """A Python block with comments to strip; names unique to ``tag`` (no cache can answer)."""
    parts = []
    for i in range(functions):
        parts.append(
            f"def f_{tag}_{i}(a, b):\n"
            f"    # add them up\n"
            f"    total = a + b  # the sum\n"
            f"    values = [total, {i}, (a * b), {{'k': a, 'v': [b, {i}]}}]\n"
            f"    return values\n"
        )
    return "\n\n".join(parts)


def _reply(code: str) -> str:
    return f"Here it is:\n\n```python\n{code}```\n\nDone.\n"


def _chat_body(text: str) -> bytes:
    payload = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
    }
    return json.dumps(payload, indent=1).encode("utf-8")


def _inside_ast_parse(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code.co_name == "parse" and frame.f_code.co_filename == ast.__file__:
            return True
        frame = frame.f_back
    return False


def test_json_trim_on_a_thread_survives_another_thread_parsing_mid_parse() -> None:
    settings = Settings()
    trim(_reply(_block("warm", 2)))  # imports, rule registry, libcst and black: loaded once
    tag = uuid.uuid4().hex[:8]
    first = _reply(_block(f"a{tag}", 40))
    others = [_reply(_block(f"b{tag}_{n}", 1)) for n in range(HANDOFFS)]

    main = threading.current_thread()
    go, done = threading.Semaphore(0), threading.Semaphore(0)
    state: dict[str, Any] = {"handoffs": 0, "stop": False, "second": []}

    def second_thread() -> None:
        for text in others:
            go.acquire()
            if state["stop"]:
                return
            state["second"].append((text, trim(text, settings=settings).text))
            done.release()

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if (
            phase != "start"
            or state["stop"]
            or threading.current_thread() is not main
            or not _inside_ast_parse(sys._getframe(1))
        ):
            return
        state["handoffs"] += 1
        go.release()
        # Once the second thread cannot finish while we are inside ast.parse (it waits for us),
        # stop handing off: it runs when this parse is over.
        if not done.acquire(timeout=WAIT) or state["handoffs"] >= HANDOFFS:
            state["stop"] = True

    helper = threading.Thread(target=second_thread, daemon=True)
    helper.start()
    threshold = gc.get_threshold()
    gc.set_threshold(50, *threshold[1:])
    gc.callbacks.append(on_gc)
    body = _chat_body(first)
    chat = api_for_path("/v1/chat/completions")
    assert chat is not None
    try:
        new_body, _ = rewrite_body(chat, body, settings)
    finally:
        gc.callbacks.remove(on_gc)
        gc.set_threshold(*threshold)
        state["stop"] = True
        go.release()
        helper.join(30)
    assert state["handoffs"] > 0, "no garbage collection inside ast.parse: nothing was tested"
    got = json.loads(new_body or body)["choices"][0]["message"]["content"]
    assert got == trim(first, settings=settings).text
    for text, trimmed in state["second"]:
        assert trimmed == trim(text, settings=settings).text


# ---- what the proxy says when a reply goes out untrimmed ------------------------------------------


def test_a_reply_a_failure_left_untrimmed_is_logged_and_counted_without_its_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    from server_harness import Proxy
    from standin import StandIn

    from tokentrim import pyast

    secret = f"s{uuid.uuid4().hex}"
    reply = f"```python\\nx = 1  # {secret}\\n```\\n"  # the stand-in's \\n: a newline

    def broken(source: str) -> ast.Module:
        raise SystemError("AST constructor recursion depth mismatch (before=51, after=47)")

    with StandIn() as upstream, Proxy(upstream.url) as server:
        url = server.url + "/v1/chat/completions"
        direct = httpx.post(
            upstream.url + "/v1/chat/completions",
            json={"model": "gpt-4o", "messages": [{"role": "user", "content": f"text={reply}"}]},
        )
        monkeypatch.setattr(pyast, "parse", broken)
        with caplog.at_level(logging.WARNING, logger="tokentrim.server"):
            via = httpx.post(
                url,
                json={
                    "model": "gpt-4o",
                    "messages": [{"role": "user", "content": f"text={reply}"}],
                },
            )
        logprobs = httpx.post(
            url,
            json={
                "model": "gpt-4o",
                "logprobs": True,
                "messages": [{"role": "user", "content": "text=hi"}],
            },
        )
        metrics = httpx.get(server.url + "/metrics").text
    assert via.status_code == 200 and logprobs.status_code == 200
    assert (
        via.json()["choices"][0]["message"]["content"]
        == direct.json()["choices"][0]["message"]["content"]
    )
    warnings = [r.getMessage() for r in caplog.records if r.name == "tokentrim.server"]
    assert len(warnings) == 1
    assert "internal_error" in warnings[0] and "internal error: SystemError" in warnings[0]
    assert secret not in warnings[0] and "x = 1" not in warnings[0]
    route = 'route="/v1/chat/completions"'
    assert f'tokentrim_untrimmed_total{{reason="internal_error",{route}}} 1.0' in metrics
    assert f'tokentrim_untrimmed_total{{reason="request",{route}}} 1.0' in metrics


def test_every_reply_of_a_trimmed_route_that_goes_out_as_sent_is_counted() -> None:
    """A reply trim() gives back whole without failing (prose only) is counted ``unchanged``,
    plain and streamed, a tool call ``no_text``; a trimmed one is not counted at all. With ``relayed``, ``no_text``,
    ``request`` and the failures, no reply of a trimmed route goes out as sent uncounted."""
    pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    from server_harness import Proxy
    from standin import StandIn

    prose = f"text=No code here, {uuid.uuid4().hex}."
    tools = "fault=tools"
    code = f"text=```python\\nx = 1  # {uuid.uuid4().hex}\\n```\\n"
    with StandIn() as upstream, Proxy(upstream.url) as server:
        url = server.url + "/v1/chat/completions"
        for content, stream in [
            *[(prose, False), (prose, True)],
            *[(code, False), (code, True)],
            *[(tools, False), (tools, True)],
        ]:
            body: dict[str, Any] = {
                "model": "gpt-4o",
                "messages": [{"role": "user", "content": content}],
            }
            if stream:
                body["stream"] = True
            assert httpx.post(url, json=body).status_code == 200
        metrics = httpx.get(server.url + "/metrics").text
    counted = [
        line for line in metrics.splitlines() if line.startswith("tokentrim_untrimmed_total{")
    ]
    assert sorted(counted) == [
        'tokentrim_untrimmed_total{reason="no_text",route="/v1/chat/completions"} 2.0',
        'tokentrim_untrimmed_total{reason="unchanged",route="/v1/chat/completions"} 2.0',
    ]
