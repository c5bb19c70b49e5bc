"""tokentrim: make verbose LLM coding replies cheaper to read and to carry.

>>> import tokentrim
>>> result = tokentrim.trim(reply, model="gemini-2.0-flash")
>>> result.text, result.tokens_before, result.tokens_after, result.cost
"""

from typing import TYPE_CHECKING

# The function, not the package of the same name: bound here, after the package is loaded, so that
# importing a submodule (tokentrim.digest.rank) later does not rebind the attribute to the package.
from tokentrim.digest import Digest, digest
from tokentrim.errors import ConfigError, InputError, TokentrimError, UnknownRuleError
from tokentrim.fences import CodeBlock, find_code_blocks
from tokentrim.settings import Settings, load_settings
from tokentrim.tokens import count_tokens

if TYPE_CHECKING:
    from tokentrim.pipeline import BlockOutcome, TrimResult, trim

__all__ = [
    "AsyncTrimTransport",
    "BlockOutcome",
    "CodeBlock",
    "ConfigError",
    "CostReport",
    "Digest",
    "InputError",
    "Settings",
    "TokentrimError",
    "TrimResult",
    "TrimTransport",
    "UnknownRuleError",
    "count_tokens",
    "digest",
    "find_code_blocks",
    "load_prices",
    "load_settings",
    "trim",
    "trimmed",
    "wrap",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # The trimming pipeline imports libcst and black (~0.5 s): not for `tokentrim digest`.
    if name in ("trim", "TrimResult", "BlockOutcome"):
        from tokentrim import pipeline

        return getattr(pipeline, name)
    # The cost side imports genai-prices' data (~0.1 s): only when asked for.
    if name in ("CostReport", "load_prices"):
        from tokentrim import cost

        return getattr(cost, name)
    if name in ("wrap", "trimmed", "TrimTransport", "AsyncTrimTransport"):
        # The middleware (and, for the transports, httpx) only when asked for.
        from tokentrim import middleware

        return getattr(middleware, name)
    raise AttributeError(f"module 'tokentrim' has no attribute {name!r}")
