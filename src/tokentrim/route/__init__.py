"""Tiered routing: classify requests, escalate while the code fails its check, replay and plan.

    >>> from tokentrim.route import Cascade, TestCheck, classify
    >>> classify("Write a docstring for this function").name
    'simple'

* :func:`classify` — the tier a request needs (``simple``/``moderate``/``complex``) and why.
* :class:`Cascade` — call the cheapest model first, escalate while the reply fails its check
  (:func:`compiles` by default, or :class:`TestCheck`); every attempt priced and trimmed.
* :func:`simulate` and :func:`plan` — replay strategies on recorded runs, and search for the
  cheapest cascade that keeps a pass rate (``tokentrim route simulate|plan``).

The replay and search modules load lazily: ``import tokentrim.route`` stays light.
"""

from __future__ import annotations

from typing import Any

from tokentrim.route.classifier import TIERS, Tier, TierName, classify
from tokentrim.route.config import RouteConfig, load_route_config

__all__ = [
    "Attempt",
    "Cascade",
    "CascadeResult",
    "RouteConfig",
    "TIERS",
    "TestCheck",
    "Tier",
    "TierName",
    "Verdict",
    "classify",
    "compiles",
    "extract_python",
    "load_route_config",
    "load_runs",
    "plan",
    "simulate",
]

_LAZY = {
    "Attempt": "cascade",
    "Cascade": "cascade",
    "CascadeResult": "cascade",
    "TestCheck": "checks",
    "Verdict": "checks",
    "compiles": "checks",
    "extract_python": "checks",
    "load_runs": "replay",
    "simulate": "replay",
    "plan": "planner",
}


def __getattr__(name: str) -> Any:
    # cascade, simulate and plan price with genai-prices (~0.1 s to import): only when asked.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"tokentrim.route.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'tokentrim.route' has no attribute {name!r}")
