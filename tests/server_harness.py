"""Start the proxy (uvicorn in a thread) on 127.0.0.1, a random port, for the server tests."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from tokentrim.server import ServerConfig, create_app
from tokentrim.settings import Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proxy:
    """``with Proxy(upstream) as proxy: proxy.url`` — the app served by uvicorn in a thread."""

    def __init__(self, upstream: str, settings: Settings | None = None, **config: Any) -> None:
        self.port = free_port()
        self.app = create_app(
            upstream, settings or Settings(), config=ServerConfig(**{"access_log": False, **config})
        )
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self.port,
                log_level="critical",
                access_log=False,
                timeout_graceful_shutdown=2,
            )
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Proxy:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the proxy did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(10)
