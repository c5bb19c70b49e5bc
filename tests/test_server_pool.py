"""The proxy's upstream pool in shards: requests spread over them, limits split, all closed."""

from __future__ import annotations

import anyio
import httpx
import pytest
from standin import StandIn

from tokentrim.server.pool import ShardedPool

pytestmark = pytest.mark.timeout(60)


def test_requests_spread_over_the_shards_and_keep_their_connections() -> None:
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=10, keepalive_expiry=30)
    pool = ShardedPool(limits, shards=4)
    assert [shard._pool._max_connections for shard in pool._pools] == [3, 3, 3, 3]

    async def run(url: str) -> list[int]:
        async with httpx.AsyncClient(transport=pool, base_url=url) as client:
            for _ in range(2):  # the second round reuses each shard's kept-alive connection
                for _ in range(4):
                    body = {"model": "m", "messages": [{"role": "user", "content": "text=hi"}]}
                    response = await client.post("/v1/chat/completions", json=body)
                    assert response.status_code == 200
            counts = [len(shard._pool.connections) for shard in pool._pools]
        assert all(not shard._pool.connections for shard in pool._pools)  # closed with the client
        return counts

    with StandIn() as upstream:
        assert anyio.run(run, upstream.url) == [1, 1, 1, 1]
