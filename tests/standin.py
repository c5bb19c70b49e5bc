"""A stand-in model provider on 127.0.0.1 (random port) for tests with the real SDKs.

It serves the OpenAI (chat, legacy completions, Responses), Anthropic, Gemini and Mistral FIM
response shapes and their SSE streams, replaying replies from ``corpora/``. What to reply is told in
the prompt (the last user message), as ``key=value`` pairs separated by ``;``:

* ``reply=NAME[,NAME...]`` — corpus files (without ``.md``); several give ``n > 1`` choices (one
  each) — or ``text=...`` for a literal reply (``\\n`` for newlines);
* ``fault=429|500`` — an error response in the provider's shape; ``fault=truncate`` — a stream (or
  body) cut off mid-way without the end of its chunked encoding; ``fault=eof`` — a stream that
  stops early but cleanly (no ``[DONE]``, no final events); ``fault=slow`` — 20 ms between events;
  ``fault=gzip`` — a gzip-compressed JSON body; ``fault=tools`` — a tool call instead of text;
* ``fault=badjson`` — a 200 JSON body (or an SSE data line) that is not valid JSON;
  ``latency=MS`` — wait before answering; ``pace=MS`` — wait between the writes of a stream
  (simulated latency and token pacing, for the proxy's load benchmark);
* ``seed=N`` — the seed of the random delta boundaries and of the byte boundaries the SSE stream is
  written with (inside SSE lines, inside multi-byte characters);
* ``tag=T`` — each reply made unique to this request (:func:`tagged`), so that no cache of
  replies or blocks can answer it.

``StandIn.requests`` records every request (path, headers, JSON body) for assertions.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
USAGE_IN = 11


def corpus(name: str) -> str:
    return (CORPORA / f"{name}.md").read_bytes().decode("utf-8")


_PYTHON_FENCE = re.compile(r"(?m)^```(?:python|py)\b[^\n]*\n")


def tagged(text: str, tag: str) -> str:
    """``text`` as no other request gets it: a first line naming ``tag``, and a comment naming it
    at the top of every Python block (so neither the reply nor any of its Python blocks repeats)."""
    marked = _PYTHON_FENCE.sub(lambda fence: f"{fence.group(0)}# request {tag}\n", text)
    return f"Request {tag}.\n\n{marked}"


class Spec:
    """What the prompt asks the stand-in for."""

    def __init__(self, prompt: str) -> None:
        fields = dict(part.split("=", 1) for part in prompt.strip().split(";") if "=" in part)
        if "text" in fields:
            self.replies = [fields["text"].replace("\\n", "\n")]
        else:
            self.replies = [
                corpus(name) for name in fields.get("reply", "deepseek-lru-cache").split(",")
            ]
        if "tag" in fields:
            self.replies = [tagged(reply, fields["tag"]) for reply in self.replies]
        self.fault = fields.get("fault", "")
        self.seed = int(fields.get("seed", "0"))
        self.latency = float(fields.get("latency", "0")) / 1000
        self.pace = float(fields.get("pace", "0")) / 1000


def deltas(text: str, rng: random.Random) -> list[str]:
    """``text`` cut at random character boundaries (1 to 16 characters a piece)."""
    out, i = [], 0
    while i < len(text):
        n = rng.randint(1, 16)
        out.append(text[i : i + n])
        i += n
    return out or [""]


class StandIn:
    """``with StandIn() as server: server.url`` — a threaded HTTP server for the test session."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the proxy's load benchmark opens 64 connections at once

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # a client hanging up is normal


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    standin: StandIn

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        path = self.path.split("?", 1)[0]
        self.standin.requests.append(
            {"path": self.path, "headers": dict(self.headers), "body": body}
        )
        kind = _kind(path)
        if kind is None:
            return self._json(404, {"error": {"message": f"no route {path}"}})
        spec = Spec(_prompt(kind, body))
        if spec.latency:
            time.sleep(spec.latency)
        if spec.fault in ("429", "500"):
            return self._error(kind, int(spec.fault))
        streaming = bool(body.get("stream")) or path.endswith(":streamGenerateContent")
        model = body.get("model") or path.rsplit("/", 1)[-1].split(":")[0]
        if streaming:
            events = STREAMS[kind](spec, model, body)
            try:
                return self._sse(events, spec)
            except (BrokenPipeError, ConnectionResetError):  # the client stopped reading
                self.close_connection = True
                return None
        return self._json(200, PAYLOADS[kind](spec, model, body), spec)

    # ---- responses ---------------------------------------------------------------------------

    def _json(self, status: int, payload: Any, spec: Spec | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
        if spec is not None and spec.fault == "badjson":
            data = data[: len(data) // 2] + b"}}{"
        self.send_response(status)
        self.send_header("content-type", "application/json")
        if spec is not None and spec.fault == "gzip":
            data = gzip.compress(data)
            self.send_header("content-encoding", "gzip")
        if spec is not None and spec.fault == "truncate":
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, kind: str, status: int) -> None:
        message = f"stand-in says {status}"
        if kind == "anthropic":
            payload: Any = {
                "type": "error",
                "error": {"type": "rate_limit_error", "message": message},
            }
        elif kind == "gemini":
            payload = {
                "error": {"code": status, "message": message, "status": "RESOURCE_EXHAUSTED"}
            }
        else:
            payload = {"error": {"message": message, "type": "rate_limit", "code": str(status)}}
        self._json(status, payload)

    def _sse(self, events: list[tuple[str | None, str]], spec: Spec) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        stream = b"".join(
            (f"event: {name}\n" if name else "").encode() + f"data: {data}\n\n".encode()
            for name, data in events
        )
        if spec.fault == "badjson":
            first = stream.find(b"\n\n") + 2
            stream = (
                stream[:first] + b'data: {"choices": [{"delta": {"content": "x\n\n' + stream[first:]
            )
        rng = random.Random(spec.seed)
        cut = len(stream) // 2 if spec.fault in ("truncate", "eof") else len(stream)
        if spec.fault == "eof":  # end cleanly after the last whole event before the cut
            cut = stream.rfind(b"\n\n", 0, cut) + 2
        pos = 0
        while pos < cut:
            n = min(rng.randint(1, 80), cut - pos)
            piece = stream[pos : pos + n]
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.flush()
            pos += n
            if spec.fault == "slow":
                time.sleep(0.02)
            elif spec.pace:
                time.sleep(spec.pace)
        if spec.fault == "truncate":
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def _kind(path: str) -> str | None:
    if path.endswith((":generateContent", ":streamGenerateContent")):
        return "gemini"
    for suffix, kind in (
        ("/chat/completions", "chat"),
        ("/fim/completions", "fim"),
        ("/completions", "completion"),
        ("/responses", "responses"),
        ("/messages", "anthropic"),
    ):
        if path.endswith(suffix):
            return kind
    return None


def _prompt(kind: str, body: dict[str, Any]) -> str:
    if kind in ("chat", "anthropic"):
        content = body["messages"][-1]["content"]
        if isinstance(content, list):
            return "".join(part.get("text", "") for part in content)
        return str(content)
    if kind == "gemini":
        return str(body["contents"][-1]["parts"][0]["text"])
    if kind == "responses":
        given = body["input"]
        if isinstance(given, list):
            content = given[-1]["content"]
            return content if isinstance(content, str) else content[0]["text"]
        return str(given)
    return str(body.get("prompt", ""))


def _usage_out(spec: Spec) -> int:
    return sum(len(reply) // 4 for reply in spec.replies)


# ---- whole payloads -----------------------------------------------------------------------------


def _chat(spec: Spec, model: str, body: dict[str, Any]) -> dict[str, Any]:
    choices = []
    for i, reply in enumerate(spec.replies):
        message: dict[str, Any] = {"role": "assistant", "content": reply}
        finish = "stop"
        if spec.fault == "tools":
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "run", "arguments": json.dumps({"code": reply})},
                    }
                ],
            }
            finish = "tool_calls"
        choices.append({"index": i, "message": message, "logprobs": None, "finish_reason": finish})
    return {
        "id": "chatcmpl-standin",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "choices": choices,
        "usage": {
            "prompt_tokens": USAGE_IN,
            "completion_tokens": _usage_out(spec),
            "total_tokens": USAGE_IN + _usage_out(spec),
        },
    }


