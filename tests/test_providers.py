"""The provider layer: where each API keeps its reply texts, in JSON and in the SDKs' objects."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tokentrim.cost.usage import Usage
from tokentrim.providers import (
    anthropic,
    api_for_path,
    detect,
    detect_event,
    gemini,
    mistral_fim,
    openai_chat,
    openai_responses,
)
from tokentrim.providers.splice import UnsafeRewrite, splice

CHAT = {
    "object": "chat.completion",
    "model": "gpt-4o",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "a"}},
        {"index": 1, "message": {"role": "assistant", "content": [{"type": "text", "text": "b"}]}},
        {"index": 2, "message": {"role": "assistant", "content": None, "tool_calls": []}},
    ],
    "usage": {
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "prompt_tokens_details": {"cached_tokens": 4},
    },
}
RESPONSE = {
    "object": "response",
    "model": "gpt-5",
    "output": [
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "no"}]},
        {
            "type": "message",
            "content": [{"type": "output_text", "text": "x"}, {"type": "refusal", "refusal": "no"}],
        },
    ],
    "usage": {"input_tokens": 7, "output_tokens": 3},
}
MESSAGE = {
    "type": "message",
    "model": "claude-sonnet-4-5",
    "content": [
        {"type": "thinking", "thinking": "no"},
        {"type": "text", "text": "t"},
        {"type": "tool_use", "id": "1", "name": "f", "input": {"text": "no"}},
    ],
    "usage": {"input_tokens": 2, "output_tokens": 3, "cache_read_input_tokens": 5},
}
GEMINI = {
    "candidates": [
        {"content": {"parts": [{"text": "no", "thought": True}, {"text": "g"}]}, "index": 0},
        {"content": {"parts": [{"text": "h"}]}, "index": 1},
    ],
    "usageMetadata": {"promptTokenCount": 4, "candidatesTokenCount": 2, "thoughtsTokenCount": 1},
    "modelVersion": "gemini-2.0-flash",
}


def test_chat_reply_texts_and_usage() -> None:
    record = openai_chat.API.read(CHAT)
    assert record is not None
    assert [(s.path, s.text, s.group) for s in record.slots] == [
        (("choices", 0, "message", "content"), "a", 0),
        (("choices", 1, "message", "content", 0, "text"), "b", 1),
    ]
    assert record.usage == Usage(input_tokens=10, output_tokens=5, cache_read_tokens=4)


def test_responses_anthropic_gemini_reply_texts() -> None:
    responses = openai_responses.API.read(RESPONSE)
    message = anthropic.API.read(MESSAGE)
    candidates = gemini.API.read(GEMINI)
    assert responses and [s.text for s in responses.slots] == ["x"]
    assert message and [s.path for s in message.slots] == [("content", 1, "text")]
    assert message.usage == Usage(input_tokens=7, output_tokens=3, cache_read_tokens=5)
    assert candidates and [(s.text, s.group) for s in candidates.slots] == [("g", 0), ("h", 1)]
    assert candidates.usage == Usage(input_tokens=4, output_tokens=3)
    assert candidates.model == "gemini-2.0-flash"


SDK_CHAT = {
    "id": "c",
    "object": "chat.completion",
    "created": 0,
    "model": "gpt-4o",
    "choices": [
        {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "a"}},
        {
            "index": 1,
            "finish_reason": "tool_calls",
            "message": {"role": "assistant", "content": None},
        },
    ],
}
SDK_RESPONSE = {
    **RESPONSE,
    "id": "r",
    "created_at": 0,
    "tool_choice": "auto",
    "tools": [],
    "parallel_tool_calls": True,
}
SDK_RESPONSE["usage"] = {
    "input_tokens": 7,
    "output_tokens": 3,
    "total_tokens": 10,
    "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
    "output_tokens_details": {"reasoning_tokens": 0},
}
SDK_RESPONSE["output"] = [
    {"type": "reasoning", "id": "rs", "summary": [{"type": "summary_text", "text": "no"}]},
    {
        "type": "message",
        "id": "m",
        "role": "assistant",
        "status": "completed",
        "content": [
            {"type": "output_text", "text": "x", "annotations": []},
            {"type": "refusal", "refusal": "no"},
        ],
    },
]
SDK_MESSAGE = {
    **MESSAGE,
    "id": "m",
    "role": "assistant",
    "stop_reason": None,
    "stop_sequence": None,
}
SDK_MESSAGE["content"] = [
    {"type": "thinking", "thinking": "no", "signature": "s"},
    {"type": "text", "text": "t"},
    {"type": "tool_use", "id": "1", "name": "f", "input": {"text": "no"}},
]


@pytest.mark.parametrize("name", ["chat", "responses", "message", "gemini"])
def test_sdk_objects_are_read_like_their_json(name: str) -> None:
    payload: Any
    if name == "chat":
        payload = pytest.importorskip("openai.types.chat").ChatCompletion, SDK_CHAT
    elif name == "responses":
        payload = pytest.importorskip("openai.types.responses").Response, SDK_RESPONSE
    elif name == "message":
        payload = pytest.importorskip("anthropic.types").Message, SDK_MESSAGE
    else:
        payload = pytest.importorskip("google.genai.types").GenerateContentResponse, GEMINI
    cls, data = payload
    found = detect(cls.model_validate(data))
    assert found is not None
    api, record = found
    json_record = api.read(data)
    assert json_record is not None and record.slots
    assert [s.text for s in record.slots] == [s.text for s in json_record.slots]
    assert record.usage == json_record.usage


def test_api_for_path() -> None:
    assert api_for_path("/v1/chat/completions") is openai_chat.API
    assert api_for_path("/v1/completions") is openai_chat.API
    assert api_for_path("/v1/fim/completions") is mistral_fim.API
    assert api_for_path("/openai/v1/responses") is openai_responses.API
    assert api_for_path("/v1/messages") is anthropic.API
    assert api_for_path("/v1beta/models/gemini-2.0-flash:streamGenerateContent") is gemini.API
    assert api_for_path("/v1/embeddings") is None
    assert api_for_path("/v1/messages/batches") is None


def test_stream_events() -> None:
    chunk = {
        "object": "chat.completion.chunk",
        "choices": [{"index": 1, "delta": {"content": "p"}, "finish_reason": "stop"}],
    }
    assert detect_event(chunk) is openai_chat.API
    assert openai_chat.API.pieces(chunk) == [(1, ("choices", 0, "delta", "content"), "p")]
    assert openai_chat.API.ends(chunk) == [1]
    delta = {
        "type": "content_block_delta",
        "index": 2,
        "delta": {"type": "text_delta", "text": "q"},
    }
    thinking = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "thinking_delta", "thinking": "no"},
    }
    assert detect_event(delta) is anthropic.API
    assert anthropic.API.pieces(delta) == [(2, ("delta", "text"), "q")]
    assert anthropic.API.pieces(thinking) == []
    assert anthropic.API.ends({"type": "message_stop"}) is None
    done = {
        "type": "response.output_text.done",
        "output_index": 1,
        "content_index": 0,
        "text": "full",
    }
    assert detect_event(done) is openai_responses.API
    assert openai_responses.API.ends(done) == [(1, 0)]
    assert openai_responses.API.full_texts(done) == [((1, 0), ("text",), "full")]
    assert detect_event(GEMINI) is gemini.API
    assert [p.text for p in gemini.API.pieces(GEMINI)] == ["g", "h"]


def test_splice_keeps_every_other_byte_and_checks_itself() -> None:
    text = '{"b": 1.50, "choices": [{"message": {"content": "old"}}], "z": "\\u00e9"}'
    obj = json.loads(text)
    path = ("choices", 0, "message", "content")
    assert splice(text, obj, {path: "old"}, {path: "né"}) == text.replace('"old"', '"n\\u00e9"')
    with pytest.raises(UnsafeRewrite):
        splice(text, obj, {path: "old"}, {("choices", 0, "nope"): "x"})
