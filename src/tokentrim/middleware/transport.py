"""httpx transports that trim every model reply passing through them: ``TrimTransport``,
``AsyncTrimTransport``.

Middleware as httpx means it — a transport wrapping another transport — so any httpx-based SDK
works unchanged::

    client = openai.OpenAI(http_client=httpx2.Client(transport=TrimTransport()))

The classes are transports of ``httpx2`` (what the current openai, anthropic, google-genai and
mistralai SDKs are built on) and of ``httpx``, whichever are installed: requests and responses keep
the flavour of the client that sent them, and the default inner transport is that flavour's
``HTTPTransport``. Recognised by path (see :func:`tokentrim.providers.api_for_path`): chat and
legacy completions, Responses, Anthropic messages, Mistral FIM, Gemini ``:generateContent`` and
``:streamGenerateContent``; JSON bodies are rewritten byte-preservingly (and get
``x-tokentrim-tokens-before/after`` headers), ``text/event-stream`` bodies incrementally.

Passed through untouched: other endpoints, non-2xx responses, other content types, requests with
``logprobs`` (a warning is logged), JSON mode and structured outputs, and requests carrying the
header ``x-tokentrim: off`` (which is removed before the request goes upstream). A failure inside
tokentrim returns the provider's original response and is logged on the ``tokentrim`` logger.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

from tokentrim.middleware.core import OnResult, request_skip_reason, rewrite_body, warm_up
from tokentrim.middleware.sse import SSERewriter
from tokentrim.middleware.wrap import off_the_loop, resolve_settings
from tokentrim.pipeline import TrimResult
from tokentrim.providers import Api, api_for_path
from tokentrim.settings import Settings

__all__ = ["AsyncTrimTransport", "TrimTransport"]

logger = logging.getLogger("tokentrim")
OPT_OUT_HEADER = "x-tokentrim"
_DROP_ON_REWRITE = frozenset({"content-length", "content-encoding", "transfer-encoding"})


def _installed_flavours() -> list[ModuleType]:
    flavours = []
    for name in ("httpx2", "httpx"):
        try:
            flavours.append(importlib.import_module(name))
        except ImportError:
            continue
    if not flavours:
        raise ImportError(
            "tokentrim's transports need httpx2 or httpx: pip install 'tokentrim[httpx]'"
        )
    return flavours


_FLAVOURS = _installed_flavours()
_SYNC_TRANSPORTS = tuple(flavour.BaseTransport for flavour in _FLAVOURS)
_ASYNC_TRANSPORTS = tuple(flavour.AsyncBaseTransport for flavour in _FLAVOURS)
_SYNC_STREAMS = tuple(flavour.SyncByteStream for flavour in _FLAVOURS)
_ASYNC_STREAMS = tuple(flavour.AsyncByteStream for flavour in _FLAVOURS)


class _Plan:
    """What to do with one request's response (decided from the request alone)."""

    __slots__ = ("api", "flavour")

    def __init__(self, api: Api, flavour: ModuleType) -> None:
        self.api = api
        self.flavour = flavour


class _Shared:
    """The I/O-free decisions both transports make; they differ only in how they await."""

    def __init__(
        self, settings: Settings | None, on_result: OnResult | None, overrides: dict[str, Any]
    ) -> None:
        self.settings = resolve_settings(settings, overrides)
        self.on_result = on_result
        warm_up(self.settings)

    def plan(self, request: Any) -> _Plan | None:
        if request.headers.get(OPT_OUT_HEADER, "").strip().lower() in ("off", "0", "false", "no"):
            del request.headers[OPT_OUT_HEADER]
            return None
        if OPT_OUT_HEADER in request.headers:
            del request.headers[OPT_OUT_HEADER]
        if request.method != "POST":
            return None
        api = api_for_path(request.url.path)
        if api is None:
            return None
        try:
            body = json.loads(request.content or b"{}")
        except Exception:  # noqa: BLE001 - a streamed request body, not JSON: not ours to touch
            return None
        reason = request_skip_reason(api, body) if isinstance(body, dict) else "not a JSON object"
        if reason is not None:
            if reason.startswith("logprobs"):
                logger.warning("tokentrim: reply not trimmed (%s)", reason)
            return None
        return _Plan(api, _flavour_of(request))

    def wants_stream(self, response: Any) -> bool:
        return "text/event-stream" in response.headers.get("content-type", "")

    def wants_json(self, response: Any) -> bool:
        return "json" in response.headers.get("content-type", "")

    def rewrite_json(self, plan: _Plan, response: Any, raw: bytes, request: Any) -> Any:
        decoded = raw
        try:
            if response.headers.get("content-encoding", "identity") != "identity":
                decoded = plan.flavour.Response(200, headers=response.headers, content=raw).content
            new_body, done = rewrite_body(
                plan.api, decoded, self.settings, want_result=self.on_result is not None
            )
        except Exception:  # noqa: BLE001 - the provider's original response, always
            logger.exception("tokentrim: reply left as it was")
            return _response(plan.flavour, response, request, content=raw)
        if done is None:
            return _response(plan.flavour, response, request, content=raw)
        self.report(done.result)
        extra = [
            ("x-tokentrim-tokens-before", str(done.tokens_before)),
            ("x-tokentrim-tokens-after", str(done.tokens_after)),
        ]
        if new_body is None:
            return _response(plan.flavour, response, request, content=raw, extra=extra)
        return _response(
            plan.flavour, response, request, content=new_body, extra=extra, rewritten=True
        )

    def rewriter(self, plan: _Plan) -> SSERewriter:
        return SSERewriter(
            plan.api,
            self.settings,
            on_error=lambda error: logger.error(
                "tokentrim: stream passed through untrimmed from here on: %r", error
            ),
        )

    def report(self, result: TrimResult | None) -> None:
        if self.on_result is None or result is None:
            return
        try:
            self.on_result(result)
        except Exception:  # noqa: BLE001
            logger.exception("tokentrim: on_result failed")

    def report_stream(self, rewriter: SSERewriter) -> None:
        """Once per stream, when it ended (SDKs stop reading at ``[DONE]`` and close)."""
        if self.on_result is None or rewriter.failed or rewriter.reported:
            return
        rewriter.reported = True
        try:
            self.report(rewriter.rewriter.result())
        except Exception:  # noqa: BLE001
            logger.exception("tokentrim: stream result")