def _completion(spec: Spec, model: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "cmpl-standin",
        "object": "text_completion",
        "created": 1700000000,
        "model": model,
        "choices": [
            {"index": i, "text": reply, "logprobs": None, "finish_reason": "stop"}
            for i, reply in enumerate(spec.replies)
        ],
        "usage": {
            "prompt_tokens": USAGE_IN,
            "completion_tokens": _usage_out(spec),
            "total_tokens": 0,
        },
    }


def _response_output(reply: str, status: str = "completed") -> dict[str, Any]:
    return {
        "id": "msg_standin",
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": [{"type": "output_text", "text": reply, "annotations": []}],
    }


def _responses(spec: Spec, model: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "resp_standin",
        "object": "response",
        "created_at": 1700000000,
        "status": "completed",
        "model": model,
        "output": [
            {"id": "rs_1", "type": "reasoning", "summary": []},
            _response_output(spec.replies[0]),
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": USAGE_IN,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": _usage_out(spec),
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": USAGE_IN + _usage_out(spec),
        },
    }


def _anthropic(spec: Spec, model: str, body: dict[str, Any]) -> dict[str, Any]:
    content: list[dict[str, Any]] = [
        {"type": "thinking", "thinking": "```python\nx = 1  # keep me\n```", "signature": "sig"},
        {"type": "text", "text": spec.replies[0]},
    ]
    if spec.fault == "tools":
        content = [
            {"type": "tool_use", "id": "tu_1", "name": "run", "input": {"code": spec.replies[0]}}
        ]
    return {
        "id": "msg_standin",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": USAGE_IN,
            "output_tokens": _usage_out(spec),
            "cache_read_input_tokens": 0,
            "cache_creation_input_tokens": 0,
        },
    }


