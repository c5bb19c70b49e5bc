"""The I/O-free middleware core: streamed text equals trim() of the whole, for any chunking.

Properties (fixed seeds; TOKENTRIM_FUZZ=1 for many more examples): for every level and text-rule
setting, the concatenation of what :class:`TextStream` releases equals ``trim(whole).text``, and
an SSE stream of any API cut at arbitrary byte positions gives the same texts with every other
event byte-identical and in order.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tokentrim import Settings, trim
from tokentrim.middleware.core import (
    StreamRewriter,
    TextStream,
    request_skip_reason,
    rewrite_body,
    stream_mode,
)
from tokentrim.middleware.sse import SSEParser, SSERewriter
from tokentrim.providers import anthropic, gemini, openai_chat, openai_responses

sys.path.insert(0, str(Path(__file__).parent))
from conftest import examples  # noqa: E402
from standin import STREAMS, Spec, corpus  # noqa: E402

CORPORA = sorted(
    p.stem for p in (Path(__file__).parent.parent / "corpora").glob("*.md") if p.stem != "README"
)
SETTINGS = [
    Settings(level="safe"),
    Settings(level="standard"),
    Settings(level="standard", prose="drop"),
    Settings(level="aggressive"),
    Settings(level="aggressive", think="keep", disable=frozenset({"filler-prose"})),
    Settings(level="standard", think="strip"),
    Settings(level="standard", code="whole"),
]
PIECES = [
    "```python\n",
    "```\n",
    "~~~py\n",
    "```",
    "x = 1  # set x\n",
    "def f(a):\n    return a  # give\n",
    "    # indented\n",
    "> ```python\n> y = 2  # q\n> ```\n",
    "1. ```python\n   z = [1]  # w\n   ```\n",
    "Sure! Here's the code:\n\n",
    "<think>\nhmm ```\n</think>\n",
    "</think>\n",
    "I hope this helps!\n",
    "prose é 中文 🙂\n",
    "\r\n",
    "\n",
    " ",
    "`",
    "```js\nlet a = 1 // c\n```\n",
]


def expected(text: str, config: Settings) -> str:
    """What a stream must add up to (``code="auto"`` streams see fenced code only)."""
    if stream_mode(config) != "whole" and config.code == "auto":
        config = config.replace(code="fenced")
    return trim(text, settings=config).text


def stream_text(text: str, cuts: list[int], config: Settings) -> str:
    stream = TextStream(config)
    out, start = [], 0
    for cut in sorted(set(cuts)):
        out.append(stream.feed(text[start:cut]))
        start = cut
    out.append(stream.feed(text[start:]))
    out.append(stream.close())
    return "".join(out)


def cuts_for(text: str) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, len(text)), max_size=40)


@settings(max_examples=examples(120))
@given(
    st.lists(st.sampled_from(PIECES), max_size=12)
    .map("".join)
    .flatmap(lambda text: st.tuples(st.just(text), cuts_for(text), st.sampled_from(SETTINGS)))
)
def test_streamed_text_equals_trim_of_the_whole(case: tuple[str, list[int], Settings]) -> None:
    text, cuts, config = case
    assert stream_text(text, cuts, config) == expected(text, config)


@settings(max_examples=examples(25))
@given(
    st.sampled_from(CORPORA)
    .map(corpus)
    .flatmap(lambda text: st.tuples(st.just(text), cuts_for(text), st.sampled_from(SETTINGS)))
)
def test_streamed_corpus_reply_equals_trim_of_the_whole(
    case: tuple[str, list[int], Settings],
) -> None:
    text, cuts, config = case
    assert stream_text(text, cuts, config) == expected(text, config)


def test_prose_is_released_at_once_and_a_block_when_it_closes() -> None:
    stream = TextStream(Settings())
    assert stream.feed("Here") == "Here"
    assert stream.feed(" is it:\n\n```py") == " is it:\n\n"
    assert stream.feed("thon\nx = 1  # c\n") == ""
    assert stream.feed("```\nDone") == "```python\nx = 1\n```\nDone"
    assert stream.close() == ""


def test_an_aborted_stream_flushes_the_held_block_as_received() -> None:
    stream = TextStream(Settings())
    assert stream.feed("Hi\n```python\nx = 1  # c\n") == "Hi\n"
    assert stream.abort() == "```python\nx = 1  # c\n"


def test_whole_mode_holds_everything_for_text_rules() -> None:
    stream = TextStream(Settings(level="aggressive"))
    assert stream.feed("Sure! Here's the code:\n\n```python\nx = 1  # c\n```\n") == ""
    assert stream.close() == "```python\nx = 1\n```\n"


# ---- SSE streams --------------------------------------------------------------------------------

APIS = {
    "chat": openai_chat.API,
    "responses": openai_responses.API,
    "anthropic": anthropic.API,
    "gemini": gemini.API,
}


def sse_bytes(kind: str, prompt: str, body: dict[str, Any] | None = None) -> bytes:
    events = STREAMS[kind](Spec(prompt), "m", body or {})
    return b"".join(
        (f"event: {name}\n" if name else "").encode() + f"data: {data}\n\n".encode()
        for name, data in events
    )


def events_of(stream: bytes) -> list[tuple[str | None, Any]]:
    parser = SSEParser()
    out = []
    for event in parser.feed(stream):
        name = next(
            (ln[6:].strip().decode() for ln in event.lines if ln.startswith(b"event:")), None
        )
        data = event.data
        out.append((name, json.loads(data) if data and data.startswith("{") else data))
    assert parser.close() == b""
    return out


def texts_of(kind: str, events: list[tuple[str | None, Any]]) -> str:
    api = APIS[kind]
    parts: dict[Any, list[str]] = {}
    for _, data in events:
        if isinstance(data, dict):
            for piece in api.pieces(data):
                parts.setdefault(piece.channel, []).append(piece.text)
    return "\n\n".join("".join(texts) for texts in parts.values())


def rewrite_chunked(kind: str, stream: bytes, cuts: list[int], config: Settings) -> bytes:
    rewriter = SSERewriter(APIS[kind], config)
    out, start = [], 0
    for cut in sorted(set(cuts)):
        out.append(rewriter.feed(stream[start:cut]))
        start = cut
    out.append(rewriter.feed(stream[start:]))
    out.append(rewriter.close())
    assert not rewriter.failed
    return b"".join(out)


@settings(max_examples=examples(25))
@given(
    st.tuples(
        st.sampled_from(sorted(APIS)),
        st.sampled_from(["claude-nested-fences", "qwen-chinese-comments", "gpt4o-crlf-windows"]),
        st.integers(0, 5),
        st.sampled_from(SETTINGS[:3]),
    ).flatmap(
        lambda c: st.tuples(
            st.just(c), st.lists(st.integers(0, len(sse_bytes(c[0], f"reply={c[1]};seed={c[2]}"))))
        )
    )
)
def test_sse_stream_of_any_api_cut_anywhere(case: Any) -> None:
    (kind, name, seed, config), cuts = case
    stream = sse_bytes(kind, f"reply={name};seed={seed}")
    out = events_of(rewrite_chunked(kind, stream, cuts, config))
    original = events_of(stream)
    assert texts_of(kind, out) == expected(corpus(name), config)
    # Every event that carries no reply text passes through, in order.
    api = APIS[kind]
    others = [e for e in original if not (isinstance(e[1], dict) and api.pieces(e[1]))]
    kept = [e for e in out if not (isinstance(e[1], dict) and api.pieces(e[1]))]
    if kind == "responses":  # the *.done events repeat the whole text: rewritten to the new one
        others = [
            e for e in others if not e[0] or not e[0].endswith("done") and "completed" not in e[0]
        ]
        kept = [
            e for e in kept if not e[0] or not e[0].endswith("done") and "completed" not in e[0]
        ]
    assert kept == others


def test_responses_done_events_carry_the_trimmed_text() -> None:
    name = "claude-nested-fences"
    out = events_of(
        rewrite_chunked("responses", sse_bytes("responses", f"reply={name}"), [], Settings())
    )
    want = trim(corpus(name), code="fenced").text
    done = {n: d for n, d in out if n}
    assert done["response.output_text.done"]["text"] == want
    assert done["response.content_part.done"]["part"]["text"] == want
    assert done["response.output_item.done"]["item"]["content"][0]["text"] == want
    assert done["response.completed"]["response"]["output"][1]["content"][0]["text"] == want


def test_chat_stream_with_n_choices_and_usage() -> None:
    names = ["claude-nested-fences", "deepseek-lru-cache"]
    stream = sse_bytes(
        "chat", f"reply={','.join(names)};seed=7", {"stream_options": {"include_usage": True}}
    )
    rewriter = SSERewriter(openai_chat.API, Settings())
    out = events_of(rewriter.feed(stream) + rewriter.close())
    parts: dict[int, str] = {}
    for _, data in out:
        if isinstance(data, dict):
            for choice in data["choices"]:
                parts[choice["index"]] = parts.get(choice["index"], "") + (
                    choice["delta"].get("content") or ""
                )
    assert [parts[0], parts[1]] == [trim(corpus(n), code="fenced").text for n in names]
    assert out[-1] == (None, "[DONE]")
    assert out[-2][1]["usage"]["prompt_tokens"] == 11
    result = rewriter.rewriter.result()
    assert result.tokens_before > result.tokens_after


def test_tool_call_stream_passes_through_byte_identical() -> None:
    stream = sse_bytes("chat", "reply=claude-nested-fences;fault=tools;seed=1")
    rewriter = SSERewriter(openai_chat.API, Settings())
    assert rewriter.feed(stream) + rewriter.close() == stream


def test_a_broken_stream_flushes_what_was_held_as_received() -> None:
    stream = sse_bytes("anthropic", "text=Hi\\n```python\\nx = 1  # c\\n```\\n;seed=1")
    # Cut inside the event that carries the closing fence: what came before it is flushed.
    cut = stream.rfind(b"event:", 0, stream.rindex(b"```")) + 10
    rewriter = SSERewriter(anthropic.API, Settings())
    out = rewriter.feed(stream[:cut]) + rewriter.abort()
    received = texts_of("anthropic", events_of(stream[: stream.rfind(b"event:", 0, cut)]))
    assert received.startswith("Hi\n```python\n")
    assert texts_of("anthropic", events_of(out)) == received


def test_a_failure_inside_tokentrim_passes_the_rest_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    errors: list[Exception] = []
    stream = sse_bytes("chat", "reply=claude-nested-fences;seed=2")
    rewriter = SSERewriter(openai_chat.API, Settings(), on_error=errors.append)
    half = len(stream) // 2
    first = rewriter.feed(stream[:half])
    monkeypatch.setattr(StreamRewriter, "feed", lambda *a: 1 / 0)
    rest = rewriter.feed(stream[half:]) + rewriter.close()
    assert errors and rewriter.failed
    # Nothing lost: what was held comes out as received, then the original bytes.
    text = texts_of("chat", events_of(first + rest))
    assert text.replace(" ", "")  # the reply is there
    original = corpus("claude-nested-fences")
    assert text.endswith(original[len(original) // 2 + 200 :])


def test_random_byte_chunking_inside_multibyte_characters() -> None:
    stream = sse_bytes("gemini", "reply=qwen-chinese-comments;seed=3")
    rng = random.Random(5)
    cuts = sorted(rng.sample(range(len(stream)), 200))
    out = events_of(rewrite_chunked("gemini", stream, cuts, Settings()))
    assert texts_of("gemini", out) == trim(corpus("qwen-chinese-comments"), code="fenced").text


# ---- whole payloads -----------------------------------------------------------------------------


def test_body_rewrite_is_byte_preserving_outside_the_reply() -> None:
    reply = corpus("gemini-flash-steps")
    body = json.dumps(
        {
            "id": "x",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": reply}}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 5},
        },
        indent=3,
    ).encode()
    new, done = rewrite_body(openai_chat.API, body, Settings(), want_result=True)
    assert new is not None and done is not None and done.result is not None
    want = trim(reply).text
    assert json.loads(new)["choices"][0]["message"]["content"] == want
    assert new.replace(json.dumps(want).encode(), b"R") == body.replace(
        json.dumps(reply).encode(), b"R"
    )
    assert done.result.cost is None  # the body names no model: nothing to price


@pytest.mark.parametrize(
    ("request_body", "skipped"),
    [
        ({"logprobs": True}, True),
        ({"response_format": {"type": "json_object"}}, True),
        ({"response_format": {"type": "json_schema", "json_schema": {}}}, True),
        ({"response_format": {"type": "text"}}, False),
        ({"text": {"format": {"type": "json_schema"}}}, True),
        ({"generationConfig": {"responseMimeType": "application/json"}}, True),
        ({"include": ["message.output_text.logprobs"]}, True),
        ({"messages": [], "stream": True}, False),
    ],
)
def test_requests_that_must_not_be_rewritten(request_body: dict[str, Any], skipped: bool) -> None:
    assert (request_skip_reason(openai_chat.API, request_body) is not None) is skipped


# ---- FIM fragments ------------------------------------------------------------------------------

FIM = Settings(code="whole")


def test_fim_fragment_inside_a_function_keeps_its_indentation() -> None:
    from tokentrim.middleware.core import trim_reply
    from tokentrim.providers import mistral_fim

    fragment = (
        "    total = 0  # running sum\n    for x in xs:\n        total += x\n    return total"
    )
    result = trim_reply(mistral_fim.API, fragment, FIM)
    assert result.text == "    total = 0\n    for x in xs:\n        total += x\n    return total"
    assert result.tokens_after < result.tokens_before
    # Streamed, the same; a fragment that does not parse even so is left as it is.
    stream = TextStream(FIM, mistral_fim.API)
    assert (
        "".join([stream.feed(fragment[:9]), stream.feed(fragment[9:]), stream.close()])
        == result.text
    )
    broken = "    return (a +  # c\n"
    assert trim_reply(mistral_fim.API, broken, FIM).text == broken
    assert trim_reply(mistral_fim.API, corpus("codestral-fim-fragment"), FIM).text == corpus(
        "codestral-fim-fragment"
    )


@pytest.mark.parametrize("eol", [b"\r\n", b"\r"])
def test_sse_with_crlf_or_cr_line_endings(eol: bytes) -> None:
    stream = sse_bytes("anthropic", "reply=claude-nested-fences;seed=4").replace(b"\n", eol)
    rng = random.Random(2)
    cuts = sorted(rng.sample(range(len(stream)), 300))
    out = rewrite_chunked("anthropic", stream, cuts, Settings())
    if eol == b"\r":  # rewritten events keep the stream's own line endings
        assert b"\n" not in out.replace(b"\\n", b"")
    events = events_of(out.replace(eol, b"\n"))
    assert texts_of("anthropic", events) == trim(corpus("claude-nested-fences"), code="fenced").text
