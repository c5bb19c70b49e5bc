"""LiteLLM: wrap() on litellm.completion / acompletion, and the proxy hooks of TokentrimCallback,
driven with LiteLLM's own response types (from real calls to the stand-in provider).

The LiteLLM proxy itself is not started: it needs ``litellm[proxy]`` (fastapi, uvicorn, ...) and
takes longer to boot than these tests may. The hooks are the proxy's interface to callbacks.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network at import
litellm = pytest.importorskip("litellm")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # LiteLLM's own pydantic warnings

from tokentrim import TrimResult, trim, wrap  # noqa: E402
from tokentrim.integrations.litellm import TokentrimCallback  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from standin import StandIn, corpus  # noqa: E402

REPLY = "gemini-flash-steps"


@pytest.fixture(scope="module")
def server() -> Iterator[StandIn]:
    with StandIn() as standin:
        yield standin


def call(server: StandIn, prompt: str, **kw: Any) -> dict[str, Any]:
    return {
        "model": "openai/gpt-4o",
        "api_base": server.url + "/v1",
        "api_key": "k",
        "messages": [{"role": "user", "content": prompt}],
        **kw,
    }


def test_wrap_completion_plain_and_stream(server: StandIn) -> None:
    results: list[TrimResult] = []
    completion = wrap(litellm.completion, on_result=results.append)
    response = completion(**call(server, f"reply={REPLY}"))
    assert isinstance(response, litellm.ModelResponse)
    assert response.choices[0].message.content == trim(corpus(REPLY)).text
    assert response.usage.prompt_tokens == 11
    stream = completion(**call(server, f"reply={REPLY};seed=2", stream=True))
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    assert text == trim(corpus(REPLY), code="fenced").text
    assert len(results) == 2 and results[0].cost is not None


def test_wrap_acompletion_plain_and_stream(server: StandIn) -> None:
    acompletion = wrap(litellm.acompletion)

    async def go() -> tuple[str, str]:
        response = await acompletion(**call(server, f"reply={REPLY}"))
        stream = await acompletion(**call(server, f"reply={REPLY};seed=3", stream=True))
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
        return response.choices[0].message.content, text

    assert asyncio.run(go()) == (trim(corpus(REPLY)).text, trim(corpus(REPLY), code="fenced").text)


def test_proxy_hooks_trim_litellm_responses(server: StandIn) -> None:
    results: list[TrimResult] = []
    callback = TokentrimCallback(on_result=results.append)
    request = call(server, f"reply={REPLY}")

    async def go() -> tuple[Any, str]:
        response = await litellm.acompletion(**request)
        trimmed = await callback.async_post_call_success_hook(request, None, response)
        stream = await litellm.acompletion(**call(server, f"reply={REPLY};seed=4", stream=True))
        chunks: AsyncIterator[Any] = callback.async_post_call_streaming_iterator_hook(
            None, stream, request
        )
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in chunks])
        return trimmed, text

    trimmed, text = asyncio.run(go())
    assert isinstance(trimmed, litellm.ModelResponse)
    assert trimmed.choices[0].message.content == trim(corpus(REPLY)).text
    assert text == trim(corpus(REPLY), code="fenced").text
    assert len(results) == 2


@pytest.mark.parametrize(
    "extra",
    [
        {"proxy_server_request": {"headers": {"X-Tokentrim": "off"}}},
        {"response_format": {"type": "json_object"}},
        {"logprobs": True},
    ],
)
def test_proxy_hooks_leave_opted_out_requests_alone(server: StandIn, extra: dict[str, Any]) -> None:
    callback = TokentrimCallback()
    request = {**call(server, f"reply={REPLY}"), **extra}

    async def go() -> str:
        response = await litellm.acompletion(**call(server, f"reply={REPLY}"))
        out = await callback.async_post_call_success_hook(request, None, response)
        return str(out.choices[0].message.content)

    assert asyncio.run(go()) == corpus(REPLY)
