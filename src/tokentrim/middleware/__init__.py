"""Middleware: trim the reply of any model call, in process.

* :func:`wrap` / :func:`trimmed` — wrap a callable (sync or async) that returns a reply or a stream;
* :class:`TrimTransport` / :class:`AsyncTrimTransport` — httpx (and httpx2) transports for any
  httpx-based SDK or OpenAI-compatible router;
* :mod:`tokentrim.middleware.core` — the I/O-free rewrite core all of them (and the proxy) drive.

The transports are imported lazily: ``import tokentrim.middleware`` does not import an HTTP client.
"""

from __future__ import annotations

from typing import Any

from tokentrim.middleware.wrap import trimmed, wrap

__all__ = ["AsyncTrimTransport", "TrimTransport", "trimmed", "wrap"]


def __getattr__(name: str) -> Any:
    if name in ("TrimTransport", "AsyncTrimTransport"):
        from tokentrim.middleware import transport

        return getattr(transport, name)
    raise AttributeError(f"module 'tokentrim.middleware' has no attribute {name!r}")
