"""Tiered routing: classify requests, escalate while the code fails its check, replay and plan.

    >>> from tokentrim.route import Cascade, TestCheck, classify
    >>> classify("Write a docstring for this function").name
    'simple'
"""

from tokentrim.route.classify import TIERS, Tier, TierName, classify
from tokentrim.route.config import RouteConfig, load_route_config

__all__ = [
    "TIERS",
    "RouteConfig",
    "Tier",
    "TierName",
    "classify",
    "load_route_config",
]
