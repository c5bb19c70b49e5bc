"""The Starlette app: ``/healthz``, ``/readyz``, ``/metrics``, and every other path proxied."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tokentrim.middleware.core import warm_up
from tokentrim.server.config import ServerConfig
from tokentrim.server.metrics import CONTENT_TYPE_LATEST, Metrics
from tokentrim.server.pool import ShardedPool
from tokentrim.server.proxy import Proxy
from tokentrim.settings import Settings, load_settings
from tokentrim.tokens import warm_up as warm_up_tokens

__all__ = ["create_app"]

logger = logging.getLogger("tokentrim.server")


def create_app(
    upstream: str,
    settings: Settings | None = None,
    *,
    config: ServerConfig | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """The proxy to ``upstream`` (``https://api.openai.com``, a router's base URL, ...).

    A request's path is appended to ``upstream``: with ``upstream=https://openrouter.ai/api`` a
    client whose base URL is ``http://127.0.0.1:8787/v1`` reaches ``.../api/v1/chat/completions``.
    ``settings`` defaults to ``[tool.tokentrim]`` and ``TOKENTRIM_*``; ``transport`` replaces the
    pooled client's HTTP transport (tests).
    """
    settings = load_settings() if settings is None else settings
    config = ServerConfig() if config is None else config
    metrics = Metrics()
    state: dict[str, httpx.AsyncClient] = {}

    def client() -> httpx.AsyncClient:
        if "client" not in state:
            limits = httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_connections,
                keepalive_expiry=30.0,
            )
            state["client"] = httpx.AsyncClient(
                transport=ShardedPool(limits) if transport is None else transport,
                timeout=httpx.Timeout(
                    config.read_timeout, connect=config.connect_timeout, pool=config.read_timeout
                ),
                limits=limits,
                follow_redirects=False,  # a redirect would carry the caller's keys elsewhere
                trust_env=False,  # nor may a proxy from the environment see them
            )
        return state["client"]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        warm_up(settings)
        warm_up_tokens((settings.model,))
        client()
        try:
            yield
        finally:
            if "client" in state:
                await state.pop("client").aclose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            # Any HTTP answer (even a 404) means the upstream is there; no caller keys are sent.
            response = await client().get(str(proxy.upstream), timeout=3.0)
            await response.aclose()
        except httpx.HTTPError as error:
            return JSONResponse(
                {"status": "upstream unreachable", "error": type(error).__name__}, status_code=503
            )
        return JSONResponse({"status": "ready", "upstream_status": response.status_code})

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    proxy = Proxy(upstream, settings, config, metrics, client)
    routes: list[Any] = [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/{path:path}", proxy),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.metrics = metrics
    app.state.proxy = proxy
    return app


CONFIG_ENV = "TOKENTRIM_SERVE_CONFIG"


def app_from_env() -> Starlette:
    """The app a ``tokentrim serve`` worker process builds (uvicorn's factory, ``--workers N``):
    its upstream, settings and config come from the parent as JSON in ``TOKENTRIM_SERVE_CONFIG``.
    """
    import json
    import os
    import sys

    spec = json.loads(os.environ[CONFIG_ENV])
    access = logging.getLogger("tokentrim.server.access")
    if not access.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False
    return create_app(
        spec["upstream"],
        Settings(**spec["settings"]),
        config=ServerConfig(**spec["config"]),
    )
