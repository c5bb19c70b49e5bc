"""Caches are bounded by bytes, not by entries: a long-running proxy must not grow without end."""

from __future__ import annotations

import threading

from tokentrim.caching import BUDGETS, ByteBoundedCache, memoize


def test_evicts_least_recently_used_past_the_budget() -> None:
    cache: ByteBoundedCache[str, str] = ByteBoundedCache(100, lambda key, value: len(value))
    cache.put("a", "x" * 20)
    cache.put("b", "x" * 20)
    assert cache.get("a") == "x" * 20  # a is now the most recently used
    for key in "cdef":
        cache.put(key, "x" * 20)
    assert cache.bytes <= 100
    assert "a" in cache and "b" not in cache


def test_an_entry_over_a_quarter_of_the_budget_is_not_kept() -> None:
    cache: ByteBoundedCache[str, str] = ByteBoundedCache(100, lambda key, value: len(value))
    cache.put("big", "x" * 26)
    assert "big" not in cache and cache.bytes == 0


def test_memoize_caches_results_and_clears() -> None:
    calls = []

    @memoize("python.black_ast", lambda key, value: len(value))
    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert shout("hi") == shout("hi") == "HI"
    assert calls == ["hi"]
    shout.cache_clear()
    assert shout("hi") == "HI" and calls == ["hi", "hi"]


def test_python_caches_stay_within_budget_on_huge_blocks() -> None:
    from tokentrim import trim
    from tokentrim.languages import python as py

    for n in range(6):  # 6 blocks of 70-200 KB: an entry-count bound would keep them all
        block = f"x{n} = 1\n" * (10_000 * (n + 1))
        trim(f"```python\n{block}```\n", level="safe", format=False)
    assert 0 < py._parse.cache.bytes <= BUDGETS["python.parse"]


def test_thread_safe_under_concurrent_puts() -> None:
    cache: ByteBoundedCache[int, str] = ByteBoundedCache(1_000, lambda key, value: 10)

    def fill(offset: int) -> None:
        for n in range(2_000):
            cache.put(offset + n, "v")
            cache.get(offset + n // 2)

    threads = [threading.Thread(target=fill, args=(k * 10_000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.bytes == 10 * len(cache) <= 1_000
