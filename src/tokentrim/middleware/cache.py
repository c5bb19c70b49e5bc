"""Replies and code blocks the rewrite core trimmed before, for long-lived processes that see
the same text again (a retried request, ``n > 1`` choices that agree, the same answer asked for
again): the proxy, the transports, the LiteLLM hook. Bounded by bytes
(:class:`tokentrim.caching.ByteBoundedCache`); a result with a failure in it is never kept, since
whatever caused it (a bug, a library's) may not happen again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable

from tokentrim.caching import ByteBoundedCache
from tokentrim.fences import CodeBlock
from tokentrim.pipeline import TrimResult
from tokentrim.settings import Settings

__all__ = ["clear", "failure_reasons", "kept_block", "kept_reply"]

MiB = 1 << 20
_REPLIES: ByteBoundedCache[tuple[Hashable, ...], TrimResult] = ByteBoundedCache(
    16 * MiB, lambda key, r: 2 * (len(r.original) + len(r.text)) + 300 * len(r.blocks) + 1_000
)
_BLOCKS: ByteBoundedCache[tuple[CodeBlock, Settings], str] = ByteBoundedCache(
    8 * MiB, lambda key, code: 2 * (2 * len(key[0].code) + len(code)) + 1_000
)


def failure_reasons(result: TrimResult) -> list[str]:
    """What tokentrim itself failed at in ``result``, not the reply's code: internal errors (a
    bug, a library's), blocks a safety net failed, parsers that gave up on the code's depth.
    Empty: ``result`` is what ``trim()`` gives this text every time."""
    reasons = [w for w in result.warnings if "internal error" in w or "nested too deeply" in w]
    reasons += [
        f"{block.lang} block {block.status}: {block.reason}"
        for block in result.blocks
        if block.status == "failed" or "nested too deeply" in block.reason
    ]
    return reasons


def kept_reply(key: tuple[Hashable, ...], trim: Callable[[], TrimResult]) -> TrimResult:
    """The result kept for ``key`` (the text and all that decides its trimming), else
    ``trim()``'s, kept unless it holds a failure."""
    hit = _REPLIES.get(key)
    if hit is not None:
        return hit
    result = trim()
    if not failure_reasons(result):
        _REPLIES.put(key, result)
    return result


def kept_block(block: CodeBlock, settings: Settings, clean: Callable[[], str]) -> str:
    """The new code kept for ``block`` (wherever it stands in its reply), else ``clean()``'s —
    kept only when it changed: trim_block does not say whether an unchanged block failed."""
    key = (dataclasses.replace(block, start=0, end=0), settings)
    hit = _BLOCKS.get(key)
    if hit is not None:
        return hit
    new_code = clean()
    if new_code != block.code:
        _BLOCKS.put(key, new_code)
    return new_code


def clear() -> None:
    """Forget every kept reply and block."""
    _REPLIES.clear()
    _BLOCKS.clear()
