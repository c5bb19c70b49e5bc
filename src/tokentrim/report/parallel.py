""":func:`measure_reply` in worker processes, replies read lazily and results yielded in order.

Workers are spawned, not forked (the parent may run threads: a progress bar, a server). Each one
loads settings, prices and the ``--compare`` models once, in its initializer.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from tokentrim.cost import PriceTable, ResolvedModel, resolve_model
from tokentrim.report.measure import ReplyCost, measure_reply
from tokentrim.settings import Settings

if TYPE_CHECKING:
    from tokentrim.sources.records import Reply

__all__ = ["measure_in_processes"]

# Replies in flight per worker: enough to keep workers busy, few enough to keep memory flat.
_CHUNK = 16
_CHUNKS_PER_JOB = 4


def measure_in_processes(
    replies: Iterable[Reply],
    *,
    settings: Settings,
    prices: PriceTable | None,
    compare: Sequence[str],
    jobs: int,
) -> Iterator[ReplyCost]:
    """measure_reply in ``jobs`` processes, reading replies lazily and yielding in input order."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    from tokentrim import tokens

    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    pending: deque[Future[list[ReplyCost]]] = deque()
    initargs = (settings, prices, compare, tokens.choices())
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_init_worker, initargs=initargs
    ) as pool:
        for chunk in _chunks(replies, _CHUNK):
            pending.append(pool.submit(_measure_chunk, chunk))
            if len(pending) >= jobs * _CHUNKS_PER_JOB:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


@dataclasses.dataclass
class _Worker:
    settings: Settings
    prices: PriceTable | None
    compare: list[ResolvedModel]


_worker: _Worker | None = None  # set in each worker process by _init_worker


def _init_worker(
    settings: Settings,
    prices: PriceTable | None,
    compare: Sequence[str],
    encodings: dict[str, str],
) -> None:
    from tokentrim import tokens

    global _worker
    tokens.adopt(encodings)  # count exactly as the parent does
    resolved = (resolve_model(name, prices) for name in compare)
    _worker = _Worker(settings, prices, [model for model in resolved if model is not None])


def _measure_chunk(chunk: list[Reply]) -> list[ReplyCost]:
    assert _worker is not None, "_init_worker runs first in every worker"
    return [
        measure_reply(
            reply, settings=_worker.settings, prices=_worker.prices, compare=_worker.compare
        )
        for reply in chunk
    ]


def _chunks(replies: Iterable[Reply], size: int) -> Iterator[list[Reply]]:
    chunk: list[Reply] = []
    for reply in replies:
        chunk.append(reply)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
