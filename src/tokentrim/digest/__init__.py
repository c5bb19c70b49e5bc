"""``tokentrim.digest()``: a codebase's signatures and docstrings under a token budget, ranked
for the task.

    >>> d = tokentrim.digest("src/", budget=1024, query="set a timeout for every request")
    >>> print(d.text)            # grouped by file, bodies elided as …
    >>> d.tokens <= d.budget     # counted with the model's tokenizer, never over
    >>> d.as_messages(task)      # OpenAI / Anthropic message lists

Stages (one module each): ``collect`` (I/O: walk, .gitignore, cache, parallel reads), ``extract``
(libcst → entries), ``rank`` (PageRank over the symbol graph + BM25 over the words), ``fit`` (exact
budget) and ``render`` (text, markdown, JSON). This module imports nothing heavy: networkx, bm25s,
pathspec and platformdirs are imported when a digest is made, so ``import tokentrim`` stays light.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, cast, get_args

from tokentrim.digest.model import Digest, Format, Ranking, Scored, Skipped
from tokentrim.errors import ConfigError

__all__ = ["Digest", "Scored", "Skipped", "digest"]

_T = TypeVar("_T")

_EXTRA_MODULES = {
    "networkx": "networkx",
    "scipy": "scipy",
    "bm25s": "bm25s",
    "Stemmer": "PyStemmer",
    "pathspec": "pathspec",
    "platformdirs": "platformdirs",
}


def digest(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    budget: int = 1024,
    query: str | None = None,
    focus: Sequence[str] = (),
    model: str | None = None,
    format: Format = "text",
    ranking: Ranking = "combined",
    cache: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
) -> Digest:
    """The digest of the Python files under ``paths``, at most ``budget`` tokens of ``model``.

    ``query`` (the task's words) and ``focus`` (files or symbols, e.g. ``"httpx/_client.py"`` or
    ``"Client.send"``) personalize the ranking; ``ranking`` picks ``"combined"`` (default),
    ``"bm25"`` or ``"pagerank"``. Extracted files are cached by content hash under ``cache_dir``,
    ``$TOKENTRIM_CACHE_DIR`` or the user cache dir (``cache=False``: none). Raises ``InputError``
    for a path that does not exist, ``ConfigError`` for a bad argument or a missing extra.
    """
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 0:
        raise ConfigError(f"budget must be a non-negative integer, not {budget!r}")
    if format not in get_args(Format):
        raise ConfigError(f"format must be one of {', '.join(get_args(Format))}, not {format!r}")
    if ranking not in get_args(Ranking):
        raise ConfigError(f"ranking must be one of {', '.join(get_args(Ranking))}, not {ranking!r}")
    if isinstance(focus, str):
        focus = (focus,)
    _require_extra()

    given = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    with _no_gc_pauses():
        return _digest(
            given, budget, query, tuple(focus), model, format, ranking, cache, cache_dir, jobs
        )


def _digest(
    given: list[str | os.PathLike[str]],
    budget: int,
    query: str | None,
    focus: tuple[str, ...],
    model: str | None,
    format: Format,
    ranking: Ranking,
    cache: bool,
    cache_dir: str | os.PathLike[str] | None,
    jobs: int | None,
) -> Digest:
    from tokentrim.digest.collect import Collection, cache_root, collect
    from tokentrim.digest.fit import fit
    from tokentrim.digest.rank import Ranker, RankState
    from tokentrim.digest.render import render
    from tokentrim.digest.store import load_tree, save_tree
    from tokentrim.tokens import encoding_for

    # The tokenizer takes a while to load (tiktoken parses its ranks file; offline, it first tries
    # to download it): it loads in a thread while the tree is read and ranked.
    tokenizer = _Background(encoding_for, model)
    root = cache_root(cache_dir) if cache else None
    saved: list[RankState] = []

    def reuse(key: str) -> Collection | None:
        loaded = load_tree(root, key) if root is not None else None
        if loaded is None:
            return None
        saved.append(loaded[1])
        return loaded[0]

    collection = collect(given, cache=cache, cache_dir=cache_dir, jobs=jobs, reuse=reuse)
    ranker = Ranker(collection.files, saved[0] if saved else None)
    ranked, warnings = ranker.rank(query=query, focus=focus, ranking=ranking)
    if root is not None and collection.key and not saved and ranker.entries:
        save_tree(root, collection.key, collection, ranker.state)
    encoding, encoding_name = tokenizer.result()
    chosen, text, tokens = fit(
        ranked,
        budget,
        lambda entries: render(entries, format),
        lambda text: len(encoding.encode(text, disallowed_special=())),
    )
    return Digest(
        text=text,
        tokens=tokens,
        budget=budget,
        encoding=encoding_name,
        format=format,
        entries=tuple(chosen),
        candidates=len(ranked),
        files=len(collection.files),
        lines=collection.lines,
        skipped=collection.skipped,
        warnings=tuple(warnings),
        query=query,
        focus=tuple(focus),
        ranking=ranking,
    )


class _Background(Generic[_T]):
    """``function(*args)`` run in a daemon thread; ``result()`` joins it and returns its value or
    raises its exception."""

    def __init__(self, function: Callable[..., _T], *args: Any) -> None:
        self._function, self._args = function, args
        self._value: _T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="tokentrim-digest", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._function(*self._args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller of result()
            self._error = exc

    def result(self) -> _T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(_T, self._value)


@contextlib.contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """A digest allocates a large, acyclic object graph in a burst (every symbol of the tree):
    the cyclic collector's full passes over it are pure overhead, so it waits until the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _require_extra() -> None:
    import importlib.util

    missing = [
        package
        for module, package in _EXTRA_MODULES.items()
        if not importlib.util.find_spec(module)
    ]
    if missing:
        raise ConfigError(
            f"tokentrim digest needs {', '.join(missing)}: pip install 'tokentrim[digest]'"
        )
