"""The real SDKs (openai, anthropic, google-genai, mistralai) through TrimTransport and wrap(),
against the stand-in provider on 127.0.0.1: every reply comes back as exactly trim(reply).text."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest

from tokentrim import AsyncTrimTransport, Settings, TrimResult, TrimTransport, trim, trimmed, wrap

sys.path.insert(0, str(Path(__file__).parent))
from standin import STREAMS, Spec, StandIn, corpus  # noqa: E402

anthropic = pytest.importorskip("anthropic")
openai = pytest.importorskip("openai")
genai = pytest.importorskip("google.genai")
genai_types = pytest.importorskip("google.genai.types")
mistral_client = pytest.importorskip("mistralai.client")

REPLY = "gemini-flash-steps"  # comments, rules, a demo block, an unlabeled output fence
PROSE_FIRST = "claude-nested-fences"


@pytest.fixture(scope="module")
def server() -> Iterator[StandIn]:
    with StandIn() as standin:
        yield standin


def want(name: str = REPLY, **overrides: Any) -> str:
    return trim(corpus(name), **overrides).text


def want_stream(name: str = REPLY) -> str:
    return trim(corpus(name), code="fenced").text  # a chat stream sees fenced code only


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# ---- clients ------------------------------------------------------------------------------------


def openai_client(server: StandIn, **kw: Any) -> Any:
    return openai.OpenAI(
        base_url=server.url + "/v1",
        api_key="k",
        max_retries=0,
        http_client=httpx2.Client(transport=TrimTransport(**kw)),
    )


def openai_async(server: StandIn, **kw: Any) -> Any:
    return openai.AsyncOpenAI(
        base_url=server.url + "/v1",
        api_key="k",
        max_retries=0,
        http_client=httpx2.AsyncClient(transport=AsyncTrimTransport(**kw)),
    )


def anthropic_client(server: StandIn, **kw: Any) -> Any:
    return anthropic.Anthropic(
        base_url=server.url,
        api_key="k",
        max_retries=0,
        http_client=httpx2.Client(transport=TrimTransport(**kw)),
    )


def anthropic_async(server: StandIn, **kw: Any) -> Any:
    return anthropic.AsyncAnthropic(
        base_url=server.url,
        api_key="k",
        max_retries=0,
        http_client=httpx2.AsyncClient(transport=AsyncTrimTransport(**kw)),
    )


def gemini_client(server: StandIn, **kw: Any) -> Any:
    options = genai_types.HttpOptions(
        base_url=server.url,
        client_args={"transport": TrimTransport(**kw)},
        async_client_args={"transport": AsyncTrimTransport(**kw)},
        retry_options=genai_types.HttpRetryOptions(attempts=1),
    )
    return genai.Client(api_key="k", http_options=options)


def user(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


# ---- OpenAI ---------------------------------------------------------------------------------------


def test_openai_chat_plain_with_headers_and_usage(server: StandIn) -> None:
    results: list[TrimResult] = []
    client = openai_client(server, on_result=results.append)
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o", messages=user(f"reply={REPLY}")
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == want()
    assert completion.usage.prompt_tokens == 11 and completion.usage.completion_tokens > 0
    assert int(raw.headers["x-tokentrim-tokens-after"]) < int(
        raw.headers["x-tokentrim-tokens-before"]
    )
    (result,) = results
    assert result.text == want() and result.cost is not None and not result.cost.compute_estimated


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_openai_chat_stream(server: StandIn, seed: int) -> None:
    results: list[TrimResult] = []
    client = openai_client(server, on_result=results.append)
    stream = client.chat.completions.create(
        model="gpt-4o",
        messages=user(f"reply={REPLY};seed={seed}"),
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == want_stream()
    assert chunks[-1].usage.prompt_tokens == 11  # the usage chunk, untouched
    assert results and results[0].cost is not None


def test_openai_chat_n_choices(server: StandIn) -> None:
    names = [REPLY, PROSE_FIRST]
    client = openai_client(server)
    completion = client.chat.completions.create(
        model="gpt-4o", messages=user(f"reply={','.join(names)}"), n=2
    )
    assert [c.message.content for c in completion.choices] == [want(n) for n in names]
    stream = client.chat.completions.create(
        model="gpt-4o", messages=user(f"reply={','.join(names)};seed=3"), n=2, stream=True
    )
    texts = ["", ""]
    for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts == [want_stream(n) for n in names]


def test_openai_chat_async(server: StandIn) -> None:
    client = openai_async(server)

    async def go() -> tuple[str, str]:
        completion = await client.chat.completions.create(
            model="gpt-4o", messages=user(f"reply={REPLY}")
        )
        stream = await client.chat.completions.create(
            model="gpt-4o", messages=user(f"reply={REPLY};seed=4"), stream=True
        )
        text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        return completion.choices[0].message.content, text

    assert run(go()) == (want(), want_stream())


def test_openai_legacy_completions(server: StandIn) -> None:
    client = openai_client(server)
    completion = client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=f"reply={PROSE_FIRST}"
    )
    assert completion.choices[0].text == want(PROSE_FIRST)
    stream = client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=f"reply={PROSE_FIRST};seed=2", stream=True
    )
    assert "".join(c.choices[0].text for c in stream) == want_stream(PROSE_FIRST)


def test_openai_responses_plain_and_stream(server: StandIn) -> None:
    client = openai_client(server)
    response = client.responses.create(model="gpt-5", input=f"reply={REPLY}")
    assert response.output_text == want()
    assert response.usage.input_tokens == 11
    with client.responses.stream(model="gpt-5", input=f"reply={REPLY};seed=5") as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == want_stream() == final.output_text


def test_openai_responses_async(server: StandIn) -> None:
    client = openai_async(server)

    async def go() -> tuple[str, str]:
        response = await client.responses.create(model="gpt-5", input=f"reply={REPLY}")
        stream = await client.responses.create(
            model="gpt-5", input=f"reply={REPLY};seed=6", stream=True
        )
        text = "".join([e.delta async for e in stream if e.type == "response.output_text.delta"])
        return response.output_text, text

    assert run(go()) == (want(), want_stream())


def test_tool_calls_and_json_mode_pass_through(server: StandIn) -> None:
    plain = openai.OpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)
    client = openai_client(server)
    for kwargs in (
        {"messages": user(f"reply={REPLY};fault=tools")},
        {"messages": user(f"reply={REPLY}"), "response_format": {"type": "json_object"}},
    ):
        raw = client.chat.completions.with_raw_response.create(model="gpt-4o", **kwargs)
        direct = plain.chat.completions.with_raw_response.create(model="gpt-4o", **kwargs)
        assert raw.http_response.content == direct.http_response.content
    stream = client.chat.completions.create(
        model="gpt-4o", messages=user(f"reply={REPLY};fault=tools;seed=1"), stream=True
    )
    arguments = "".join(
        c.choices[0].delta.tool_calls[0].function.arguments
        for c in stream
        if c.choices and c.choices[0].delta.tool_calls
    )
    assert corpus(REPLY) in json.loads(arguments)["code"]


def test_logprobs_and_opt_out_are_not_rewritten(
    server: StandIn, caplog: pytest.LogCaptureFixture
) -> None:
    client = openai_client(server)
    completion = client.chat.completions.create(
        model="gpt-4o", messages=user(f"reply={REPLY}"), logprobs=True
    )
    assert completion.choices[0].message.content == corpus(REPLY)
    assert "logprobs" in caplog.text
    completion = client.chat.completions.create(
        model="gpt-4o", messages=user(f"reply={REPLY}"), extra_headers={"x-tokentrim": "off"}
    )
    assert completion.choices[0].message.content == corpus(REPLY)
    assert "x-tokentrim" not in {k.lower() for k in server.requests[-1]["headers"]}


@pytest.mark.parametrize("status", [429, 500])
def test_errors_are_the_sdks_own(server: StandIn, status: int) -> None:
    with pytest.raises(openai.APIStatusError, match=f"stand-in says {status}") as caught:
        openai_client(server).chat.completions.create(
            model="gpt-4o", messages=user(f"fault={status}")
        )
    assert caught.value.status_code == status
    with pytest.raises(anthropic.APIStatusError, match=f"stand-in says {status}"):
        anthropic_client(server).messages.create(
            model="claude-sonnet-4-5", max_tokens=5, messages=user(f"fault={status}")
        )


def test_gzip_body_is_decoded_and_content_length_corrected(server: StandIn) -> None:
    client = openai_client(server)
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-4o", messages=user(f"reply={REPLY};fault=gzip")
    )
    assert raw.parse().choices[0].message.content == want()
    assert "content-encoding" not in raw.headers
    assert int(raw.headers["content-length"]) == len(raw.http_response.content)


def test_truncated_stream_flushes_what_was_received(server: StandIn) -> None:
    client = openai_client(server)
    stream = client.chat.completions.create(
        model="gpt-4o", messages=user(f"reply={REPLY};fault=truncate;seed=1"), stream=True
    )
    received = []
    with pytest.raises((httpx2.HTTPError, openai.APIError)):
        for chunk in stream:
            received.append(chunk.choices[0].delta.content or "" if chunk.choices else "")
    text = "".join(received)
    # Whatever the SDK parsed before the break, nothing held back is lost: it is a prefix of the
    # original reply (prose and closed blocks trimmed, the open block as received).
    assert text and len(text) < len(corpus(REPLY))
    assert corpus(REPLY).startswith(text[:200])


def test_clean_early_end_of_stream_releases_held_text(server: StandIn) -> None:
    # The stream stops between events with no finish_reason and no [DONE]: what the stand-in sent
    # is trimmed as a whole reply would be (an open block is cleaned as trim() cleans it).
    prompt = f"reply={PROSE_FIRST};fault=eof;seed=2"
    client = openai_client(server)
    stream = client.chat.completions.create(model="gpt-4o", messages=user(prompt), stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    events = STREAMS["chat"](Spec(prompt), "gpt-4o", {})
    raw = b"".join(f"data: {data}\n\n".encode() for _, data in events)
    cut = raw.rfind(b"\n\n", 0, len(raw) // 2) + 2
    sent = "".join(
        (json.loads(event[6:])["choices"] or [{"delta": {}}])[0]["delta"].get("content") or ""
        for event in raw[:cut].decode().split("\n\n")
        if event.startswith("data: {")
    )
    assert sent and text == trim(sent, code="fenced").text


def test_slow_stream_starts_with_prose_at_once(server: StandIn) -> None:
    client = openai_client(server)
    stream = client.chat.completions.create(
        model="gpt-4o", messages=user(f"reply={PROSE_FIRST};fault=slow;seed=1"), stream=True
    )
    first = next(
        c.choices[0].delta.content for c in stream if c.choices and c.choices[0].delta.content
    )
    assert corpus(PROSE_FIRST).startswith(first)
    stream.close()


# ---- Anthropic --------------------------------------------------------------------------------------


def test_anthropic_plain_and_stream(server: StandIn) -> None:
    client = anthropic_client(server)
    message = client.messages.create(
        model="claude-sonnet-4-5", max_tokens=5, messages=user(f"reply={REPLY}")
    )
    assert message.content[1].text == want()
    assert message.content[0].thinking == "```python\nx = 1  # keep me\n```"  # untouched
    assert message.usage.input_tokens == 11
    with client.messages.stream(
        model="claude-sonnet-4-5", max_tokens=5, messages=user(f"reply={REPLY};seed=3")
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == want_stream() == final.content[1].text
    assert final.usage.output_tokens > 1


def test_anthropic_tool_use_passes_through(server: StandIn) -> None:
    message = anthropic_client(server).messages.create(
        model="claude-sonnet-4-5", max_tokens=5, messages=user(f"reply={REPLY};fault=tools")
    )
    assert message.content[0].input["code"] == corpus(REPLY)


def test_anthropic_async(server: StandIn) -> None:
    client = anthropic_async(server)

    async def go() -> tuple[str, str]:
        message = await client.messages.create(
            model="claude-sonnet-4-5", max_tokens=5, messages=user(f"reply={REPLY}")
        )
        async with client.messages.stream(
            model="claude-sonnet-4-5", max_tokens=5, messages=user(f"reply={REPLY};seed=4")
        ) as stream:
            text = "".join([t async for t in stream.text_stream])
        return message.content[1].text, text

    assert run(go()) == (want(), want_stream())


# ---- Gemini -------------------------------------------------------------------------------------------


def test_gemini_plain_stream_sync_async(server: StandIn) -> None:
    client = gemini_client(server)
    response = client.models.generate_content(model="gemini-2.0-flash", contents=f"reply={REPLY}")
    assert response.candidates[0].content.parts[1].text == want()
    assert response.candidates[0].content.parts[0].thought  # the thought part, untouched
    assert response.usage_metadata.prompt_token_count == 11
    chunks = client.models.generate_content_stream(
        model="gemini-2.0-flash", contents=f"reply={REPLY};seed=2"
    )
    assert "".join(c.text or "" for c in chunks) == want_stream()

    async def go() -> tuple[str, str]:
        response = await client.aio.models.generate_content(
            model="gemini-2.0-flash", contents=f"reply={PROSE_FIRST}"
        )
        stream = await client.aio.models.generate_content_stream(
            model="gemini-2.0-flash", contents=f"reply={PROSE_FIRST};seed=5"
        )
        return response.candidates[0].content.parts[1].text, "".join(
            [c.text or "" async for c in stream]
        )

    assert run(go()) == (want(PROSE_FIRST), want_stream(PROSE_FIRST))


def test_gemini_json_mode_passes_through(server: StandIn) -> None:
    client = gemini_client(server)
    config = genai_types.GenerateContentConfig(response_mime_type="application/json")
    response = client.models.generate_content(
        model="gemini-2.0-flash", contents=f"reply={REPLY}", config=config
    )
    assert response.candidates[0].content.parts[1].text == corpus(REPLY)


# ---- Mistral --------------------------------------------------------------------------------------------


def test_mistral_chat_and_fim(server: StandIn) -> None:
    client = mistral_client.Mistral(
        api_key="k", server_url=server.url, client=httpx2.Client(transport=TrimTransport())
    )
    chat = client.chat.complete(model="mistral-large-latest", messages=user(f"reply={REPLY}"))
    assert chat.choices[0].message.content == want()
    fim_want = trim(corpus("codestral-fim-function"), code="whole").text
    assert fim_want != corpus("codestral-fim-function")
    fim = client.fim.complete(model="codestral-latest", prompt="reply=codestral-fim-function")
    assert fim.choices[0].message.content == fim_want
    stream = client.fim.stream(
        model="codestral-latest", prompt="reply=codestral-fim-function;seed=3"
    )
    assert (
        "".join(e.data.choices[0].delta.content or "" for e in stream if e.data.choices) == fim_want
    )
    # A fragment that does not parse on its own is left as it is.
    fragment = client.fim.complete(model="codestral-latest", prompt="reply=codestral-fim-fragment")
    assert (
        fragment.choices[0].message.content
        == trim(corpus("codestral-fim-fragment"), code="whole").text
    )


# ---- httpx (not httpx2) -------------------------------------------------------------------------------


def test_the_transport_is_an_httpx_transport_too(server: StandIn) -> None:
    with httpx.Client(transport=TrimTransport(), base_url=server.url) as client:
        response = client.post(
            "/v1/chat/completions", json={"model": "m", "messages": user(f"reply={REPLY}")}
        )
        assert response.json()["choices"][0]["message"]["content"] == want()
        assert "x-tokentrim-tokens-after" in response.headers
        with client.stream(
            "POST",
            "/v1/chat/completions",
            json={"model": "m", "stream": True, "messages": user(f"reply={REPLY};seed=1")},
        ) as streamed:
            body = streamed.read()
        other = client.post("/v1/embeddings", json={})
        assert other.status_code == 404 and "x-tokentrim-tokens-after" not in other.headers
    text = "".join(
        json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
        for line in body.decode().splitlines()
        if line.startswith("data: {") and json.loads(line[6:])["choices"]
    )
    assert text == want_stream()


# ---- wrap() ---------------------------------------------------------------------------------------------


def test_wrap_openai_anthropic_gemini_plain_and_stream(server: StandIn) -> None:
    results: list[TrimResult] = []
    oa = openai.OpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)
    create = wrap(oa.chat.completions.create, on_result=results.append)
    assert (
        create(model="gpt-4o", messages=user(f"reply={REPLY}")).choices[0].message.content == want()
    )
    stream = create(model="gpt-4o", messages=user(f"reply={REPLY};seed=1"), stream=True)
    assert isinstance(stream, openai.Stream)  # the SDK's own stream type
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == want_stream()
    assert len(results) == 2 and results[0].cost is not None

    responses = wrap(oa.responses.create)
    assert responses(model="gpt-5", input=f"reply={REPLY}").output_text == want()

    an = anthropic.Anthropic(base_url=server.url, api_key="k", max_retries=0)
    message = wrap(an.messages.create)(
        model="claude-sonnet-4-5", max_tokens=5, messages=user(f"reply={REPLY}")
    )
    assert message.content[1].text == want() and message.content[0].type == "thinking"
    events = wrap(an.messages.create)(
        model="claude-sonnet-4-5", max_tokens=5, messages=user(f"reply={REPLY};seed=2"), stream=True
    )
    assert isinstance(events, anthropic.Stream)
    text = "".join(
        e.delta.text
        for e in events
        if e.type == "content_block_delta" and e.delta.type == "text_delta"
    )
    assert text == want_stream()

    gm = genai.Client(api_key="k", http_options=genai_types.HttpOptions(base_url=server.url))
    response = wrap(gm.models.generate_content)(model="gemini-2.0-flash", contents=f"reply={REPLY}")
    assert response.candidates[0].content.parts[1].text == want()
    chunks = wrap(gm.models.generate_content_stream)(
        model="gemini-2.0-flash", contents=f"reply={REPLY};seed=3"
    )
    assert "".join(c.text or "" for c in chunks) == want_stream()


def test_wrap_async_and_decorator(server: StandIn) -> None:
    oa = openai.AsyncOpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)
    an = anthropic.AsyncAnthropic(base_url=server.url, api_key="k", max_retries=0)

    @trimmed(level="safe")
    async def ask(prompt: str) -> Any:
        return await oa.chat.completions.create(model="gpt-4o", messages=user(prompt))

    async def go() -> tuple[str, str, str]:
        completion = await ask(f"reply={REPLY}")
        stream = await wrap(an.messages.create)(
            model="claude-sonnet-4-5",
            max_tokens=5,
            messages=user(f"reply={REPLY};seed=7"),
            stream=True,
        )
        text = "".join(
            [
                e.delta.text
                async for e in stream
                if e.type == "content_block_delta" and e.delta.type == "text_delta"
            ]
        )
        chunks = await wrap(oa.chat.completions.create)(
            model="gpt-4o", messages=user(f"reply={PROSE_FIRST};seed=8"), stream=True
        )
        text2 = "".join([c.choices[0].delta.content or "" async for c in chunks if c.choices])
        return completion.choices[0].message.content, text, text2

    assert run(go()) == (want(level="safe"), want_stream(), want_stream(PROSE_FIRST))


def test_wrap_strings_dicts_and_generators() -> None:
    reply = corpus(REPLY)
    assert trimmed(lambda: reply)() == want()
    payload = {
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}],
    }
    out = wrap(lambda: payload)()
    assert out["choices"][0]["message"]["content"] == want()
    assert payload["choices"][0]["message"]["content"] == reply  # the caller's dict is not mutated

    def pieces() -> Iterator[str]:
        for i in range(0, len(reply), 7):
            yield reply[i : i + 7]

    assert "".join(wrap(pieces)()) == want_stream()
    settings = Settings(level="aggressive")
    assert "".join(wrap(pieces, settings=settings)()) == want(level="aggressive")


def test_a_failure_inside_tokentrim_returns_the_original(
    monkeypatch: pytest.MonkeyPatch, server: StandIn
) -> None:
    from tokentrim.middleware import cache, core

    monkeypatch.setattr(core, "trim", lambda *a, **k: 1 / 0)
    cache.clear()  # a reply trimmed before is served from the cache, without calling trim()
    client = openai_client(server)
    completion = client.chat.completions.create(model="gpt-4o", messages=user(f"reply={REPLY}"))
    assert completion.choices[0].message.content == corpus(REPLY)
    assert (
        wrap(lambda: {"object": "chat.completion", "choices": [{"message": {"content": "x"}}]})()[
            "choices"
        ][0]["message"]["content"]
        == "x"
    )


def test_wrap_mistral_streams_and_unrecognised_values(server: StandIn) -> None:
    client = mistral_client.Mistral(api_key="k", server_url=server.url)
    stream = wrap(client.chat.stream)(
        model="mistral-large-latest", messages=user(f"reply={REPLY};seed=4")
    )
    assert (
        "".join(e.data.choices[0].delta.content or "" for e in stream if e.data.choices)
        == want_stream()
    )
    fim = wrap(client.fim.complete, code="whole")(
        model="codestral-latest", prompt="reply=codestral-fim-function"
    )
    assert (
        fim.choices[0].message.content == trim(corpus("codestral-fim-function"), code="whole").text
    )
    usage = openai.types.CompletionUsage(prompt_tokens=1, completion_tokens=2, total_tokens=3)
    assert wrap(lambda: usage)() is usage  # a pydantic model is iterable, not a stream
    assert wrap(lambda: [1, 2])() == [1, 2]


def test_wrap_responses_stream_events(server: StandIn) -> None:
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="k", max_retries=0)
    events = list(
        wrap(client.responses.create)(model="gpt-5", input=f"reply={REPLY};seed=9", stream=True)
    )
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert text == want_stream()
    completed = [e for e in events if e.type == "response.completed"][0]
    assert completed.response.output_text == want_stream()


def test_async_truncated_stream_raises_the_sdks_error_after_the_held_text(server: StandIn) -> None:
    client = openai_async(server)

    async def go() -> str:
        stream = await client.chat.completions.create(
            model="gpt-4o", messages=user(f"reply={REPLY};fault=truncate;seed=2"), stream=True
        )
        received = []
        with pytest.raises((httpx2.HTTPError, openai.APIError)):
            async for chunk in stream:
                received.append(chunk.choices[0].delta.content or "" if chunk.choices else "")
        return "".join(received)

    text = run(go())
    assert text and corpus(REPLY).startswith(text[:200])
