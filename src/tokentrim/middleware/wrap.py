"""``wrap(fn)`` and ``@trimmed``: any model call, sync or async, returns its reply trimmed.

Whatever the callable returns comes back as the same type with its reply text trimmed: a ``str``;
an OpenAI ``ChatCompletion`` / ``Completion`` / Responses ``Response`` (object or dict); an Anthropic
``Message``; a google-genai ``GenerateContentResponse``; a LiteLLM ``ModelResponse``; and streams of
any of these — the SDKs' own stream objects keep their type (their iterator is replaced), other
iterators and async iterators come back as iterators yielding the same chunk types. A failure
inside tokentrim returns the original value (logged on the ``tokentrim`` logger); it never fails
the call.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import Any, TypeVar, overload

from tokentrim.middleware.core import (
    Emit,
    OnResult,
    StreamRewriter,
    TextStream,
    apply_texts,
    rewrite_payload,
    warm_up,
)
from tokentrim.pipeline import trim
from tokentrim.providers import detect, detect_event
from tokentrim.settings import Settings, load_settings

__all__ = ["Trimmer", "off_the_loop", "trimmed", "wrap"]

logger = logging.getLogger("tokentrim")
F = TypeVar("F", bound=Callable[..., Any])


def wrap(
    fn: F,
    *,
    settings: Settings | None = None,
    on_result: OnResult | None = None,
    **overrides: Any,
) -> F:
    """``fn`` with its return value trimmed (see the module docstring).

    ``settings`` defaults to :func:`~tokentrim.load_settings` (pyproject.toml, ``TOKENTRIM_*``);
    ``overrides`` replace single fields (``wrap(fn, level="safe")``). ``on_result(TrimResult)``
    is called once per call, after a stream's last chunk, with the cost priced from the
    provider's reported usage.
    """
    trimmer = Trimmer(resolve_settings(settings, overrides), on_result)
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return await trimmer.avalue(await fn(*args, **kwargs))

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value = fn(*args, **kwargs)
        if inspect.isawaitable(value):  # an async callable that is not a coroutine function
            return trimmer.awaitable(value)
        return trimmer.value(value)

    return wrapper  # type: ignore[return-value]


@overload
def trimmed(fn: F) -> F: ...
@overload
def trimmed(
    *, settings: Settings | None = None, on_result: OnResult | None = None, **overrides: Any
) -> Callable[[F], F]: ...
def trimmed(fn: Any = None, **options: Any) -> Any:
    """Decorator form of :func:`wrap`: ``@trimmed`` or ``@trimmed(level="aggressive", ...)``."""
    if fn is not None:
        return wrap(fn)
    return lambda inner: wrap(inner, **options)


def resolve_settings(settings: Settings | None, overrides: dict[str, Any]) -> Settings:
    if settings is None:
        return load_settings(overrides)
    return settings.replace(**overrides) if overrides else settings


async def off_the_loop(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a worker thread: trim() is CPU work (libcst, black) that must not stall
    an event loop serving other requests."""
    try:
        import anyio.to_thread  # httpx and httpx2 depend on anyio: asyncio and trio alike
    except ImportError:  # pragma: no cover
        return fn(*args)
    return await anyio.to_thread.run_sync(fn, *args)


class Trimmer:
    """Trims return values: one per wrapped callable, shared by all its calls (no state per call)."""

    def __init__(self, settings: Settings, on_result: OnResult | None = None) -> None:
        self.settings = settings
        self.on_result = on_result
        warm_up(settings)

    async def awaitable(self, value: Awaitable[Any]) -> Any:
        return await self.avalue(await value)

    async def avalue(self, value: Any) -> Any:
        """:meth:`value` for async callers: a whole reply is trimmed off the event loop."""
        try:
            whole = isinstance(value, str) or detect(value) is not None
        except Exception:  # noqa: BLE001 - value() decides, and never raises
            whole = False
        if whole:
            return await off_the_loop(functools.partial(self.value, value, prefer_async=True))
        return self.value(value, prefer_async=True)

    def value(self, value: Any, *, prefer_async: bool = False) -> Any:
        """``value`` with its reply trimmed, or ``value`` itself when there is nothing to trim."""
        try:
            if isinstance(value, str):
                return self._text(value)
            if isinstance(value, (bytes, bytearray, memoryview, int, float, bool)) or value is None:
                return value
            found = detect(value)
            if found is not None:
                return self._payload(found[0], value)
            return self._stream(value, prefer_async)
        except Exception:  # noqa: BLE001 - never fail the user's call
            logger.exception("tokentrim: reply left as it was")
            return value

    def _text(self, text: str) -> str:
        result = trim(text, settings=self.settings)
        self._report(lambda: result)
        return result.text

    def _payload(self, api: Any, value: Any) -> Any:
        done = rewrite_payload(api, value, self.settings, want_result=self.on_result is not None)
        if done is None:
            return value
        if done.result is not None:
            self._report(lambda: done.result)
        return apply_texts(value, done.texts)

    def _stream(self, value: Any, prefer_async: bool) -> Any:
        # Iterators only (``__next__`` / ``__anext__``): a pydantic model is iterable too, and an
        # unrecognised return value must come back as it is.
        has_async = hasattr(value, "__anext__")
        has_sync = hasattr(value, "__next__")
        if not (has_async or has_sync):
            return value
        use_async = has_async and (prefer_async or not has_sync)
        if hasattr(type(value), "__stream__") and hasattr(value, "_iterator"):
            # openai / anthropic Stream and AsyncStream: keep the object, replace its iterator.
            inner = value._iterator
            value._iterator = self.aiter(inner) if use_async else self.iter(inner)
            return value
        return _AsyncProxy(value, self) if use_async else _SyncProxy(value, self)

    def iter(self, chunks: Iterator[Any]) -> Generator[Any, None, None]:
        """Chunks in, trimmed chunks out (one for one, plus what a channel releases at its end)."""
        session = _Session(self)
        try:
            for chunk in chunks:
                yield from session.feed(chunk)
        except GeneratorExit:
            raise
        except BaseException:
            yield from session.abort()
            raise
        yield from session.finish()

    async def aiter(self, chunks: Any) -> AsyncIterator[Any]:
        session = _Session(self)
        try:
            async for chunk in chunks:
                for out in session.feed(chunk):
                    yield out
        except GeneratorExit:
            raise
        except BaseException:
            for out in session.abort():
                yield out
            raise
        for out in session.finish():
            yield out

    def _report(self, result: Callable[[], Any]) -> None:
        if self.on_result is None:
            return
        try:
            self.on_result(result())
        except Exception:  # noqa: BLE001 - a callback's bug must not fail the call
            logger.exception("tokentrim: on_result failed")


