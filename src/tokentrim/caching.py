"""Caches bounded by bytes, for processes that live long (a proxy, a LiteLLM hook).

``functools.lru_cache(maxsize=N)`` bounds entries, not memory: 1,024 cached parse trees of
1 MB blocks hold ~38 GB (an ``ast.Module`` costs about 38 bytes per character of source). Each
cache here has a byte budget, an estimate of each entry's size, and evicts least recently used
entries past it; an entry bigger than a quarter of the budget is not kept at all.

The budgets (see :data:`BUDGETS`) add up to 84 MiB per process. Lookups take a lock held only
for the dictionary operation, never while the value is computed.

:func:`one_call` scopes work shared within one ``trim()`` call (the fences of a reply that several
text rules scan, a block that a text rule and the pipeline both clean): :func:`per_call` gives the
call's own dictionary, which goes with the call, so it needs no budget.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import functools
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

__all__ = ["BUDGETS", "ByteBoundedCache", "memoize", "one_call", "per_call"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MiB = 1 << 20
#: Byte budget of each cache, by name.
BUDGETS: dict[str, int] = {
    "python.parse": 32 * MiB,  # ast.Module trees of recent blocks
    "python.format": 16 * MiB,  # the formatter's output for recent inputs
    "python.tokens": 8 * MiB,  # every token of recent blocks (comment scan and stripping)
    "python.fixed_points": 8 * MiB,  # texts a formatter is proven to leave unchanged
    "rules.features": 8 * MiB,  # the rules' pre-screen shapes of recent blocks (key: code, tree)
    "rules.tokens": 8 * MiB,  # the pre-screen's significant tokens of recent blocks
    "rules.facts": 4 * MiB,  # bound names and dynamic features of recent module texts
}


class ByteBoundedCache(Generic[K, V]):
    """A least-recently-used mapping whose entries' estimated sizes stay under ``max_bytes``."""

    def __init__(self, max_bytes: int, size_of: Callable[[K, V], int]) -> None:
        self.max_bytes = max_bytes
        self._size_of = size_of
        self._entries: collections.OrderedDict[K, tuple[V, int]] = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        """The estimated size of what is held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: K, value: V) -> None:
        size = self._size_of(key, value)
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class _Memoized(Generic[V]):
    """A function of hashable arguments with a :class:`ByteBoundedCache` in front of it."""

    def __init__(self, function: Callable[..., V], cache: ByteBoundedCache[Hashable, V]) -> None:
        self.__wrapped__ = function
        self.cache = cache
        functools.update_wrapper(self, function)

    def __call__(self, *args: Hashable) -> V:
        key = _key(args)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        value = self.__wrapped__(*args)
        self.cache.put(key, value)
        return value

    def seed(self, value: V, *args: Hashable) -> None:
        """Remember ``value`` as the result for ``args``, computed some other way."""
        self.cache.put(_key(args), value)

    def cache_clear(self) -> None:
        self.cache.clear()


def _key(args: tuple[Hashable, ...]) -> Hashable:
    """A call's cache key: the argument, or the tuple of arguments."""
    return args if len(args) != 1 else args[0]


def memoize(
    budget: str, size_of: Callable[[Any, Any], int]
) -> Callable[[Callable[..., V]], _Memoized[V]]:
    """Cache a function's results under the byte budget named ``budget`` in :data:`BUDGETS`.

    ``size_of(key, value)`` estimates an entry's bytes (the key is the argument, or the tuple of
    arguments). Exceptions are not cached; a result of ``None`` is recomputed each time.
    """

    def decorate(function: Callable[..., V]) -> _Memoized[V]:
        return _Memoized(function, ByteBoundedCache(BUDGETS[budget], size_of))

    return decorate


@contextlib.contextmanager
def one_call() -> Iterator[None]:
    """Within the block, :func:`per_call` dictionaries are shared; they go when it ends. A context
    variable: each thread and each task has its own, and nothing outlives the call (a formatter or
    a rule swapped between two calls is always the one used)."""
    token = _CALL.set({})
    try:
        yield
    finally:
        _CALL.reset(token)


def per_call(kind: str) -> dict[Hashable, Any] | None:
    """The current call's dictionary for ``kind`` (None outside :func:`one_call`)."""
    shared = _CALL.get()
    if shared is None:
        return None
    return shared.setdefault(kind, {})


_CALL: contextvars.ContextVar[dict[str, dict[Hashable, Any]] | None] = contextvars.ContextVar(
    "tokentrim_call", default=None
)
