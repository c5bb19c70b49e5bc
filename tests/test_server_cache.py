"""The rewrite core keeps replies and blocks it trimmed (bounded by bytes), so the proxy does not
trim the same text twice; what it keeps is exactly what trimming gives, and never a failure."""

from __future__ import annotations

import ast
import json
import uuid

import pytest

from tokentrim import pipeline, pyast, trim
from tokentrim.middleware import core
from tokentrim.middleware.core import TextStream, rewrite_body
from tokentrim.providers import api_for_path
from tokentrim.settings import Settings

CHAT = api_for_path("/v1/chat/completions")


def _reply() -> str:
    tag = uuid.uuid4().hex[:8]  # a text no earlier test trimmed
    return (
        "Here:\n\n```python\n"
        f"def f_{tag}(a):\n    # double it\n    return (a * 2)  # twice\n"
        "```\n\nDone.\n"
    )


def _body(text: str) -> bytes:
    choice = {"index": 0, "message": {"role": "assistant", "content": text}}
    return json.dumps({"model": "gpt-4o", "choices": [choice]}).encode("utf-8")


def _content(body: bytes | None, fallback: bytes) -> str:
    return str(json.loads(body or fallback)["choices"][0]["message"]["content"])


def test_the_same_reply_is_trimmed_once_and_gets_the_same_text() -> None:
    assert CHAT is not None
    text = _reply()
    seen: list[object] = []
    first, _ = rewrite_body(CHAT, _body(text), Settings(), on_trim=seen.append)
    second, _ = rewrite_body(CHAT, _body(text), Settings(), on_trim=seen.append)
    assert first == second and _content(first, b"") == trim(text).text
    assert seen[0] is seen[1]  # the kept result, not a second trim
    other, _ = rewrite_body(CHAT, _body(text), Settings(level="safe"), on_trim=seen.append)
    assert seen[2] is not seen[0]  # other settings: trimmed afresh
    assert _content(other, _body(text)) == trim(text, level="safe").text


def test_a_result_with_a_failure_in_it_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    assert CHAT is not None
    text = _reply()

    def broken(source: str) -> ast.Module:
        raise SystemError("AST constructor recursion depth mismatch (before=51, after=47)")

    with monkeypatch.context() as patch:
        patch.setattr(pyast, "parse", broken)
        failed, _ = rewrite_body(CHAT, _body(text), Settings())
    assert _content(failed, _body(text)) == text  # the block failed: left as it was
    again, _ = rewrite_body(CHAT, _body(text), Settings())
    assert _content(again, _body(text)) == trim(text).text


def test_streamed_blocks_are_cleaned_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = pipeline.trim_block

    def counting(block: object, settings: Settings) -> str:
        calls.append("x")
        return real(block, settings)  # type: ignore[arg-type]

    monkeypatch.setattr(core, "trim_block", counting)
    text = _reply()
    outs = []
    for _ in range(2):
        stream = TextStream(Settings())
        outs.append("".join(stream.feed(text[i : i + 7]) for i in range(0, len(text), 7)))
        outs[-1] += stream.close()
    assert outs[0] == outs[1] == trim(text, code="fenced").text
    assert len(calls) == 1
