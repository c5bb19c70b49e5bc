"""Settings: one frozen dataclass, filled from pyproject.toml, the environment and flags.

Precedence (lowest first): defaults, ``[tool.tokentrim]`` in the nearest pyproject.toml,
``TOKENTRIM_*`` environment variables, explicit overrides (CLI flags or ``trim(**overrides)``).
"""

from __future__ import annotations

import dataclasses
import difflib
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
    # black in process, or ruff's Black-compatible formatter (one process per reply and pass).
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
                raise ConfigError(f"{name} must be positive, not {getattr(self, name)!r}")
        for name in ("review_hourly_rate", "carry_turns"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative, not {getattr(self, name)!r}")

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


#: Sub-tables of ``[tool.tokentrim]`` that other parts read (``[tool.tokentrim.route]``).
SECTIONS = frozenset({"route", "digest", "server"})


def _coerce(raw: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """Turn strings from TOML, env or flags into the field types; reject unknown keys.

    ``where`` names the source in errors (a pyproject.toml path): a typo is told with the file
    and the key it most likely meant.
    """
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if where and name in SECTIONS and isinstance(value, dict):
            continue
        if name not in FIELDS:
            close = difflib.get_close_matches(name, FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            place = f"{where}: unknown key {key!r} in [tool.tokentrim]" if where else None
            raise ConfigError(f"{place or f'unknown setting {key!r}'}{hint}")
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
        table = data.get("tool", {}).get("tokentrim", {})
        merged.update(_checked(_coerce(table, str(pyproject)), str(pyproject)))
    env = os.environ if environ is None else environ
    for name in FIELDS:
        variable = f"TOKENTRIM_{name.upper()}"
        value = env.get(variable)
        if value is not None and value != "":
            try:
                merged.update(_checked(_coerce({name: value}), variable))
            except ConfigError as exc:
                raise ConfigError(f"{variable}={value!r}: {_strip_where(exc, variable)}") from None
    merged.update(_coerce(overrides or {}))
    return Settings(**merged)


def _checked(values: dict[str, Any], where: str) -> dict[str, Any]:
    """``values`` if they make valid Settings on their own; else the error, naming ``where``."""
    try:
        Settings(**values)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return values


def _strip_where(exc: ConfigError, where: str) -> str:
    message = str(exc)
    return message[len(where) + 2 :] if message.startswith(f"{where}: ") else message
