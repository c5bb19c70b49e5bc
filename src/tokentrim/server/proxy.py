"""Forwarding: one request in, one request to the upstream, its reply relayed back (trimmed).

Trimmed: ``POST`` to a model-reply route (:func:`tokentrim.providers.api_for_path`: chat and
legacy completions, Responses, Anthropic messages, Mistral FIM, Gemini) with a 2xx JSON or
``text/event-stream`` reply. JSON is trimmed whole, off the event loop, by
:func:`~tokentrim.middleware.core.rewrite_body`; streams by
:class:`~tokentrim.middleware.sse.SSERewriter` chunk by chunk as they arrive. Everything else is
relayed byte for byte. Any failure inside tokentrim relays the provider's original reply.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import anyio.to_thread
import httpx
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from tokentrim.middleware.core import (
    PayloadResult,
    failure_reasons,
    request_skip_reason,
    rewrite_body,
)
from tokentrim.middleware.sse import SSERewriter
from tokentrim.pipeline import TrimResult
from tokentrim.providers import Api, api_for_path
from tokentrim.server.config import ServerConfig
from tokentrim.server.errors import error_body, error_response, is_anthropic
from tokentrim.server.metrics import Metrics
from tokentrim.settings import Settings
from tokentrim.tokens import count_tokens

__all__ = ["API_KEY_HEADER", "HOP_BY_HOP", "Proxy"]

logger = logging.getLogger("tokentrim.server")
access_logger = logging.getLogger("tokentrim.server.access")

API_KEY_HEADER = "x-tokentrim-api-key"
OPT_OUT_HEADER = "x-tokentrim"
# RFC 9110 7.6.1, plus the headers the proxy sets itself.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", API_KEY_HEADER, OPT_OUT_HEADER}
_DROP_ON_REWRITE = frozenset({"content-length", "content-encoding"})
TRIM_THREADS = 2
TRIMMED_ROUTES = (
    "/v1/chat/completions",
    "/v1/completions",
    "/v1/responses",
    "/v1/messages",
    "/v1/fim/completions",
)


class Proxy:
    """The catch-all endpoint; ``client`` is the one pooled upstream client of the process."""

    def __init__(
        self,
        upstream: str,
        settings: Settings,
        config: ServerConfig,
        metrics: Metrics,
        client: Callable[[], httpx.AsyncClient],
    ) -> None:
        self.upstream = httpx.URL(upstream.rstrip("/"))
        self.settings = settings
        self.config = config
        self.metrics = metrics
        self._client = client
        # trim() is pure-Python CPU work under the GIL: more threads than this add no throughput
        # but starve the event loop, which relays every other stream of the worker.
        self._trimmers = anyio.CapacityLimiter(TRIM_THREADS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        started = time.perf_counter()
        record: dict[str, Any] = {"method": request.method, "path": request.url.path}
        try:
            response = await self._handle(request, started, record)
        except ClientDisconnect:
            record["status"] = 499
            self._finish(record, started)
            return
        record.setdefault("status", response.status_code)
        if isinstance(response, _Relay):
            response.on_done = lambda: self._finish(record, started)
            await response(scope, receive, send)
        else:
            await response(scope, receive, send)
            self._finish(record, started)

    # ---- one request ---------------------------------------------------------------------------

    async def _handle(self, request: Request, started: float, record: dict[str, Any]) -> Response:
        path = request.url.path
        key = self.config.api_key
        if key is not None:
            given = request.headers.get(API_KEY_HEADER, "")
            if not hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8")):
                return error_response(
                    path,
                    401,
                    f"missing or wrong {API_KEY_HEADER}",
                    "authentication_error" if is_anthropic(path) else "invalid_api_key",
                )
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.config.max_body:
            return _too_large(path, self.config.max_body)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.config.max_body:
                return _too_large(path, self.config.max_body)
        api = self._plan(request, bytes(body))
        record["trimmed"] = api is not None
        url = self.upstream.copy_with(
            raw_path=self.upstream.raw_path.rstrip(b"/")
            + request.scope["raw_path"]
            + (b"?" + request.scope["query_string"] if request.scope["query_string"] else b"")
        )
        headers = [
            (name, value)
            for name, value in request.headers.items()
            if name not in _NOT_FORWARDED and name not in _connection_tokens(request)
        ]
        client = self._client()
        upstream_request = client.build_request(
            request.method, url, headers=headers, content=bytes(body)
        )
        own = time.perf_counter() - started
        try:
            upstream = await _unless_disconnected(
                request, client.send(upstream_request, stream=True)
            )
        except httpx.TimeoutException:
            self.metrics.upstream_errors.labels("timeout").inc()
            return error_response(path, 504, "upstream timed out", _kind(path, "timeout"))
        except httpx.TransportError as error:
            self.metrics.upstream_errors.labels("connect").inc()
            logger.warning("upstream unreachable: %s", type(error).__name__)
            return error_response(path, 502, "upstream unreachable", _kind(path, "connect"))
        record["upstream_status"] = upstream.status_code
        content_type = upstream.headers.get("content-type", "")
        if api is not None and 200 <= upstream.status_code < 300:
            if "text/event-stream" in content_type:
                return self._stream(api, request, upstream, own)
            if "json" in content_type:
                return await self._json(api, request, upstream, own, record)
        if api is not None:  # an error, or a reply of another content type: not a failure
            self.metrics.untrimmed.labels(_route(path), "relayed").inc()
            logger.debug("reply relayed as it was: %s, %s", upstream.status_code, content_type)
        return _Relay(upstream, _response_headers(upstream, rewritten=False), self.metrics)

    def _plan(self, request: Request, body: bytes) -> Api | None:
        """The API whose reply to trim, or None to relay the reply untouched."""
        if request.method != "POST":
            return None
        api = api_for_path(request.url.path)
        if api is None:
            return None
        path = request.url.path
        if request.headers.get(OPT_OUT_HEADER, "").strip().lower() in ("off", "0", "false", "no"):
            self._skipped(path, f"{OPT_OUT_HEADER} header")
            return None
        try:
            parsed = json.loads(body or b"{}")
        except (UnicodeDecodeError, ValueError, RecursionError):
            self._skipped(path, "the request body is not JSON")
            return None
        reason = request_skip_reason(api, parsed) if isinstance(parsed, dict) else "not an object"
        if reason is not None:
            self._skipped(path, reason)
            return None
        return api

    def _skipped(self, path: str, reason: str) -> None:
        """The request itself says its reply must not be trimmed (logprobs, structured output)."""
        self.metrics.untrimmed.labels(_route(path), "request").inc()
        logger.debug("reply relayed untrimmed on %s: %s", _route(path), reason)

    async def _json(
        self,
        api: Api,
        request: Request,
        upstream: httpx.Response,
        own: float,
        record: dict[str, Any],
    ) -> Response:
        path = request.url.path
        try:
            raw = await _unless_disconnected(request, upstream.aread())
        except httpx.TimeoutException:
            self.metrics.upstream_errors.labels("timeout").inc()
            return error_response(path, 504, "upstream timed out", _kind(path, "timeout"))
        except httpx.TransportError:
            self.metrics.upstream_errors.labels("broken").inc()
            return error_response(path, 502, "upstream reply broke off", "api_error")
        finally:
            await upstream.aclose()
        started = time.perf_counter()
        results: list[TrimResult] = []
        try:
            # trim() is CPU work (libcst, black): off the loop, so other streams keep flowing.
            new_body, done = await anyio.to_thread.run_sync(
                functools.partial(rewrite_body, api, raw, self.settings, on_trim=results.append),
                limiter=self._trimmers,
            )
        except Exception as error:  # noqa: BLE001 - the provider's original reply, always
            logger.debug("rewrite_body raised", exc_info=True)
            self._untrimmed(path, "exception", [type(error).__name__])
            new_body, done = None, None
        else:
            self._check(path, raw, new_body, done, results)
        headers = _response_headers(upstream, rewritten=True)
        if done is not None:
            self.metrics.tokens_before.inc(done.tokens_before)
            self.metrics.tokens_after.inc(done.tokens_after)
            record["tokens_before"], record["tokens_after"] = done.tokens_before, done.tokens_after
            headers.append(("x-tokentrim-tokens-before", str(done.tokens_before)))
            headers.append(("x-tokentrim-tokens-after", str(done.tokens_after)))
        content = raw if new_body is None else new_body
        self.metrics.added_latency.labels(_route(request.url.path)).observe(
            own + time.perf_counter() - started
        )
        return Response(content, status_code=upstream.status_code, headers=dict(headers))

    def _check(
        self,
        path: str,
        raw: bytes,
        new_body: bytes | None,
        done: PayloadResult | None,
        results: list[TrimResult],
    ) -> None:
        """Say why a reply (or part of it) went out untrimmed: a trim() that hit its
        internal-error fallback, a block failed by a safety net or a bug, a parser beaten by the
        code's depth; a reply left whole because its code blocks were skipped (they do not parse,
        are too large); a 2xx body that is not JSON."""
        if done is None:
            if not _is_json(raw):
                self._untrimmed(path, "unreadable", ["the reply body is not JSON"])
            else:  # JSON without reply text (a tool call): nothing to trim
                self.metrics.untrimmed.labels(_route(path), "no_text").inc()
            return
        why = [_gist(reason) for result in results for reason in failure_reasons(result)]
        skipped = [
            f"{block.lang} block skipped: {block.category}"
            for result in results
            for block in result.blocks
            if block.status == "skipped" and not block.left_alone
        ]
        if why:
            self._untrimmed(path, "internal_error" if new_body is None else "partial", why)
        elif skipped and new_body is None:
            self._untrimmed(path, "skipped", skipped)  # e.g. code that does not parse
        else:
            if skipped:
                logger.debug("reply block(s) left as they were on %s: %s", _route(path), skipped)
            if new_body is None:  # not a failure: trim() found nothing to cut (prose, tight code)
                self._unchanged(path, results)

    def _unchanged(self, path: str, results: list[TrimResult]) -> None:
        """A reply trim() gave back as it was, failing nothing: counted, so that every reply of a
        trimmed route that goes out as the provider sent it is counted under some reason."""
        self.metrics.untrimmed.labels(_route(path), "unchanged").inc()
        outcomes = [f"{b.lang} {b.status}" for result in results for b in result.blocks]
        logger.debug("reply unchanged by trim() on %s: %s", _route(path), outcomes or "no code")

    def _untrimmed(self, path: str, reason: str, why: list[str]) -> None:
        self.metrics.untrimmed.labels(_route(path), reason).inc()
        # Reasons and exception types only: never a body, a header, a key or a line of code.
        logger.warning("reply relayed untrimmed (%s) on %s: %s", reason, _route(path), why)

    def _stream(self, api: Api, request: Request, upstream: httpx.Response, own: float) -> Response:
        path = request.url.path
        rewriter = SSERewriter(
            api,
            self.settings,
            on_error=lambda error: self._untrimmed(path, "stream_error", [type(error).__name__]),
        )
        metrics = self.metrics
        route = _route(path)

        async def body() -> AsyncIterator[bytes]:
            spent = own
            try:
                async for chunk in upstream.aiter_bytes():
                    started = time.perf_counter()
                    out = rewriter.feed(chunk)
                    spent += time.perf_counter() - started
                    if out:
                        yield out
            except httpx.HTTPError as error:
                # The upstream broke mid-stream: what was held goes out as received, then an
                # error event the SDKs raise on, then a clean end (never a hang).
                kind = "timeout" if isinstance(error, httpx.TimeoutException) else "broken"
                metrics.upstream_errors.labels(kind).inc()
                held = rewriter.abort()
                yield held + _stream_error(path, f"upstream stream broke off ({kind})")
                return
            rest = rewriter.close()
            if rest:
                yield rest
            metrics.added_latency.labels(route).observe(spent)
            if not rewriter.failed:
                original, released = rewriter.rewriter.original, rewriter.rewriter.released
                before = count_tokens(original, model=self.settings.model)
                unchanged = released == original  # a prose-only stream: its tokens counted once
                after = before if unchanged else count_tokens(released, model=self.settings.model)
                metrics.tokens_before.inc(before)
                metrics.tokens_after.inc(after)
                if not original:  # a stream of tool calls: nothing to trim
                    metrics.untrimmed.labels(route, "no_text").inc()
                elif unchanged:
                    self._unchanged(path, [])

        return _Relay(upstream, _response_headers(upstream, rewritten=True), metrics, body())

    def _finish(self, record: dict[str, Any], started: float) -> None:
        status = record.get("status", 0)
        self.metrics.requests.labels(_route(record["path"]), str(status)).inc()
        if self.config.access_log:
            record["ms"] = round((time.perf_counter() - started) * 1000, 2)
            access_logger.info(json.dumps(record, separators=(",", ":")))


class _Relay(StreamingResponse):
    """An upstream reply relayed as it arrives; the upstream request is cancelled (and its
    connection released) when the client goes away, whatever the ASGI server's spec version."""

    def __init__(
        self,
        upstream: httpx.Response,
        headers: list[tuple[str, str]],
        metrics: Metrics,
        content: AsyncIterator[bytes] | None = None,
    ) -> None:
        super().__init__(
            content if content is not None else upstream.aiter_raw(), upstream.status_code
        )
        self.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        self._upstream = upstream
        self._metrics = metrics
        self.on_done: Callable[[], None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._metrics.open_streams.inc()
        try:
            async with anyio.create_task_group() as group:

                async def relay() -> None:
                    try:
                        await self.stream_response(send)
                    except OSError:
                        pass  # the client went away while we wrote
                    group.cancel_scope.cancel()

                group.start_soon(relay)
                await self.listen_for_disconnect(receive)
                group.cancel_scope.cancel()
        finally:
            self._metrics.open_streams.dec()
            with anyio.CancelScope(shield=True):
                await self._upstream.aclose()
            if self.on_done is not None:
                self.on_done()


async def _unless_disconnected(request: Request, awaitable: Awaitable[Any]) -> Any:
    """``await awaitable``, cancelled if the client disconnects first (raises ClientDisconnect)."""
    result: list[Any] = []
    failure: list[BaseException] = []
    gone = False

    async with anyio.create_task_group() as group:

        async def run() -> None:
            try:
                result.append(await awaitable)
            except Exception as error:  # noqa: BLE001 - raised below, not as an ExceptionGroup
                failure.append(error)
            group.cancel_scope.cancel()

        async def watch() -> None:
            nonlocal gone
            while True:
                message = await request.receive()
                if message["type"] == "http.disconnect":
                    gone = True
                    group.cancel_scope.cancel()
                    return

        group.start_soon(run)
        group.start_soon(watch)
    if failure:
        raise failure[0]
    if gone and not result:
        raise ClientDisconnect()
    return result[0]


def _connection_tokens(request: Request) -> set[str]:
    value = request.headers.get("connection", "")
    return {token.strip().lower() for token in value.split(",") if token.strip()}


def _response_headers(upstream: httpx.Response, *, rewritten: bool) -> list[tuple[str, str]]:
    tokens = {
        token.strip().lower()
        for token in upstream.headers.get("connection", "").split(",")
        if token.strip()
    }
    return [
        (name, value)
        for name, value in upstream.headers.multi_items()
        if name.lower() not in HOP_BY_HOP
        and name.lower() not in tokens
        and not (rewritten and name.lower() in _DROP_ON_REWRITE)
    ]


def _too_large(path: str, limit: int) -> Response:
    return error_response(
        path, 413, f"request body larger than {limit} bytes", "invalid_request_error"
    )


def _gist(reason: str) -> str:
    """A failure reason without its particulars, which may quote code: ``"python block failed:
    internal error: SystemError"``, ``"black changed the AST"``."""
    head = ""
    first = reason.split(": ", 1)[0]
    if first != reason and (
        " block " in first or " " not in first
    ):  # "python block failed", a rule id
        head, reason = first + ": ", reason[len(first) + 2 :]
    if "internal error" in reason:
        before, _, rest = reason.partition("internal error")
        rest = rest.lstrip(":, ").removeprefix("reply left as it was: ").lstrip("(")
        kind = rest.split(":", 1)[0].split(")", 1)[0].strip()
        gist = f"{before}internal error" + (f": {kind}" if kind.isidentifier() else "")
        return head + gist
    return head + reason.split(":", 1)[0].split(" (", 1)[0].strip()


def _is_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return True


def _kind(path: str, what: str) -> str:
    if is_anthropic(path):
        return "timeout_error" if what == "timeout" else "api_error"
    return "timeout" if what == "timeout" else "upstream_unreachable"


def _route(path: str) -> str:
    """The metrics label: a trimmed route, or "other" (paths are unbounded; labels must not be)."""
    path = path.rstrip("/")
    for route in TRIMMED_ROUTES:
        if path.endswith(route):
            return route
    return "other"


def _stream_error(path: str, message: str) -> bytes:
    if is_anthropic(path):
        data = error_body(path, 502, message, "api_error").decode()
        return f"event: error\ndata: {data}\n\n".encode()
    return f"data: {error_body(path, 502, message, 'upstream_error').decode()}\n\n".encode()
