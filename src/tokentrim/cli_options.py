"""The options that mirror Settings fields, shared by every command that trims (clean, report)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import click

from tokentrim.settings import CHOICES, Settings, load_settings


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
            "--format/--no-format", "format_", default=None, help="Run black (default on)."
        ),
        click.option(
            "--formatter",
            type=click.Choice(CHOICES["formatter"]),
            help="black (default) or ruff's Black-compatible formatter (much faster).",
        ),
        click.option("--line-length", type=int, help="black's line length (default 88)."),
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


def settings_from_options(options: dict[str, Any]) -> Settings:
    """Settings from pyproject/env, then the flags that were given."""
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
    settings = load_settings({k: v for k, v in overrides.items() if v is not None})
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
