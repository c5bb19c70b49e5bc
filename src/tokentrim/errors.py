"""Exceptions raised by tokentrim.

Outcomes of trimming are values (``BlockOutcome.status``), never exceptions: ``trim()`` does not
raise on bad input. Exceptions are kept for programmer and configuration errors::

    TokentrimError
    ├── ConfigError          invalid Settings value, unknown rule id, bad pyproject/env/prices file
    │   └── UnknownRuleError rule id given to enable/disable that the registry does not know
    └── InputError           a CLI or source input that cannot be read (missing, not UTF-8, binary)
"""

from __future__ import annotations


class TokentrimError(Exception):
    """Base class of every exception tokentrim raises on purpose."""


class ConfigError(TokentrimError, ValueError):
    """A setting, a configuration file or a prices file is invalid."""


class UnknownRuleError(ConfigError):
    """A rule id that the registry does not know."""


class InputError(TokentrimError):
    """An input cannot be read or decoded."""