def _gemini_usage(spec: Spec) -> dict[str, Any]:
    out = _usage_out(spec)
    return {
        "promptTokenCount": USAGE_IN,
        "candidatesTokenCount": out,
        "totalTokenCount": USAGE_IN + out,
    }


def _gemini(spec: Spec, model: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "**Thinking** `x = 1  # keep`", "thought": True},
                        {"text": reply},
                    ],
                },
                "finishReason": "STOP",
                "index": i,
            }
            for i, reply in enumerate(spec.replies)
        ],
        "usageMetadata": _gemini_usage(spec),
        "modelVersion": model,
        "responseId": "standin",
    }


# ---- streams ------------------------------------------------------------------------------------

Events = list[tuple[str | None, str]]


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _chat_stream(spec: Spec, model: str, body: dict[str, Any]) -> Events:
    rng = random.Random(spec.seed)
    base = {
        "id": "chatcmpl-standin",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
    }
    events: Events = []
    for i in range(len(spec.replies)):
        events.append(
            (
                None,
                _dump(
                    {
                        **base,
                        "choices": [
                            {
                                "index": i,
                                "delta": {"role": "assistant", "content": ""},
                                "finish_reason": None,
                            }
                        ],
                    }
                ),
            )
        )
    if spec.fault == "tools":
        args = json.dumps({"code": spec.replies[0]})
        for piece in deltas(args, rng):
            tool = {"index": 0, "function": {"arguments": piece}}
            events.append(
                (
                    None,
                    _dump(
                        {
                            **base,
                            "choices": [
                                {"index": 0, "delta": {"tool_calls": [tool]}, "finish_reason": None}
                            ],
                        }
                    ),
                )
            )
        events.append(
            (
                None,
                _dump(
                    {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}
                ),
            )
        )
    else:
        queues = [deltas(reply, rng) for reply in spec.replies]
        while any(queues):
            for i, queue in enumerate(queues):
                if queue:
                    piece = queue.pop(0)
                    events.append(
                        (
                            None,
                            _dump(
                                {
                                    **base,
                                    "choices": [
                                        {
                                            "index": i,
                                            "delta": {"content": piece},
                                            "finish_reason": None,
                                        }
                                    ],
                                }
                            ),
                        )
                    )
        for i in range(len(spec.replies)):
            events.append(
                (
                    None,
                    _dump(
                        {**base, "choices": [{"index": i, "delta": {}, "finish_reason": "stop"}]}
                    ),
                )
            )
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {
            "prompt_tokens": USAGE_IN,
            "completion_tokens": _usage_out(spec),
            "total_tokens": USAGE_IN + _usage_out(spec),
        }
        events.append((None, _dump({**base, "choices": [], "usage": usage})))
    events.append((None, "[DONE]"))
    return events


def _fim_stream(spec: Spec, model: str, body: dict[str, Any]) -> Events:
    return _chat_stream(spec, model, body)


def _completion_stream(spec: Spec, model: str, body: dict[str, Any]) -> Events:
    rng = random.Random(spec.seed)
    base = {
        "id": "cmpl-standin",
        "object": "text_completion",
        "created": 1700000000,
        "model": model,
    }
    events: Events = [
        (
            None,
            _dump(
                {
                    **base,
                    "choices": [
                        {"index": 0, "text": piece, "logprobs": None, "finish_reason": None}
                    ],
                }
            ),
        )
        for piece in deltas(spec.replies[0], rng)
    ]
    events.append(
        (
            None,
            _dump(
                {
                    **base,
                    "choices": [
                        {"index": 0, "text": "", "logprobs": None, "finish_reason": "stop"}
                    ],
                }
            ),
        )
    )
    events.append((None, "[DONE]"))
    return events


