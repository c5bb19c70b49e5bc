"""The I/O-free rewrite core every middleware shell drives: payload in, payload out; events in, out.

* :func:`rewrite_payload` / :func:`rewrite_body` — a whole reply (an SDK object, a parsed JSON
  body, or the body's bytes): each reply text trimmed with ``trim()`` and put back, bytes spliced
  byte-preservingly and parsed back (:mod:`tokentrim.providers.splice`).
* :class:`TextStream` — one reply text arriving in pieces: prose released as it arrives
  (:class:`~tokentrim.fences.IncrementalScanner`), a code block held until its closing fence and
  released cleaned. The concatenated output equals ``trim(whole).text`` for any chunking.
* :class:`StreamRewriter` — a stream of events of one API (parsed SSE payloads or SDK chunk
  objects): maps each event's pieces to channels (a choice, a content block, a candidate) and says
  what to emit: the event as it was, the event with new texts, or a new event (a copy of the
  channel's last text event) carrying text released when a channel ends.
* :class:`~tokentrim.middleware.sse.SSERewriter` — bytes of a ``text/event-stream`` in, bytes
  out, on top of the above (in ``sse.py``).

The sync and async ``wrap()`` shells, the httpx transports, the LiteLLM hook and the proxy only do
I/O around these; nothing here imports an HTTP library.

What streaming holds back, and why (``Settings`` decides):

================================= ===========================================================
prose, ``safe``/``standard``      nothing: released as it arrives (a line that could still
                                  open a fence is held until it cannot)
a fenced code block               until its closing fence (or the end of the stream)
``prose="drop"``                  prose until the first code block (a reply without one keeps
                                  its prose); after it, prose is dropped as it arrives
text rules (``think=strip``,      the whole reply: ``think`` strips everything before a lone
``filler-prose``, so              ``</think>`` line that may come at any point, and
``aggressive``)                   ``filler-prose`` the last paragraph after all code and keeps
                                  a reply it would empty; neither can release text early
``code="whole"``, FIM             the whole reply: it is one code fragment
================================= ===========================================================

With ``code="auto"`` a stream trimmed incrementally treats only fenced code as code: prose is never
delayed to find out whether the whole reply is bare Python (a non-streamed reply, and a stream held
whole, is checked as ``trim()`` does).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any, NamedTuple

from tokentrim.fences import CodeEvent, IncrementalScanner, render_block
from tokentrim.middleware.cache import failure_reasons, kept_block, kept_reply
from tokentrim.pipeline import TrimResult, trim, trim_block
from tokentrim.providers import Api, Channel, JsonPath, mistral_fim
from tokentrim.providers._base import as_mapping
from tokentrim.providers.splice import splice, value_at
from tokentrim.rules import TextRule, enabled_rules
from tokentrim.settings import Settings
from tokentrim.tokens import count_tokens

__all__ = [
    "Emit",
    "PayloadResult",
    "StreamRewriter",
    "TextStream",
    "apply_texts",
    "failure_reasons",
    "request_skip_reason",
    "rewrite_body",
    "rewrite_payload",
    "settings_for",
    "stream_mode",
    "trim_reply",
    "warm_up",
]

OnResult = Callable[[TrimResult], object]


def trim_reply(
    api: Api | None,
    text: str,
    settings: Settings,
    *,
    model: str | None = None,
    usage: Any = None,
) -> TrimResult:
    """``trim()`` of one reply text of ``api``.

    A FIM reply is a bare fragment: when it does not parse on its own because it starts inside a
    block (the indented rest of a function body), it is cleaned at the ``safe`` level inside a
    wrapper function — comments stripped, indentation kept, the AST proved unchanged by the
    pipeline's safety net — and the wrapper is taken off again; otherwise it is left as it is.
    The review figures of ``.cost`` are then those of the fragment before cleaning.
    """
    result = trim(text, model=model, settings=settings, usage=usage)
    if api is None or api.name != mistral_fim.API.name or result.changed:
        return result
    if not any(block.status == "skipped" and "parse" in block.reason for block in result.blocks):
        return result
    body = text if text.endswith("\n") else text + "\n"
    safe = settings.replace(level="safe", enable=frozenset(), disable=frozenset(), model=None)
    wrapped = trim(_FIM_WRAPPER + body, settings=safe)
    if not wrapped.changed or not wrapped.text.startswith(_FIM_WRAPPER):
        return result
    new = wrapped.text[len(_FIM_WRAPPER) :]
    if not text.endswith("\n"):
        new = new.removesuffix("\n")  # spliced before the user's next line: no newline of ours
    if new == text:
        return result
    after = count_tokens(new, model=model or settings.model)
    return dataclasses.replace(
        result, text=new, tokens_after=after, rules=wrapped.rules, blocks=wrapped.blocks
    )


_FIM_WRAPPER = "def _tokentrim_fragment():\n"


def settings_for(api: Api | None, settings: Settings) -> Settings:
    """The settings a reply of ``api`` is trimmed with: FIM replies are code, not markdown."""
    if api is not None and api.name == mistral_fim.API.name:
        return settings.replace(**mistral_fim.SETTINGS_OVERRIDES)
    return settings


def _trim_cached(api: Api | None, text: str, settings: Settings, model: str | None) -> TrimResult:
    """``trim_reply`` without usage (nothing to price), kept for the same text (``cache``)."""
    key = (api.name if api is not None else None, text, settings, model)
    return kept_reply(key, lambda: trim_reply(api, text, settings, model=model))


# --------------------------------------------------------------------------------------------
# Whole payloads.


@dataclasses.dataclass(frozen=True)
class PayloadResult:
    """What :func:`rewrite_payload` did: new texts by path, tokens, and the call's result."""

    texts: dict[JsonPath, str]  # only the paths whose text changed
    tokens_before: int
    tokens_after: int
    result: TrimResult | None  # the whole call's result (with its cost), when asked for


