"""Settings: one frozen dataclass, filled from pyproject.toml, the environment and flags.

Precedence (lowest first): defaults, ``[tool.tokentrim]`` in the nearest pyproject.toml,
``TOKENTRIM_*`` environment variables, explicit overrides (CLI flags or ``trim(**overrides)``).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from tokentrim.errors import ConfigError

Level = Literal["safe", "standard", "aggressive"]
LEVELS: tuple[str, ...] = ("safe", "standard", "aggressive")
CHOICES: dict[str, tuple[str, ...]] = {
    "level": LEVELS,
    "prose": ("keep", "drop"),
    "think": ("keep", "strip"),
    "docstrings": ("keep", "summary", "strip"),
    "code": ("auto", "fenced", "whole"),
    "comments": ("all", "narration", "keep"),
    "formatter": ("black", "ruff"),
}


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything that changes what ``trim()`` does.

    ``think`` and ``docstrings`` default to ``None``: the level decides (``aggressive`` strips
    ``<think>`` blocks and keeps docstring summaries); an explicit value always wins.
    """

    level: Level = "standard"
    enable: frozenset[str] = frozenset()
    disable: frozenset[str] = frozenset()
    prose: Literal["keep", "drop"] = "keep"
    think: Literal["keep", "strip"] | None = None
    docstrings: Literal["keep", "summary", "strip"] | None = None
    code: Literal["auto", "fenced", "whole"] = "auto"
    # Which comments go: all but pragmas; only those that narrate the code; none.
    comments: Literal["all", "narration", "keep"] = "all"
    format: bool = True
    # black itself, or the ruff wheel's Black-compatible formatter (faster on big code).
    formatter: Literal["black", "ruff"] = "black"
    line_length: int = 88
    model: str | None = None
    # A TOML file of per-million-token prices that overrides or adds to genai-prices.
    prices: str | None = None
    # Review-cost parameters (see docs/costs.md for the sources of the defaults).
    review_lines_per_hour: float = 400.0
    review_words_per_minute: float = 238.0
    review_hourly_rate: float = 64.0
    carry_turns: int = 1

    def __post_init__(self) -> None:
        for name, allowed in CHOICES.items():
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        for name in ("enable", "disable"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = frozenset(v for v in value.replace(",", " ").split() if v)
            object.__setattr__(self, name, frozenset(value))
        if not isinstance(self.line_length, int) or self.line_length < 10:
            raise ConfigError(f"line_length must be an integer >= 10, not {self.line_length!r}")
        for name in ("review_lines_per_hour", "review_words_per_minute"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        if self.review_hourly_rate < 0 or self.carry_turns < 0:
            raise ConfigError("review_hourly_rate and carry_turns must not be negative")

    @property
    def effective_think(self) -> str:
        if self.think is not None:
            return self.think
        return "strip" if self.level == "aggressive" else "keep"

    @property
    def effective_docstrings(self) -> str:
        if self.docstrings is not None:
            return self.docstrings
        return "summary" if self.level == "aggressive" else "keep"

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **_coerce(changes))


FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Turn strings from TOML, env or flags into the field types; reject unknown keys."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in FIELDS:
            raise ConfigError(f"unknown setting {key!r}")
        if value is None:
            continue
        default = FIELDS[name].default
        if name in ("enable", "disable"):
            if isinstance(value, str):
                value = [v for v in value.replace(",", " ").split() if v]
            value = frozenset(value)
        elif isinstance(default, bool):
            if isinstance(value, str):
                if value.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                    raise ConfigError(f"{key} must be a boolean, not {value!r}")
                value = value.lower() in ("1", "true", "yes", "on")
        elif isinstance(default, int) and not isinstance(default, bool):
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ConfigError(f"{key} must be an integer, not {value!r}") from None
        elif isinstance(default, float):
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"{key} must be a number, not {value!r}") from None
        out[name] = value
    return out


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    start: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Defaults < ``[tool.tokentrim]`` < ``TOKENTRIM_*`` < ``overrides``."""
    merged: dict[str, Any] = {}
    pyproject = find_pyproject(start)
    if pyproject is not None:
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{pyproject}: {exc}") from None
        merged.update(_coerce(data.get("tool", {}).get("tokentrim", {})))
    env = os.environ if environ is None else environ
    for name in FIELDS:
        value = env.get(f"TOKENTRIM_{name.upper()}")
        if value is not None and value != "":
            merged.update(_coerce({name: value}))
    merged.update(_coerce(overrides or {}))
    return Settings(**merged)
