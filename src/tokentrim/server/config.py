"""The proxy's own settings (trimming itself is configured by :class:`tokentrim.settings.Settings`)."""

from __future__ import annotations

import dataclasses

__all__ = ["DEFAULT_MAX_BODY", "ServerConfig"]

DEFAULT_MAX_BODY = 32 * 1024 * 1024  # prompts with whole repositories in them are large


@dataclasses.dataclass(frozen=True)
class ServerConfig:
    """How the proxy talks to clients and to its upstream."""

    api_key: str | None = None  # clients must send it as ``x-tokentrim-api-key``
    max_body: int = DEFAULT_MAX_BODY  # bytes of a request body; more is a 413
    connect_timeout: float = 10.0
    read_timeout: float = 600.0  # between two reads of the upstream reply (reasoning models wait)
    max_connections: int = 512  # the pooled upstream client's limit
    access_log: bool = True
