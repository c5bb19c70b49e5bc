"""The ranking state of a tree on disk: a second run on an unchanged tree only reranks.

Next to the per-file extraction cache (``collect``), one directory per tree (keyed by the hash of
every file's path, module and content) holds the symbol graph's transition matrix (``graph.npz``,
numpy arrays, no pickle) and the BM25 index (``bm25s``'s own ``save``/``load``). The directory is
written aside and renamed into place; anything unreadable is treated as missing and rebuilt.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from tokentrim.digest.rank import RankState

__all__ = ["RANK_VERSION", "load_state", "save_state"]

RANK_VERSION = "rank-1"


def load_state(root: Path, key: str) -> RankState | None:
    """The saved state of tree ``key``, or None (absent, partial, or from another version)."""
    directory = _directory(root, key)
    if not (directory / "graph.npz").exists():
        return None
    try:
        import bm25s  # type: ignore[import-untyped]
        import numpy as np

        with np.load(directory / "graph.npz", allow_pickle=False) as arrays:
            data, indices, indptr, dangling = (
                arrays["data"],
                arrays["indices"],
                arrays["indptr"],
                arrays["dangling"],
            )
        retriever = bm25s.BM25.load(str(directory / "bm25"), show_progress=False, verbosity=0)
    except Exception:  # noqa: BLE001 - a damaged cache is a missing cache, never an error
        return None
    return RankState(data, indices, indptr, dangling, retriever)


def save_state(root: Path, key: str, state: RankState) -> None:
    """Save ``state`` for tree ``key``; silently does nothing when the cache is not writable."""
    directory = _directory(root, key)
    if directory.exists():
        return
    with contextlib.suppress(Exception):
        import numpy as np

        directory.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".tmp-"))
        try:
            np.savez(
                temp / "graph.npz",
                data=state.data,
                indices=state.indices,
                indptr=state.indptr,
                dangling=state.dangling,
            )
            state.retriever.save(str(temp / "bm25"), show_progress=False)
            temp.rename(directory)
        finally:
            shutil.rmtree(temp, ignore_errors=True)


def _directory(root: Path, key: str) -> Path:
    return root / "trees" / RANK_VERSION / key