def rewrite_payload(
    api: Api,
    payload: Any,
    settings: Settings,
    *,
    want_result: bool = False,
    on_trim: OnResult | None = None,
) -> PayloadResult | None:
    """Trim every reply text of ``payload`` (parsed JSON or an SDK object); None if it has none.

    Each text (a choice, a text part, a text block) is trimmed on its own, as the JSONL rewrite
    does. With ``want_result`` the call's :class:`TrimResult` is priced from the provider's usage:
    for one text it is that text's result; for several (``n > 1``) it is ``trim()`` of the texts
    joined, so that the call's usage is priced once. ``on_trim`` sees each text's result (its
    warnings and block outcomes: why a text was left as it was).
    """
    record = api.read(payload)
    if record is None or not record.slots:
        return None
    settings = settings_for(api, settings)
    model = record.model or settings.model
    usage = record.usage
    single = len(record.slots) == 1
    texts: dict[JsonPath, str] = {}
    before = after = 0
    result = None
    for slot in record.slots:
        if single and want_result:
            trimmed = result = trim_reply(api, slot.text, settings, model=model, usage=usage)
        else:
            trimmed = _trim_cached(api, slot.text, settings.replace(model=None), model)
        if on_trim is not None:
            on_trim(trimmed)
        before += trimmed.tokens_before
        after += trimmed.tokens_after
        if trimmed.text != slot.text:
            texts[slot.path] = trimmed.text
    if record.mirror is not None and texts:
        texts[record.mirror] = "".join(texts.get(slot.path, slot.text) for slot in record.slots)
    if want_result and result is None:
        result = trim_reply(api, record.text, settings, model=model, usage=usage)
    return PayloadResult(texts, before, after, result)


def rewrite_body(
    api: Api,
    body: bytes,
    settings: Settings,
    *,
    want_result: bool = False,
    on_trim: OnResult | None = None,
) -> tuple[bytes | None, PayloadResult | None]:
    """A JSON body with its reply texts trimmed (None when nothing changed) and what was done.

    The new body is the old one with only the reply strings spliced in and parsed back; a body
    that is not JSON, or not this API's, gives ``(None, None)``. ``on_trim``: as for
    :func:`rewrite_payload`.
    """
    try:
        text = body.decode("utf-8")
        payload = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, None
    done = rewrite_payload(api, payload, settings, want_result=want_result, on_trim=on_trim)
    if done is None or not done.texts:
        return None, done
    old = {path: value_at(payload, path) for path in done.texts}
    return splice(text, payload, old, done.texts).encode("utf-8"), done


def apply_texts(obj: Any, texts: Mapping[JsonPath, str]) -> Any:
    """A copy of ``obj`` (a dict or an SDK object) with the strings at ``texts``' paths replaced."""
    if not texts:
        return obj
    new = _copy(obj)
    for path, value in texts.items():
        node: Any = new
        step: Any
        for step in path[:-1]:
            node = node[step] if isinstance(node, (dict, list)) else getattr(node, str(step))
        last: Any = path[-1]
        if isinstance(node, (dict, list)):
            node[last] = value
        else:
            setattr(node, str(last), value)
    return new


def _copy(obj: Any) -> Any:
    model_copy = getattr(obj, "model_copy", None)
    if callable(model_copy):
        return model_copy(deep=True)
    return copy.deepcopy(obj)