class _Session:
    """One stream's state: which API it is (from its first recognised chunk) and its rewriter."""

    def __init__(self, trimmer: Trimmer) -> None:
        self.trimmer = trimmer
        self.rewriter: StreamRewriter | None = None
        self.text: TextStream | None = None
        self.failed = False
        self.inside = ""  # "data": mistralai's stream events carry the chunk in ``.data``

    def feed(self, chunk: Any) -> list[Any]:
        if self.failed:
            return [chunk]
        try:
            if self.text is not None or (self.rewriter is None and isinstance(chunk, str)):
                if not isinstance(chunk, str):
                    return [chunk]
                self.text = self.text or TextStream(self.trimmer.settings)
                return [self.text.feed(chunk)]
            if self.rewriter is None:
                api = detect_event(chunk)
                if api is None and detect_event(getattr(chunk, "data", None)) is not None:
                    api, self.inside = detect_event(chunk.data), "data"
                if api is None:
                    return [chunk]
                self.rewriter = StreamRewriter(api, self.trimmer.settings)
            if self.inside:
                inner = getattr(chunk, self.inside, None)
                return [self._out(emit) for emit in self.rewriter.feed(inner, chunk)]
            return [_apply(emit) for emit in self.rewriter.feed(chunk)]
        except Exception:  # noqa: BLE001 - never fail the user's stream
            logger.exception("tokentrim: stream passed through untrimmed from here on")
            return [*self.abort(), chunk]

    def finish(self) -> list[Any]:
        if self.failed:
            return []
        try:
            if self.text is not None:
                rest = self.text.close()
                text = self.text
                self.trimmer._report(lambda: trim(text.original, settings=self.trimmer.settings))
                return [rest] if rest else []
            if self.rewriter is None:
                return []
            out = [self._out(emit) for emit in self.rewriter.finish()]
            self.trimmer._report(self.rewriter.result)
            return out
        except Exception:  # noqa: BLE001
            logger.exception("tokentrim: end of stream")
            return self.abort()

    def abort(self) -> list[Any]:
        if self.failed:
            return []
        self.failed = True
        try:
            if self.text is not None:
                rest = self.text.abort()
                return [rest] if rest else []
            return [self._out(emit) for emit in self.rewriter.abort()] if self.rewriter else []
        except Exception:  # noqa: BLE001
            logger.exception("tokentrim: held text could not be released")
            return []

    def _out(self, emit: Emit) -> Any:
        if self.inside:
            return _apply_inside(emit.handle, self.inside, emit)
        return _apply(emit)


def _apply(emit: Emit) -> Any:
    return apply_texts(emit.event, emit.texts)


def _apply_inside(outer: Any, name: str, emit: Emit) -> Any:
    """The outer event (mistralai's ``CompletionEvent``) around the rewritten chunk."""
    if not emit.texts:
        return outer
    return apply_texts(outer, {(name, *path): text for path, text in emit.texts.items()})


class _SyncProxy:
    """An iterator of trimmed chunks that otherwise stands for the wrapped stream object."""

    def __init__(self, stream: Any, trimmer: Trimmer) -> None:
        self._stream = stream
        self._chunks = trimmer.iter(iter(stream))

    def __iter__(self) -> Iterator[Any]:
        return self._chunks

    def __next__(self) -> Any:
        return next(self._chunks)

    def __enter__(self) -> _SyncProxy:
        enter = getattr(self._stream, "__enter__", None)
        if enter is not None:
            enter()
        return self

    def __exit__(self, *exc: object) -> Any:
        exit_ = getattr(self._stream, "__exit__", None)
        return exit_(*exc) if exit_ is not None else None

    def close(self) -> None:
        self._chunks.close()
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _AsyncProxy:
    """An async iterator of trimmed chunks that otherwise stands for the wrapped stream object."""

    def __init__(self, stream: Any, trimmer: Trimmer) -> None:
        self._stream = stream
        self._chunks = trimmer.aiter(stream.__aiter__())

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._chunks

    async def __anext__(self) -> Any:
        return await self._chunks.__anext__()

    async def __aenter__(self) -> _AsyncProxy:
        enter = getattr(self._stream, "__aenter__", None)
        if enter is not None:
            await enter()
        return self

    async def __aexit__(self, *exc: object) -> Any:
        exit_ = getattr(self._stream, "__aexit__", None)
        return (await exit_(*exc)) if exit_ is not None else None

    async def aclose(self) -> None:
        await self._chunks.aclose()  # type: ignore[attr-defined]
        for name in ("aclose", "close"):
            close = getattr(self._stream, name, None)
            if close is not None:
                result = close()
                if inspect.isawaitable(result):
                    await result
                return

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
