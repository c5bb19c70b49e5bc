"""The upstream connection pool, in shards behind the one client.

httpcore 1.0's pool re-counts its connections for every idle one each time a request starts or
ends: O(connections²) a request (encode/httpcore#1035, unreleased). At 64 streams in flight that
bookkeeping was a fifth of the proxy's event loop (``cProfile``: 10 s of 55 s in
``_assign_requests_to_connections`` for 400 requests). :class:`ShardedPool` spreads requests
round-robin over a few ordinary pools, each with its share of the limits, so each one's
bookkeeping stays small; keep-alive, timeouts and limits work as before, per shard.
"""

from __future__ import annotations

import itertools
import math

import httpx

__all__ = ["SHARDS", "ShardedPool"]

SHARDS = 8


class ShardedPool(httpx.AsyncBaseTransport):
    """``shards`` ``httpx.AsyncHTTPTransport`` pools, ``limits`` split between them."""

    def __init__(self, limits: httpx.Limits, shards: int = SHARDS) -> None:
        def share(value: int | None) -> int | None:
            return None if value is None else max(1, math.ceil(value / shards))

        each = httpx.Limits(
            max_connections=share(limits.max_connections),
            max_keepalive_connections=share(limits.max_keepalive_connections),
            keepalive_expiry=limits.keepalive_expiry,
        )
        # trust_env=False: no certificate or proxy settings from the environment (the client's
        # own default transport is built the same way when the client has trust_env=False).
        self._pools = [
            httpx.AsyncHTTPTransport(limits=each, trust_env=False) for _ in range(shards)
        ]
        self._turn = itertools.cycle(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await next(self._turn).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()
