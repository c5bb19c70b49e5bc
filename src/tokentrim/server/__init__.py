"""``tokentrim serve``: an OpenAI- and Anthropic-compatible trimming proxy (``tokentrim[server]``).

Point a router, IDE plugin or tool's base URL at it; it forwards every request to the configured
upstream and trims model replies with the middleware's rewrite core
(:mod:`tokentrim.middleware.core`, :mod:`tokentrim.middleware.sse`) — the same code, plain and
streamed. See ``docs/server.md``.
"""

from __future__ import annotations

from tokentrim.server.app import create_app
from tokentrim.server.config import ServerConfig

__all__ = ["ServerConfig", "create_app"]