def _responses_stream(spec: Spec, model: str, body: dict[str, Any]) -> Events:
    rng = random.Random(spec.seed)
    reply = spec.replies[0]
    seq = iter(range(10_000))
    final = _responses(spec, model, body)
    started = {**final, "status": "in_progress", "output": [], "usage": None}

    def ev(kind: str, **fields: Any) -> tuple[str, str]:
        return kind, _dump({"type": kind, "sequence_number": next(seq), **fields})

    item = {
        "id": "msg_standin",
        "type": "message",
        "role": "assistant",
        "status": "in_progress",
        "content": [],
    }
    part = {"type": "output_text", "text": "", "annotations": []}
    where = {"item_id": "msg_standin", "output_index": 1, "content_index": 0}
    events: Events = [
        ev("response.created", response=started),
        ev("response.in_progress", response=started),
        ev(
            "response.output_item.added",
            output_index=0,
            item={"id": "rs_1", "type": "reasoning", "summary": []},
        ),
        ev(
            "response.output_item.done",
            output_index=0,
            item={"id": "rs_1", "type": "reasoning", "summary": []},
        ),
        ev("response.output_item.added", output_index=1, item=item),
        ev("response.content_part.added", part=part, **where),
    ]
    for piece in deltas(reply, rng):
        events.append(ev("response.output_text.delta", delta=piece, logprobs=[], **where))
    events += [
        ev("response.output_text.done", text=reply, logprobs=[], **where),
        ev("response.content_part.done", part={**part, "text": reply}, **where),
        ev("response.output_item.done", output_index=1, item=_response_output(reply)),
        ev("response.completed", response=final),
    ]
    return events


def _anthropic_stream(spec: Spec, model: str, body: dict[str, Any]) -> Events:
    rng = random.Random(spec.seed)
    message = _anthropic(spec, model, body)
    start = {
        **message,
        "content": [],
        "stop_reason": None,
        "usage": {**message["usage"], "output_tokens": 1},
    }
    events: Events = [("message_start", _dump({"type": "message_start", "message": start}))]
    events.append(
        (
            "content_block_start",
            _dump(
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "thinking", "thinking": "", "signature": ""},
                }
            ),
        )
    )
    events.append(
        (
            "content_block_delta",
            _dump(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {
                        "type": "thinking_delta",
                        "thinking": "```python\nx = 1  # keep me\n```",
                    },
                }
            ),
        )
    )
    events.append(("content_block_stop", _dump({"type": "content_block_stop", "index": 0})))
    events.append(("ping", _dump({"type": "ping"})))
    events.append(
        (
            "content_block_start",
            _dump(
                {
                    "type": "content_block_start",
                    "index": 1,
                    "content_block": {"type": "text", "text": ""},
                }
            ),
        )
    )
    for piece in deltas(spec.replies[0], rng):
        events.append(
            (
                "content_block_delta",
                _dump(
                    {
                        "type": "content_block_delta",
                        "index": 1,
                        "delta": {"type": "text_delta", "text": piece},
                    }
                ),
            )
        )
    events.append(("content_block_stop", _dump({"type": "content_block_stop", "index": 1})))
    events.append(
        (
            "message_delta",
            _dump(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": _usage_out(spec)},
                }
            ),
        )
    )
    events.append(("message_stop", _dump({"type": "message_stop"})))
    return events


def _gemini_stream(spec: Spec, model: str, body: dict[str, Any]) -> Events:
    rng = random.Random(spec.seed)
    pieces = deltas(spec.replies[0], rng)
    events: Events = []
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        candidate: dict[str, Any] = {
            "content": {"role": "model", "parts": [{"text": piece}]},
            "index": 0,
        }
        if last:
            candidate["finishReason"] = "STOP"
        chunk = {"candidates": [candidate], "modelVersion": model, "responseId": "standin"}
        chunk["usageMetadata"] = _gemini_usage(spec) if last else {"promptTokenCount": USAGE_IN}
        events.append((None, _dump(chunk)))
    return events


PAYLOADS = {
    "chat": _chat,
    "fim": _chat,
    "completion": _completion,
    "responses": _responses,
    "anthropic": _anthropic,
    "gemini": _gemini,
}
STREAMS = {
    "chat": _chat_stream,
    "fim": _fim_stream,
    "completion": _completion_stream,
    "responses": _responses_stream,
    "anthropic": _anthropic_stream,
    "gemini": _gemini_stream,
}
