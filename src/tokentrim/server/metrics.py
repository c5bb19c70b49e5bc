"""Prometheus metrics of the proxy; correct across ``--workers N`` through prometheus-client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``tokentrim serve`` before the workers
start: each worker writes its own files, ``/metrics`` of any worker sums them all).
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """One set per app (its own registry, so tests can make several apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "tokentrim_requests",
            "Requests by route and status.",
            ["route", "status"],
            registry=registry,
        )
        self.upstream_errors = Counter(
            "tokentrim_upstream_errors",
            "Upstream failures by kind (timeout, connect, broken stream).",
            ["kind"],
            registry=registry,
        )
        self.untrimmed = Counter(
            "tokentrim_untrimmed",
            "Replies relayed untrimmed (or partly), by route and reason: tokentrim's own failures"
            " (exception, internal_error, partial, stream_error), replies it could not read"
            " (unreadable) or whose code it skipped (skipped: it does not parse, is too large),"
            " requests whose reply must stay as it is (request: logprobs, structured output,"
            " opted out), replies with no text to trim (no_text: a tool call) and replies relayed"
            " as they came (relayed: an error status, another content type); unchanged: trim()"
            " ran, failed nothing and found nothing to cut (prose only, code already tight).",
            ["route", "reason"],
            registry=registry,
        )
        self.tokens_before = Counter(
            "tokentrim_tokens_before", "Reply tokens before trimming.", registry=registry
        )
        self.tokens_after = Counter(
            "tokentrim_tokens_after", "Reply tokens after trimming.", registry=registry
        )
        self.added_latency = Histogram(
            "tokentrim_added_latency_seconds",
            "Time the proxy itself spent on a request (not waiting for the upstream).",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.open_streams = Gauge(
            "tokentrim_open_streams",
            "Streams being relayed now.",
            registry=registry,
            multiprocess_mode="livesum",
        )

    def render(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
