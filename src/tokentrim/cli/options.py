"""The options that mirror Settings fields, shared by every command that trims (clean, report)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import click

from tokentrim.errors import ConfigError
from tokentrim.settings import CHOICES, Settings, load_settings

if TYPE_CHECKING:
    from tokentrim.cost import PriceTable

__all__ = [
    "FLAGS",
    "in_flag_words",
    "model_warnings",
    "prices_for",
    "settings_from_options",
    "settings_options",
]


def settings_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that mirror Settings fields, shared by commands that trim."""
    options = [
        click.option(
            "--model", help="Model name: tokenizer and prices (e.g. gpt-4o, deepseek-chat)."
        ),
        click.option(
            "--level",
            type=click.Choice(CHOICES["level"]),
            help="How much to trim (default standard).",
        ),
        click.option(
            "--prose", type=click.Choice(CHOICES["prose"]), help="drop: keep only the code blocks."
        ),
        click.option(
            "--think", type=click.Choice(CHOICES["think"]), help="strip: remove <think> reasoning."
        ),
        click.option(
            "--docstrings",
            type=click.Choice(CHOICES["docstrings"]),
            help="Docstrings: keep, summary line, strip.",
        ),
        click.option(
            "--code",
            type=click.Choice(CHOICES["code"]),
            help="Where code is: auto, fenced blocks only, whole reply.",
        ),
        click.option(
            "--comments",
            type=click.Choice(CHOICES["comments"]),
            help="Comments to remove: all (but pragmas), narration only, or keep them.",
        ),
        click.option(
            "--format/--no-format", "format_", default=None, help="Format the code (default on)."
        ),
        click.option(
            "--formatter",
            type=click.Choice(CHOICES["formatter"]),
            help="black (default), or ruff's Black-compatible formatter: much faster on big code.",
        ),
        click.option("--line-length", type=int, help="The formatter's line length (default 88)."),
        click.option(
            "--prices",
            type=click.Path(dir_okay=False),
            help="TOML of per-million-token prices that override genai-prices.",
        ),
        click.option(
            "--enable",
            multiple=True,
            metavar="RULE",
            help="Turn a rule on (repeatable; see `tokentrim rules`).",
        ),
        click.option(
            "--disable", multiple=True, metavar="RULE", help="Turn a rule off (repeatable)."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


#: Settings fields → the flag that sets them, so that errors speak of what the user typed.
FLAGS = {
    "formatter": "--formatter",
    "line_length": "--line-length",
    "review_lines_per_hour": "--lines-per-hour",
    "review_words_per_minute": "--words-per-minute",
    "review_hourly_rate": "--hourly-rate",
    "carry_turns": "--carry-turns",
}


def in_flag_words(exc: ConfigError) -> ConfigError:
    """A settings error raised by flags, with field names replaced by the flag names."""
    message = str(exc)
    for field, flag in FLAGS.items():
        message = re.sub(rf"\b{field}\b", flag, message)
    return ConfigError(message)


def settings_from_options(options: dict[str, Any], extra: dict[str, Any] | None = None) -> Settings:
    """Settings from pyproject/env, then the flags that were given (and ``extra`` fields).

    Errors in pyproject.toml name the file, in the environment the variable, and in flags the
    flag (``--hourly-rate must not be negative``).
    """
    flags = {k: v for k, v in (extra or {}).items() if v is not None}
    try:
        Settings(**flags)
    except ConfigError as exc:
        raise in_flag_words(exc) from None
    return _settings_from_options(options).replace(**flags)


def _settings_from_options(options: dict[str, Any]) -> Settings:
    overrides = {
        "model": options.get("model"),
        "level": options.get("level"),
        "prose": options.get("prose"),
        "think": options.get("think"),
        "docstrings": options.get("docstrings"),
        "code": options.get("code"),
        "comments": options.get("comments"),
        "format": options.get("format_"),
        "formatter": options.get("formatter"),
        "line_length": options.get("line_length"),
        "prices": options.get("prices"),
    }
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        Settings(**{k: v for k, v in given.items() if k != "prices"})
    except ConfigError as exc:
        raise in_flag_words(exc) from None
    settings = load_settings(given)
    enable = frozenset(_ids(options.get("enable", ())))
    disable = frozenset(_ids(options.get("disable", ())))
    if enable or disable:
        settings = settings.replace(
            enable=(settings.enable - disable) | enable,
            disable=(settings.disable - enable) | disable,
        )
    return settings


def _ids(values: tuple[str, ...]) -> Iterator[str]:
    for value in values:
        yield from (v for v in value.replace(",", " ").split() if v)


def prices_for(settings: Settings) -> PriceTable | None:
    """The ``--prices`` table, loaded once per run (``trim()`` itself reads no files)."""
    if not settings.prices:
        return None
    from tokentrim.cost import load_prices

    return load_prices(settings.prices)


def model_warnings(
    model: str | None, compare: Sequence[str] = (), prices: PriceTable | None = None
) -> list[str]:
    """A "did you mean" for every model named on the command line that nothing knows (prices are
    looked up only when a model is named: genai-prices loads on first use)."""
    found = []
    for option, name in [("--model", model), *(("--compare", c) for c in compare)]:
        if not name:
            continue
        from tokentrim.cost import unknown_model_warning

        message = unknown_model_warning(name, prices)
        if message:
            found.append(f"{option}: {message}")
    return found