def request_skip_reason(api: Api, request: Mapping[str, Any]) -> str | None:
    """Why a request's reply must not be rewritten (None: rewrite it).

    Log probabilities are aligned with the tokens of the original text; JSON mode and structured
    outputs are data, not prose with code in it.
    """
    if request.get("logprobs") or request.get("top_logprobs"):
        return "logprobs requested: trimming would break their alignment with the text"
    include = request.get("include")
    if isinstance(include, list) and any("logprobs" in str(item) for item in include):
        return "logprobs requested: trimming would break their alignment with the text"
    response_format = request.get("response_format")
    if isinstance(response_format, Mapping) and response_format.get("type") != "text":
        return "JSON mode / structured output"
    text = request.get("text")
    fmt = text.get("format") if isinstance(text, Mapping) else None
    if isinstance(fmt, Mapping) and fmt.get("type") not in (None, "text"):
        return "structured output"
    if request.get("output_format") or (
        isinstance(request.get("output_config"), Mapping) and request["output_config"].get("format")
    ):
        return "structured output"
    tool_choice = request.get("tool_choice")
    if isinstance(tool_choice, Mapping) and tool_choice.get("type") in ("tool", "any"):
        return "forced tool use (structured output)"
    config = request.get("generationConfig") or request.get("generation_config")
    if isinstance(config, Mapping):
        mime = config.get("responseMimeType") or config.get("response_mime_type")
        if (
            (mime and mime != "text/plain")
            or config.get("responseSchema")
            or config.get("responseJsonSchema")
        ):
            return "JSON mode / structured output"
    return None


# --------------------------------------------------------------------------------------------
# One reply text, streamed.


def warm_up(settings: Settings) -> None:
    """Load up front what the first call would pay for (the rule registry: ~60 ms), so that the
    first streamed reply of a process starts as fast as the others. The shells call it."""
    stream_mode(settings)


def stream_mode(settings: Settings) -> str:
    """How a streamed reply is trimmed: ``"incremental"``, ``"drop"`` (prose) or ``"whole"``."""
    if settings.code == "whole" or any(
        issubclass(rule, TextRule) for rule in enabled_rules(settings)
    ):
        return "whole"
    return "drop" if settings.prose == "drop" else "incremental"


class TextStream:
    """One reply text arriving in pieces; ``feed`` and ``close`` return what may be released.

    The concatenation of everything returned equals ``trim(text, settings=settings).text`` of the
    whole text (with ``code="fenced"`` when ``code`` is ``"auto"``: see the module docstring).
    ``abort`` ends a broken stream: it returns what was held back, as received.
    """

    def __init__(self, settings: Settings, api: Api | None = None) -> None:
        self.settings = settings.replace(model=None)
        self.mode = stream_mode(settings)
        self.api = api  # a FIM reply is trimmed as :func:`trim_reply` does
        self._scanner = IncrementalScanner()
        self._received: list[str] = []
        self._released: list[str] = []
        self._raw_done = 0  # characters of the input accounted for by released events
        self._held_prose: list[str] = []  # prose="drop": prose until the first block
        self._blocks = 0
        self.closed = False

    @property
    def original(self) -> str:
        return "".join(self._received)

    @property
    def released(self) -> str:
        return "".join(self._released)

    def feed(self, text: str) -> str:
        if self.closed or not text:
            return ""
        self._received.append(text)
        if self.mode == "whole":
            return ""
        return self._release(self._scanner.feed(text))

    def close(self) -> str:
        if self.closed:
            return ""
        self.closed = True
        if self.mode == "whole":
            return self._out(_trim_cached(self.api, self.original, self.settings, None).text)
        out = self._release(self._scanner.close())
        if self.mode == "drop" and not self._blocks:
            out += self._out("".join(self._held_prose))
        return out

    def abort(self) -> str:
        """What was received but not released, as received (the stream broke)."""
        if self.closed:
            return ""
        self.closed = True
        if self.mode == "whole":
            return self._out(self.original)
        held = self.original[self._raw_done :]
        if self.mode == "drop" and not self._blocks:
            held = "".join(self._held_prose) + held
        return self._out(held)

    def _release(self, events: Iterable[Any]) -> str:
        out: list[str] = []
        for event in events:
            self._raw_done += len(event.raw)
            if not isinstance(event, CodeEvent):
                if self.mode == "drop":
                    if not self._blocks:
                        self._held_prose.append(event.raw)
                else:
                    out.append(event.raw)
                continue
            block = event.block
            new_code = kept_block(block, self.settings, partial(trim_block, block, self.settings))
            if self.mode == "drop":
                out.append(("\n" if self._blocks else "") + _fenced_afresh(block, new_code))
            else:
                out.append(event.raw if new_code == block.code else render_block(block, new_code))
            self._blocks += 1
        return self._out("".join(out))

    def _out(self, text: str) -> str:
        if text:
            self._released.append(text)
        return text


