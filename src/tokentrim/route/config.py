"""``[tool.tokentrim.route]``: the classifier's keywords and thresholds, and the tier → models map.

::

    [tool.tokentrim.route]
    simple = ["changelog"]            # keywords added to the built-in sets of each tier
    moderate = ["feature flag"]
    complex = ["hipaa", "our-ledger"]
    builtin_keywords = true           # false: only the keywords above
    moderate_tokens = 1500            # prompt size (estimated tokens) that makes a request moderate
    complex_tokens = 6000
    moderate_files = 2                # code files named in the prompt
    complex_files = 5
    moderate_blocks = 3               # fenced code blocks in the prompt
    complex_blocks = 6
    moderate_requirements = 4         # requirements in a request that is not a simple task
    familiar_libraries = ["ourlib"]   # names "use the X library" does not make unfamiliar

    [tool.tokentrim.route.tiers]      # the cascade each tier starts (used by `route simulate`)
    simple = ["qwen/qwen-2.5-7b-instruct", "deepseek/deepseek-chat"]
    moderate = ["deepseek/deepseek-chat"]
    complex = ["anthropic/claude-sonnet-4"]
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tokentrim.errors import ConfigError
from tokentrim.settings import find_pyproject

__all__ = ["RouteConfig", "load_route_config"]

_TIER_NAMES = ("simple", "moderate", "complex")


@dataclasses.dataclass(frozen=True)
class RouteConfig:
    """Keywords and thresholds of :func:`~tokentrim.route.classify`, and the tier → cascade map."""

    simple: tuple[str, ...] = ()
    moderate: tuple[str, ...] = ()
    complex: tuple[str, ...] = ()
    builtin_keywords: bool = True
    moderate_tokens: int = 1500
    complex_tokens: int = 6000
    moderate_files: int = 2
    complex_files: int = 5
    moderate_blocks: int = 3
    complex_blocks: int = 6
    moderate_requirements: int = 4
    familiar_libraries: tuple[str, ...] = ()
    tiers: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        for name in (*_TIER_NAMES, "familiar_libraries"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"route.{name} must be a list of keywords")
            object.__setattr__(self, name, tuple(value))
        for low, high in (
            ("moderate_tokens", "complex_tokens"),
            ("moderate_files", "complex_files"),
            ("moderate_blocks", "complex_blocks"),
        ):
            a, b = getattr(self, low), getattr(self, high)
            if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in (a, b)):
                raise ConfigError(f"route.{low} and route.{high} must be positive integers")
            if a > b:
                raise ConfigError(f"route.{low} ({a}) must not exceed route.{high} ({b})")
        value = self.moderate_requirements
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError("route.moderate_requirements must be a positive integer")
        if not isinstance(self.builtin_keywords, bool):
            raise ConfigError("route.builtin_keywords must be true or false")
        for tier, models in self.tiers:
            if tier not in _TIER_NAMES:
                raise ConfigError(f"route.tiers: unknown tier {tier!r} (simple, moderate, complex)")
            if not models:
                raise ConfigError(f"route.tiers.{tier}: name at least one model")

    @property
    def tier_models(self) -> dict[str, tuple[str, ...]]:
        return dict(self.tiers)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, origin: str = "route") -> RouteConfig:
        """Build from a ``[tool.tokentrim.route]`` table; ConfigError on unknown keys."""
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - fields
        if unknown:
            raise ConfigError(
                f"{origin}: unknown key(s) {', '.join(sorted(unknown))} "
                f"(allowed: {', '.join(sorted(fields))})"
            )
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key in (*_TIER_NAMES, "familiar_libraries"):
                if not isinstance(value, list):
                    raise ConfigError(f"{origin}.{key} must be a list of keywords")
                values[key] = tuple(value)
            elif key == "tiers":
                values[key] = _tiers(value, origin)
            else:
                values[key] = value
        try:
            return cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{origin}: {exc}") from None


def load_route_config(start: Path | None = None) -> RouteConfig:
    """``[tool.tokentrim.route]`` of the nearest pyproject.toml (defaults when there is none)."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return RouteConfig()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: {exc}") from None
    table = data.get("tool", {}).get("tokentrim", {}).get("route", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.tokentrim.route] must be a table")
    return RouteConfig.from_mapping(table, origin=f"{pyproject}: tool.tokentrim.route")


def _tiers(value: Any, origin: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}.tiers must be a table of tier = [models]")
    out = []
    for tier, models in value.items():
        if isinstance(models, str):
            models = [m.strip() for m in models.split(",") if m.strip()]
        if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
            raise ConfigError(f"{origin}.tiers.{tier} must be a list of model names")
        out.append((tier, tuple(models)))
    return tuple(out)
