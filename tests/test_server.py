"""``tokentrim serve``: the real openai and anthropic SDKs through the proxy to a stand-in provider
on 127.0.0.1, and the faults (a broken, malformed, slow or absent upstream; bad clients)."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

import anthropic  # noqa: E402
import httpx  # noqa: E402
import openai  # noqa: E402
from server_harness import Proxy, free_port  # noqa: E402
from standin import StandIn, corpus  # noqa: E402

from tokentrim import trim  # noqa: E402

pytestmark = pytest.mark.timeout(60)

REPLIES = ["deepseek-lru-cache", "claude-nested-fences"]


@pytest.fixture(scope="module")
def upstream() -> Iterator[StandIn]:
    with StandIn() as server:
        yield server


@pytest.fixture(scope="module")
def proxy(upstream: StandIn) -> Iterator[Proxy]:
    with Proxy(upstream.url) as server:
        yield server


def _oai(proxy: Proxy, **kwargs: object) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.url + "/v1", api_key="sk-caller", max_retries=0, **kwargs)  # type: ignore[arg-type]


def _ant(proxy: Proxy, **kwargs: object) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=proxy.url, api_key="sk-ant-caller", max_retries=0, **kwargs)  # type: ignore[arg-type]


def _user(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


def _found(name: str) -> str:
    try:
        return corpus(name)
    except OSError:
        pytest.skip(f"corpora/{name}.md is absent")


# ---- the SDKs get trim(reply).text, plain and streamed -------------------------------------------


@pytest.mark.parametrize("name", REPLIES)
def test_openai_chat_plain_and_streamed(proxy: Proxy, name: str) -> None:
    want = trim(_found(name)).text
    client = _oai(proxy)
    reply = client.chat.completions.create(model="gpt-4o", messages=_user(f"reply={name}"))
    assert reply.choices[0].message.content == want
    for seed in (0, 7):
        stream = client.chat.completions.create(
            model="gpt-4o", messages=_user(f"reply={name};seed={seed}"), stream=True
        )
        assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == want


def test_openai_responses_and_completions(proxy: Proxy) -> None:
    want = trim(_found(REPLIES[0])).text
    client = _oai(proxy)
    assert client.responses.create(model="gpt-4o", input=f"reply={REPLIES[0]}").output_text == want
    events = client.responses.create(model="gpt-4o", input=f"reply={REPLIES[0]}", stream=True)
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == want
    done = client.completions.create(model="gpt-3.5-turbo-instruct", prompt=f"reply={REPLIES[0]}")
    assert done.choices[0].text == want


@pytest.mark.parametrize("name", REPLIES)
def test_anthropic_plain_and_streamed(proxy: Proxy, name: str) -> None:
    want = trim(_found(name)).text
    client = _ant(proxy)
    message = client.messages.create(
        model="claude-x", max_tokens=64, messages=_user(f"reply={name}")
    )  # type: ignore[arg-type]
    assert "".join(b.text for b in message.content if b.type == "text") == want
    with client.messages.stream(
        model="claude-x",
        max_tokens=64,
        messages=_user(f"reply={name};seed=5"),  # type: ignore[arg-type]
    ) as stream:
        assert "".join(stream.text_stream) == want


def test_streams_are_relayed_as_they_arrive(upstream: StandIn, proxy: Proxy) -> None:
    """Prose reaches the client before the upstream has finished (paced at 20 ms a write)."""
    prose = "Some prose that streams. " * 12
    body = {"model": "m", "stream": True, "messages": _user(f"text={prose};fault=slow")}
    with httpx.stream("POST", proxy.url + "/v1/chat/completions", json=body, timeout=30) as r:
        chunks = iter(r.iter_bytes())
        first = next(chunks)
        started = time.monotonic()
        rest = b"".join(chunks)
        waited = time.monotonic() - started
    assert b"data:" in first and rest.endswith(b"data: [DONE]\n\n")
    assert waited > 0.1  # the first bytes came while the upstream was still writing


def test_opt_out_and_json_mode_are_relayed_untouched(upstream: StandIn, proxy: Proxy) -> None:
    original = _found(REPLIES[0])
    client = _oai(proxy, default_headers={"x-tokentrim": "off"})
    reply = client.chat.completions.create(model="m", messages=_user(f"reply={REPLIES[0]}"))
    assert reply.choices[0].message.content == original
    assert "x-tokentrim" not in {k.lower() for k in upstream.requests[-1]["headers"]}
    reply = _oai(proxy).chat.completions.create(
        model="m", messages=_user(f"reply={REPLIES[0]}"), response_format={"type": "json_object"}
    )
    assert reply.choices[0].message.content == original


# ---- forwarding: other paths, headers, keys ------------------------------------------------------


def test_other_paths_and_methods_are_forwarded_unchanged(upstream: StandIn, proxy: Proxy) -> None:
    direct = httpx.post(upstream.url + "/v1/embeddings?x=1", json={"input": "a"})
    via = httpx.post(proxy.url + "/v1/embeddings?x=1", json={"input": "a"})
    assert (
        (via.status_code, via.content)
        == (direct.status_code, direct.content)
        == (404, direct.content)
    )
    assert upstream.requests[-1]["path"] == "/v1/embeddings?x=1"
    assert (
        httpx.get(proxy.url + "/v1/models").status_code
        == httpx.get(upstream.url + "/v1/models").status_code
    )


def test_auth_goes_upstream_hop_by_hop_does_not(upstream: StandIn, proxy: Proxy) -> None:
    headers = {
        "authorization": "Bearer sk-secret",
        "x-api-key": "sk-ant-secret",
        "connection": "keep-alive, x-private",
        "x-private": "1",
        "te": "trailers",
        "proxy-authorization": "Basic c2VjcmV0",
        "x-custom": "kept",
    }
    body = {"model": "m", "messages": _user("text=hi")}
    assert (
        httpx.post(proxy.url + "/v1/chat/completions", json=body, headers=headers).status_code
        == 200
    )
    sent = {k.lower(): v for k, v in upstream.requests[-1]["headers"].items()}
    assert sent["authorization"] == "Bearer sk-secret" and sent["x-api-key"] == "sk-ant-secret"
    assert sent["x-custom"] == "kept"
    for name in ("x-private", "te", "proxy-authorization"):
        assert name not in sent
    assert sent.get("connection", "keep-alive") == "keep-alive"


def test_access_log_has_one_line_per_request_and_no_secrets(
    upstream: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    with Proxy(upstream.url, access_log=True) as server:
        with caplog.at_level(logging.INFO, logger="tokentrim.server.access"):
            httpx.post(
                server.url + "/v1/chat/completions?key=sk-in-query",
                json={"model": "m", "messages": _user("text=sk-in-body")},
                headers={"authorization": "Bearer sk-in-header"},
            )
            # The line is written after the reply went out: on a busy machine, after it arrived.
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(
                r.name == "tokentrim.server.access" for r in caplog.records
            ):
                time.sleep(0.01)
    lines = [r.getMessage() for r in caplog.records if r.name == "tokentrim.server.access"]
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["path"] == "/v1/chat/completions" and record["status"] == 200
    assert "sk-in" not in lines[0]


# ---- security ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(upstream: StandIn) -> Iterator[Proxy]:
    with Proxy(upstream.url, api_key="proxy-key", max_body=4096) as server:
        yield server


def test_wrong_api_key_is_401_in_the_sdks_shape(keyed: Proxy) -> None:
    with pytest.raises(openai.AuthenticationError) as raised:
        _oai(keyed, default_headers={"x-tokentrim-api-key": "wrong"}).chat.completions.create(
            model="m", messages=_user("text=hi")
        )
    assert raised.value.status_code == 401 and raised.value.body["type"] == "invalid_api_key"  # type: ignore[index]
    with pytest.raises(anthropic.AuthenticationError):
        _ant(keyed).messages.create(model="m", max_tokens=5, messages=_user("text=hi"))  # type: ignore[arg-type]
    client = _oai(keyed, default_headers={"x-tokentrim-api-key": "proxy-key"})
    assert client.chat.completions.create(model="m", messages=_user("text=hi")).choices


def test_the_proxy_key_is_not_forwarded(upstream: StandIn, keyed: Proxy) -> None:
    headers = {"x-tokentrim-api-key": "proxy-key"}
    httpx.post(
        keyed.url + "/v1/chat/completions",
        json={"model": "m", "messages": _user("text=hi")},
        headers=headers,
    )
    assert "x-tokentrim-api-key" not in {k.lower() for k in upstream.requests[-1]["headers"]}


def test_oversized_bodies_are_413(keyed: Proxy) -> None:
    headers = {"x-tokentrim-api-key": "proxy-key"}
    big = {"model": "m", "messages": _user("x" * 5000)}
    response = httpx.post(keyed.url + "/v1/chat/completions", json=big, headers=headers)
    assert response.status_code == 413 and "error" in response.json()

    def chunked() -> Iterator[bytes]:  # no content-length: counted as it arrives
        for _ in range(10):
            yield b"x" * 1000

    response = httpx.post(keyed.url + "/v1/messages", content=chunked(), headers=headers)
    assert response.status_code == 413 and response.json()["type"] == "error"


# ---- upstream faults -----------------------------------------------------------------------------


def test_upstream_dies_mid_stream_the_sdk_gets_what_was_sent_then_an_error(proxy: Proxy) -> None:
    name = REPLIES[0]
    whole = trim(_found(name)).text
    got: list[str] = []
    stream = _oai(proxy).chat.completions.create(
        model="m", messages=_user(f"reply={name};fault=truncate"), stream=True
    )
    with pytest.raises(openai.APIError, match="broke off"):
        for chunk in stream:
            got.extend(c.delta.content or "" for c in chunk.choices)
    text = "".join(got)
    assert text and len(text) < len(whole)
    assert _found(name).startswith(text[:40])
    with pytest.raises(anthropic.APIStatusError, match="broke off"):
        with _ant(proxy).messages.stream(
            model="m",
            max_tokens=5,
            messages=_user(f"reply={name};fault=truncate"),  # type: ignore[arg-type]
        ) as events:
            "".join(events.text_stream)


def test_upstream_stream_that_stops_early_ends_cleanly(proxy: Proxy) -> None:
    stream = _oai(proxy).chat.completions.create(
        model="m", messages=_user(f"reply={REPLIES[0]};fault=eof"), stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text and _found(REPLIES[0]).startswith(text[:40])


def test_malformed_json_from_upstream_is_relayed_as_it_was(upstream: StandIn, proxy: Proxy) -> None:
    body = {"model": "m", "messages": _user(f"reply={REPLIES[0]};fault=badjson")}
    direct = httpx.post(upstream.url + "/v1/chat/completions", json=body)
    via = httpx.post(proxy.url + "/v1/chat/completions", json=body)
    assert via.status_code == 200 and via.content == direct.content
    body["stream"] = True
    direct = httpx.post(upstream.url + "/v1/chat/completions", json=body)
    via = httpx.post(proxy.url + "/v1/chat/completions", json=body, timeout=30)
    assert (
        via.status_code == 200 and via.content == direct.content
    )  # untrimmed from the bad event on


def test_slow_upstream_is_504(upstream: StandIn) -> None:
    with Proxy(upstream.url, read_timeout=0.3) as server:
        with pytest.raises(openai.APIStatusError) as raised:
            _oai(server).chat.completions.create(model="m", messages=_user("text=hi;latency=1500"))
        assert raised.value.status_code == 504
        response = httpx.post(
            server.url + "/v1/messages",
            json={"model": "m", "max_tokens": 5, "messages": _user("text=hi;latency=1500")},
        )
        assert response.status_code == 504 and response.json()["error"]["type"] == "timeout_error"


def test_refused_connection_is_502(upstream: StandIn) -> None:
    with Proxy(f"http://127.0.0.1:{free_port()}") as server:
        with pytest.raises(openai.APIStatusError) as raised:
            _oai(server).chat.completions.create(model="m", messages=_user("text=hi"))
        assert raised.value.status_code == 502
        assert raised.value.body["type"] == "upstream_unreachable"  # type: ignore[index]
        response = httpx.post(server.url + "/v1/messages", json={"model": "m"})
        assert response.status_code == 502 and response.json()["type"] == "error"
        assert httpx.get(server.url + "/readyz").status_code == 503
        assert httpx.get(server.url + "/healthz").status_code == 200


# ---- bad clients ---------------------------------------------------------------------------------


def _open_streams(proxy: Proxy) -> float:
    return float(proxy.app.state.metrics.open_streams._value.get())


def _raw_stream_request(proxy: Proxy, prompt: str) -> socket.socket:
    body = json.dumps({"model": "m", "stream": True, "messages": _user(prompt)}).encode()
    sock = socket.create_connection(("127.0.0.1", proxy.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(
        b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        + f"content-length: {len(body)}\r\n\r\n".encode()
        + body
    )
    return sock


def _wait_until(predicate: object, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_a_client_that_never_reads_does_not_stall_the_others(upstream: StandIn) -> None:
    with Proxy(upstream.url) as server:
        stuck = [_raw_stream_request(server, "reply=deepseek-lru-cache;pace=1") for _ in range(4)]
        assert _wait_until(lambda: _open_streams(server) == 4)
        client = _oai(server)
        assert client.chat.completions.create(model="m", messages=_user("text=hi")).choices
        assert httpx.get(server.url + "/healthz").status_code == 200
        for sock in stuck:
            sock.close()
        assert _wait_until(lambda: _open_streams(server) == 0)


def test_a_client_that_disconnects_cancels_its_upstream_request(upstream: StandIn) -> None:
    with Proxy(upstream.url) as server:
        sock = _raw_stream_request(server, f"reply={REPLIES[0]};pace=200")  # ~20 s upstream
        assert sock.recv(100).startswith(b"HTTP/1.1 200")
        sock.close()
        # The upstream would go on for seconds; the relay (and its upstream request) ends now.
        assert _wait_until(lambda: _open_streams(server) == 0, seconds=3)
        sock = _raw_stream_request(server, "text=hi;latency=3000")  # gone before the reply head
        time.sleep(0.2)
        sock.close()
        assert httpx.get(server.url + "/healthz").status_code == 200


# ---- operations ----------------------------------------------------------------------------------


def test_metrics_count_requests_tokens_and_errors(upstream: StandIn) -> None:
    with Proxy(upstream.url) as server:
        client = _oai(server)
        client.chat.completions.create(model="m", messages=_user(f"reply={REPLIES[0]}"))
        list(
            client.chat.completions.create(
                model="m", messages=_user(f"reply={REPLIES[0]}"), stream=True
            )
        )
        httpx.post(server.url + "/v1/embeddings", json={})
        text = httpx.get(server.url + "/metrics").text
        assert httpx.get(server.url + "/readyz").json()["status"] == "ready"
    result = trim(_found(REPLIES[0]))
    assert 'tokentrim_requests_total{route="/v1/chat/completions",status="200"} 2.0' in text
    assert 'tokentrim_requests_total{route="other",status="404"} 1.0' in text
    assert f"tokentrim_tokens_before_total {2.0 * result.tokens_before}" in text
    assert f"tokentrim_tokens_after_total {2.0 * result.tokens_after}" in text
    assert 'tokentrim_added_latency_seconds_count{route="/v1/chat/completions"} 2.0' in text
    assert "tokentrim_open_streams 0.0" in text


def test_hop_by_hop_headers_of_the_upstream_reply_are_not_relayed() -> None:
    from tokentrim.server.proxy import _response_headers

    reply = httpx.Response(
        200,
        headers=[
            ("content-type", "application/json"),
            ("connection", "keep-alive, x-upstream-private"),
            ("x-upstream-private", "1"),
            ("keep-alive", "timeout=5"),
            ("proxy-authenticate", "Basic"),
            ("transfer-encoding", "chunked"),
            ("content-length", "12"),
            ("content-encoding", "gzip"),
            ("x-request-id", "kept"),
        ],
    )
    relayed = dict(_response_headers(reply, rewritten=False))
    assert relayed == {
        "content-type": "application/json",
        "content-length": "12",
        "content-encoding": "gzip",
        "x-request-id": "kept",
    }
    rewritten = dict(_response_headers(reply, rewritten=True))  # the body is not the upstream's
    assert rewritten == {"content-type": "application/json", "x-request-id": "kept"}