def _fenced_afresh(block: Any, code: str) -> str:
    from tokentrim.pipeline import _drop_prose  # the exact rendering trim() uses for prose="drop"

    return _drop_prose([(block, code)])


# --------------------------------------------------------------------------------------------
# A stream of one API's events.


class Emit(NamedTuple):
    """One event to send: ``event`` with the strings at ``texts`` replaced (none: as it was).

    ``synthesized`` events are copies of a channel's last text event (``event``, ``handle``),
    carrying text released when the channel ended.
    """

    event: Any
    texts: dict[JsonPath, str]
    synthesized: bool = False
    handle: Any = None


@dataclasses.dataclass
class _Template:
    event: Any
    handle: Any
    path: JsonPath
    others: tuple[JsonPath, ...]


class StreamRewriter:
    """The per-stream state machine: events of one API in, :class:`Emit` s out, in order.

    Events are parsed SSE payloads or SDK chunk objects (read through the provider layer).
    ``finish()`` at the end of the stream closes every channel; ``abort()`` when it broke
    releases what was held, as received. ``result()`` is the call's :class:`TrimResult`, priced
    from the usage the stream reported.
    """

    def __init__(self, api: Api, settings: Settings) -> None:
        self.api = api
        self.settings = settings_for(api, settings)
        self.channels: dict[Channel, TextStream] = {}
        self._templates: dict[Channel, _Template] = {}
        self._usage: dict[str, Any] = {}
        self.model: str | None = None

    def feed(self, event: Any, handle: Any = None) -> list[Emit]:
        pieces = self.api.pieces(event)
        texts: dict[JsonPath, str] = {}
        last_path: dict[Channel, JsonPath] = {}
        paths = tuple(piece.path for piece in pieces)
        for piece in pieces:
            channel = self._channel(piece.channel)
            released = channel.feed(piece.text)
            texts[piece.path] = texts.get(piece.path, "") + released
            last_path[piece.channel] = piece.path
            self._templates[piece.channel] = _Template(
                event, handle, piece.path, tuple(p for p in paths if p != piece.path)
            )
        before: list[Emit] = []
        ends = self.api.ends(event)
        for key in list(self.channels) if ends is None else ends:
            ending = self.channels.get(key)
            if ending is None or ending.closed:
                continue
            rest = ending.close()
            if not rest:
                continue
            if key in last_path:
                texts[last_path[key]] += rest
            else:
                before.extend(self._synthesize(key, rest))
        for full in self.api.full_texts(event):
            done = self.channels.get(full.channel)
            if done is not None and done.closed and full.text == done.original:
                texts[full.path] = done.released
        self._note(event)
        originals = {piece.path: piece.text for piece in pieces}
        originals.update({full.path: full.text for full in self.api.full_texts(event)})
        changed = {path: text for path, text in texts.items() if text != originals.get(path)}
        return [*before, Emit(event, changed, False, handle)]

    def finish(self) -> list[Emit]:
        """The stream ended: release what every open channel held."""
        out: list[Emit] = []
        for key, channel in self.channels.items():
            if not channel.closed:
                out.extend(self._synthesize(key, channel.close()))
        return out

    def abort(self) -> list[Emit]:
        """The stream broke: release what was held back, as received."""
        out: list[Emit] = []
        for key, channel in self.channels.items():
            out.extend(self._synthesize(key, channel.abort()))
        return out

    @property
    def original(self) -> str:
        return "\n\n".join(channel.original for channel in self.channels.values())

    @property
    def released(self) -> str:
        return "\n\n".join(channel.released for channel in self.channels.values())

    def result(self) -> TrimResult:
        """The call's result: ``trim()`` of the reply (choices joined), priced from its usage."""
        model = self.model or self.settings.model
        usage = self._usage or None
        return trim_reply(self.api, self.original, self.settings, model=model, usage=usage)

    def _channel(self, key: Channel) -> TextStream:
        channel = self.channels.get(key)
        if channel is None:
            channel = self.channels[key] = TextStream(self.settings, self.api)
        return channel

    def _synthesize(self, key: Channel, text: str) -> list[Emit]:
        template = self._templates.get(key)
        if not text or template is None:
            return []
        texts = {template.path: text, **dict.fromkeys(template.others, "")}
        return [Emit(template.event, texts, True, template.handle)]

    def _note(self, event: Any) -> None:
        usage = as_mapping(self.api.usage(event))
        if usage:
            self._usage.update({k: v for k, v in usage.items() if v is not None})
        model = self.api.model(event)
        if model and self.model is None:
            self.model = model
