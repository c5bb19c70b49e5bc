"""Caches are bounded by bytes, not by entries: a long-running proxy must not grow without end."""

from __future__ import annotations

import threading

import pytest

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

    @memoize("python.format", lambda key, value: len(value))
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


def test_per_call_dictionaries_live_for_one_call_only() -> None:
    from tokentrim.caching import one_call, per_call

    assert per_call("k") is None
    with one_call():
        shared = per_call("k")
        assert shared is not None and per_call("k") is shared and per_call("other") is not shared
        shared["x"] = 1
        with one_call():  # a call inside a call has its own
            assert per_call("k") == {}
        assert per_call("k") == {"x": 1}
    assert per_call("k") is None


def test_text_rules_scan_a_reply_for_fences_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import tokentrim.fences
    from tokentrim import trim

    scans: list[str] = []
    find = tokentrim.fences.find_code_blocks

    def counting(text: str) -> list[tokentrim.fences.CodeBlock]:
        scans.append(text)
        return find(text)

    reply = "Sure!\n\n```python\ndef f():\n    return 1\n\n\nprint(f())\n```\n\nHope this helps!\n"
    expected = trim(reply, level="aggressive").text
    monkeypatch.setattr(tokentrim.fences, "find_code_blocks", counting)
    new_text = trim(reply, level="aggressive").text
    assert new_text == expected
    # Each text the text rules see is scanned once; the pipeline's split of their result is its own.
    assert len(scans) == len(set(scans)) + 1 and scans[-1] == scans[-2], scans