class TrimTransport(*_SYNC_TRANSPORTS):  # type: ignore[misc]
    """A sync httpx/httpx2 transport that trims replies; ``inner`` does the HTTP (see module)."""

    def __init__(
        self,
        inner: Any = None,
        *,
        settings: Settings | None = None,
        on_result: OnResult | None = None,
        **overrides: Any,
    ) -> None:
        self.inner = inner
        self._shared = _Shared(settings, on_result, overrides)

    def handle_request(self, request: Any) -> Any:
        plan = self._shared.plan(request)
        inner = self._inner_for(request)
        response = inner.handle_request(request)
        if plan is None or not 200 <= response.status_code < 300:
            return response
        shared = self._shared
        if shared.wants_stream(response):
            stream = _SyncStream(response, shared.rewriter(plan), shared)
            return _response(plan.flavour, response, request, stream=stream, rewritten=True)
        if not shared.wants_json(response):
            return response
        try:
            raw = b"".join(response.iter_raw())
        finally:
            response.close()
        return shared.rewrite_json(plan, response, raw, request)

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()

    def _inner_for(self, request: Any) -> Any:
        if self.inner is None:
            self.inner = _flavour_of(request).HTTPTransport()
        return self.inner


class AsyncTrimTransport(*_ASYNC_TRANSPORTS):  # type: ignore[misc]
    """The async twin of :class:`TrimTransport`."""

    def __init__(
        self,
        inner: Any = None,
        *,
        settings: Settings | None = None,
        on_result: OnResult | None = None,
        **overrides: Any,
    ) -> None:
        self.inner = inner
        self._shared = _Shared(settings, on_result, overrides)

    async def handle_async_request(self, request: Any) -> Any:
        plan = self._shared.plan(request)
        if self.inner is None:
            self.inner = _flavour_of(request).AsyncHTTPTransport()
        response = await self.inner.handle_async_request(request)
        if plan is None or not 200 <= response.status_code < 300:
            return response
        shared = self._shared
        if shared.wants_stream(response):
            stream = _AsyncStream(response, shared.rewriter(plan), shared)
            return _response(plan.flavour, response, request, stream=stream, rewritten=True)
        if not shared.wants_json(response):
            return response
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        # trim() is CPU work (libcst, black): off the event loop, so other requests go on.
        return await off_the_loop(shared.rewrite_json, plan, response, raw, request)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()


class _SyncStream(*_SYNC_STREAMS):  # type: ignore[misc]
    def __init__(self, response: Any, rewriter: SSERewriter, shared: _Shared) -> None:
        self._response = response
        self._rewriter = rewriter
        self._shared = shared

    def __iter__(self) -> Iterator[bytes]:
        rewriter = self._rewriter
        try:
            for chunk in self._response.iter_bytes():
                out = rewriter.feed(chunk)
                if out:
                    yield out
        except GeneratorExit:
            raise
        except BaseException:
            held = rewriter.abort()
            if held:
                yield held
            raise
        rest = rewriter.close()
        if rest:
            yield rest
        self._shared.report_stream(rewriter)

    def close(self) -> None:
        if self._rewriter.finished:
            self._shared.report_stream(self._rewriter)
        self._response.close()


class _AsyncStream(*_ASYNC_STREAMS):  # type: ignore[misc]
    def __init__(self, response: Any, rewriter: SSERewriter, shared: _Shared) -> None:
        self._response = response
        self._rewriter = rewriter
        self._shared = shared

    async def __aiter__(self) -> AsyncIterator[bytes]:
        rewriter = self._rewriter
        try:
            async for chunk in self._response.aiter_bytes():
                out = rewriter.feed(chunk)
                if out:
                    yield out
        except GeneratorExit:
            raise
        except BaseException:
            held = rewriter.abort()
            if held:
                yield held
            raise
        rest = rewriter.close()
        if rest:
            yield rest
        self._shared.report_stream(rewriter)

    async def aclose(self) -> None:
        if self._rewriter.finished:
            self._shared.report_stream(self._rewriter)
        await self._response.aclose()


def _flavour_of(request: Any) -> ModuleType:
    module = sys.modules.get(type(request).__module__.split(".")[0])
    return module if module is not None and hasattr(module, "Response") else _FLAVOURS[0]


def _response(
    flavour: ModuleType,
    response: Any,
    request: Any,
    *,
    content: bytes | None = None,
    stream: Any = None,
    extra: list[tuple[str, str]] | None = None,
    rewritten: bool = False,
) -> Any:
    """A response like ``response`` with a new body; headers kept unless the body was rewritten."""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if not (rewritten and name.lower() in _DROP_ON_REWRITE)
    ]
    if rewritten and content is not None:
        headers.append(("content-length", str(len(content))))
    headers.extend(extra or ())
    return flavour.Response(
        response.status_code,
        headers=headers,
        content=content,
        stream=stream,
        extensions=response.extensions,
        request=request,
    )
