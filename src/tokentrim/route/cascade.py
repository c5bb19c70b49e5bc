"""Call the cheapest model first; escalate to the next while the reply fails its check.

::

    from openai import OpenAI
    from tokentrim.route import Cascade, TestCheck

    cascade = Cascade(
        ["qwen/qwen-2.5-7b-instruct", "deepseek/deepseek-chat"],
        check=TestCheck(tests=open("test_solution.py").read()),
        client=OpenAI(base_url="https://openrouter.ai/api/v1"),
    )
    result = cascade.run("Write slugify(text) ...")
    result.model, result.passed, result.cost, [a.verdict.reason for a in result.attempts]

**The call shape.** ``call`` is any callable invoked as ``call(model=NAME, messages=[...],
**request)`` that returns a chat completion: an OpenAI ``ChatCompletion`` (or any object with
``.choices[0].message.content`` and ``.usage``), the same as a dict, an Anthropic-style message
(``.content[i].text``), or a plain string. ``client.chat.completions.create`` fits as it is,
and so does a ``tokentrim.wrap()``-ed one; with ``client=`` (an ``openai.OpenAI`` or
``AsyncOpenAI`` pointed at any OpenAI-compatible router) the cascade uses exactly that.
``arun`` awaits the call when it returns an awaitable and runs a synchronous call in a thread.

**The report.** Every attempt records the model, the verdict (``passed``, ``failed`` or
``error`` when the provider call raised: errors escalate too), the provider's usage (or the
reply's tokens counted locally, marked estimated), the compute cost priced from that usage with
genai-prices (or ``prices``), and the reply trimmed with :func:`tokentrim.trim`. The result adds
them up. The cascade never raises for a failed or erroring model: ``result.passed`` is False and
``result.final`` is the last reply it got (None when every call raised).
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from tokentrim.cost import PriceTable, price_tokens
from tokentrim.cost.usage import Usage
from tokentrim.route.checks import Check, Verdict, compiles
from tokentrim.settings import Settings

__all__ = ["Attempt", "Cascade", "CascadeResult"]

Status = Literal["passed", "failed", "error"]
Messages = list[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One model call of a cascade and its verdict."""

    model: str
    status: Status
    verdict: Verdict
    reply: str | None  # the reply as the model wrote it
    trimmed: str | None  # the same, trimmed by tokentrim.trim()
    tokens_before: int
    tokens_after: int
    usage: Usage | None
    cost: float | None  # compute, USD; None when no price is known
    priced_as: str | None
    seconds: float
    response: Any = dataclasses.field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "status": self.status,
            "reason": self.verdict.reason,
            "tokens_before": self.tokens_before,
            "tokens_after": self.tokens_after,
            "usage": self.usage.as_dict() if self.usage else None,
            "cost": self.cost,
            "priced_as": self.priced_as,
            "seconds": self.seconds,
            "trimmed": self.trimmed,
        }


@dataclasses.dataclass(frozen=True)
class CascadeResult:
    """All attempts, best last; the totals add every attempt up."""

    attempts: tuple[Attempt, ...]

    @property
    def passed(self) -> bool:
        return bool(self.attempts) and self.attempts[-1].status == "passed"

    @property
    def final(self) -> Attempt | None:
        """The passing attempt, else the last one that produced a reply."""
        for attempt in reversed(self.attempts):
            if attempt.reply is not None:
                return attempt
        return None

    @property
    def model(self) -> str | None:
        return self.final.model if self.final else None

    @property
    def reply(self) -> str | None:
        return self.final.reply if self.final else None

    @property
    def trimmed(self) -> str | None:
        return self.final.trimmed if self.final else None

    @property
    def escalations(self) -> int:
        return max(len(self.attempts) - 1, 0)

    @property
    def cost(self) -> float:
        """Compute spend of every priced attempt (see ``unpriced`` for those left out)."""
        return sum(a.cost for a in self.attempts if a.cost is not None)

    @property
    def unpriced(self) -> int:
        return sum(1 for a in self.attempts if a.cost is None and a.usage is not None)

    @property
    def usage(self) -> Usage:
        total = Usage()
        for attempt in self.attempts:
            if attempt.usage is not None:
                total = total + attempt.usage
        return total

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "model": self.model,
            "escalations": self.escalations,
            "cost": self.cost,
            "unpriced": self.unpriced,
            "usage": self.usage.as_dict(),
            "attempts": [a.as_dict() for a in self.attempts],
        }


