"""``tokentrim serve``: the trimming proxy (``tokentrim[server]``; see ``docs/server.md``)."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import click

from tokentrim.cli.options import settings_from_options, settings_options
from tokentrim.cli.outcome import EXIT_INPUT, EXIT_OK, error, warning

__all__ = ["serve_command"]

INSTALL_HINT = "tokentrim serve needs the server extra: pip install 'tokentrim[server]'"


@click.command("serve")
@click.option(
    "--upstream", required=True, metavar="URL", help="The provider or router to forward to."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8787, show_default=True, type=int, help="Port to bind.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--api-key",
    envvar="TOKENTRIM_SERVE_API_KEY",
    help="Clients must send it as x-tokentrim-api-key (or set TOKENTRIM_SERVE_API_KEY).",
)
@click.option(
    "--max-body", default=32 * 1024 * 1024, show_default=True, type=int, help="Bytes (413 over)."
)
@click.option(
    "--timeout", default=600.0, show_default=True, type=float, help="Upstream read timeout, s."
)
@click.option(
    "--shutdown-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(0),
    help="On SIGTERM, seconds open streams get to finish.",
)
@click.option("--no-access-log", is_flag=True, help="No access-log line per request.")
@settings_options
def serve_command(
    upstream: str,
    host: str,
    port: int,
    workers: int,
    api_key: str | None,
    max_body: int,
    timeout: float,
    shutdown_timeout: int,
    no_access_log: bool,
    **options: Any,
) -> int:
    """Proxy OpenAI/Anthropic-compatible requests to --upstream and trim the replies."""
    try:
        import uvicorn

        import tokentrim.server  # noqa: F401 - starlette, prometheus-client, httpx
    except ImportError as exc:
        error(f"{INSTALL_HINT} ({exc.name} is missing)")
        return EXIT_INPUT
    from tokentrim.server.app import CONFIG_ENV
    from tokentrim.server.config import ServerConfig

    if not upstream.startswith(("http://", "https://")):
        error(f"--upstream must be an http:// or https:// URL, not {upstream!r}")
        return EXIT_INPUT
    settings = settings_from_options(options)
    if not _is_loopback(host) and not api_key:
        warning(f"binding {host} without --api-key: anyone who can reach it can use your upstream")
    config = ServerConfig(
        api_key=api_key, max_body=max_body, read_timeout=timeout, access_log=not no_access_log
    )
    fields = {
        f.name: sorted(v) if isinstance(v := getattr(settings, f.name), frozenset) else v
        for f in dataclasses.fields(settings)
    }
    os.environ[CONFIG_ENV] = json.dumps(
        {"upstream": upstream, "settings": fields, "config": dataclasses.asdict(config)}
    )
    multiproc = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    made = None  # the metrics directory made here, removed when the server stops
    if multiproc:
        # prometheus-client's rule: the directory is wiped before the server starts, or the
        # counts of the previous run (and of dead processes) are summed in.
        for stale in Path(multiproc).glob("*.db"):
            stale.unlink(missing_ok=True)
    elif workers > 1:
        # Each worker writes its metrics there; /metrics of any worker sums them.
        made = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
            prefix="tokentrim-metrics-"
        )
    click.echo(
        f"tokentrim: proxying http://{host}:{port} -> {upstream} ({workers} worker(s))", err=True
    )
    try:
        uvicorn.run(
            "tokentrim.server.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,  # ours has no query strings (keys travel in some) and no bodies
            timeout_graceful_shutdown=shutdown_timeout,
            log_level="warning",
        )
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
    return EXIT_OK


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