class Cascade:
    """Models cheapest first; ``run(prompt)`` escalates while ``check(reply)`` fails.

    ``check`` defaults to :func:`~tokentrim.route.checks.compiles`. Give either ``call`` (see the
    module docstring for its shape) or ``client`` (an OpenAI-compatible SDK client). ``request``
    keyword arguments (``temperature=0``, ``max_tokens=...``) go to every call. ``settings``
    are the trimming settings of the report (default: ``Settings()``); ``prices`` override
    genai-prices.
    """

    def __init__(
        self,
        models: Sequence[str],
        check: Check = compiles,
        *,
        call: Callable[..., Any] | None = None,
        client: Any = None,
        prices: PriceTable | None = None,
        settings: Settings | None = None,
        **request: Any,
    ) -> None:
        if isinstance(models, str) or not models or not all(isinstance(m, str) for m in models):
            raise ValueError("models must be a non-empty list of model names, cheapest first")
        if (call is None) == (client is None):
            raise ValueError("give exactly one of call= or client=")
        self.models = tuple(models)
        self.check = check
        self.call: Callable[..., Any] = call if call is not None else client.chat.completions.create
        self.prices = prices
        self.settings = settings or Settings()
        self.request = request

    def run(self, prompt: str | Messages, **request: Any) -> CascadeResult:
        """Call the models in order until one reply passes the check."""
        messages = _messages(prompt)
        attempts: list[Attempt] = []
        for model in self.models:
            started = time.perf_counter()
            try:
                response = self.call(model=model, messages=messages, **{**self.request, **request})
                if inspect.isawaitable(response):
                    if inspect.iscoroutine(response):
                        response.close()  # never awaited: close it rather than leak a warning
                    raise TypeError("the call returned an awaitable: use arun()")
            except Exception as exc:  # a provider failure escalates, as a router's fallback does
                attempts.append(_error(model, exc, started))
                continue
            text, usage = _read_reply(response)
            verdict = _checked(self.check, text)
            attempts.append(self._attempt(model, response, text, usage, verdict, started))
            if verdict.passed:
                break
        return CascadeResult(tuple(attempts))

    async def arun(self, prompt: str | Messages, **request: Any) -> CascadeResult:
        """:meth:`run` for async calls (``AsyncOpenAI``); checks run in a worker thread."""
        messages = _messages(prompt)
        attempts: list[Attempt] = []
        for model in self.models:
            started = time.perf_counter()
            arguments = {"model": model, "messages": messages, **self.request, **request}
            try:
                if inspect.iscoroutinefunction(self.call):
                    response = await self.call(**arguments)
                else:
                    response = await asyncio.to_thread(self.call, **arguments)
                    if inspect.isawaitable(response):
                        response = await response
            except Exception as exc:
                attempts.append(_error(model, exc, started))
                continue
            text, usage = _read_reply(response)
            verdict = await asyncio.to_thread(_checked, self.check, text)
            attempts.append(self._attempt(model, response, text, usage, verdict, started))
            if verdict.passed:
                break
        return CascadeResult(tuple(attempts))

    __call__ = run

    def _attempt(
        self,
        model: str,
        response: Any,
        text: str | None,
        usage: Usage | None,
        verdict: Verdict,
        started: float,
    ) -> Attempt:
        from tokentrim import trim

        trimmed = trim(text or "", model=model, settings=self.settings)
        if usage is None and text is not None:
            usage = Usage(output_tokens=trimmed.tokens_before, estimated=True)
        cost, priced_as = price_tokens(model, usage, self.prices) if usage else (None, None)
        return Attempt(
            model=model,
            status="passed" if verdict.passed else "failed",
            verdict=verdict,
            reply=text,
            trimmed=trimmed.text if text is not None else None,
            tokens_before=trimmed.tokens_before,
            tokens_after=trimmed.tokens_after,
            usage=usage,
            cost=cost,
            priced_as=priced_as,
            seconds=time.perf_counter() - started,
            response=response,
        )


def _messages(prompt: str | Messages) -> Messages:
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    return list(prompt)


def _checked(check: Check, text: str | None) -> Verdict:
    if text is None:
        return Verdict(False, "no reply text in the response")
    try:
        verdict = check(text)
    except Exception as exc:
        return Verdict(False, f"check raised {exc.__class__.__name__}: {str(exc)[:200]}")
    if isinstance(verdict, Verdict):
        return verdict
    return Verdict(bool(verdict), "check passed" if verdict else "check failed")


def _error(model: str, exc: Exception, started: float) -> Attempt:
    message = str(exc).splitlines()[0][:200] if str(exc) else ""
    return Attempt(
        model=model,
        status="error",
        verdict=Verdict(False, f"provider error: {exc.__class__.__name__}: {message}".rstrip(": ")),
        reply=None,
        trimmed=None,
        tokens_before=0,
        tokens_after=0,
        usage=None,
        cost=None,
        priced_as=None,
        seconds=time.perf_counter() - started,
    )


def _read_reply(response: Any) -> tuple[str | None, Usage | None]:
    """The reply text and the provider's usage of a completion in any of the supported shapes."""
    if isinstance(response, str):
        return response, None
    data = response
    if not isinstance(data, Mapping) and hasattr(data, "model_dump"):
        try:
            data = data.model_dump()
        except Exception:
            data = response
    text: str | None = None
    usage: Usage | None = None
    if isinstance(data, Mapping):
        choices = data.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], Mapping):
            message = choices[0].get("message") or {}
            content = message.get("content") if isinstance(message, Mapping) else None
            text = content if isinstance(content, str) else choices[0].get("text")
        elif isinstance(data.get("content"), list):
            parts = [p.get("text") for p in data["content"] if isinstance(p, Mapping)]
            text = "".join(p for p in parts if isinstance(p, str)) or None
        elif isinstance(data.get("content"), str):
            text = data["content"]
        raw_usage = data.get("usage")
        if isinstance(raw_usage, Mapping):
            usage = Usage.from_mapping(raw_usage)
    return (text if isinstance(text, str) else None), usage
