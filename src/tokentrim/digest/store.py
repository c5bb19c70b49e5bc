"""A tree's digest state on disk: a second run on an unchanged tree only reranks.

Next to the per-file extraction cache (``collect``), one directory per tree (keyed by the hash of
every file's path, module and content) holds what the ranking and the rendering need and nothing
else: the entries as shown (``files.json``: signatures and summaries, without the references and
terms the per-file cache keeps for building), the symbol graph's transition matrix (``graph.npz``,
numpy arrays, no pickle) and the BM25 index (``bm25s``'s own ``save``/``load``). The directory is
written aside and renamed into place; anything unreadable is treated as missing and rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tokentrim.digest.collect import Collection
from tokentrim.digest.model import ModuleInfo, Skipped, SourceFile, Symbol
from tokentrim.digest.rank import RankState

__all__ = ["RANK_VERSION", "load_tree", "save_tree"]

RANK_VERSION = "rank-2"


def load_tree(root: Path, key: str) -> tuple[Collection, RankState] | None:
    """The saved files and rank state of tree ``key``, or None (absent, partial, damaged)."""
    directory = _directory(root, key)
    if not (directory / "graph.npz").exists():
        return None
    try:
        collection = _collection(json.loads((directory / "files.json").read_bytes()))
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
    return collection, RankState(data, indices, indptr, dangling, retriever)


def save_tree(root: Path, key: str, collection: Collection, state: RankState) -> None:
    """Save tree ``key``; silently does nothing when the cache is not writable."""
    directory = _directory(root, key)
    if directory.exists():
        return
    with contextlib.suppress(Exception):
        import numpy as np

        directory.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".tmp-"))
        try:
            files = json.dumps(_view(collection), ensure_ascii=False, separators=(",", ":"))
            (temp / "files.json").write_text(files, encoding="utf-8")
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


def _view(collection: Collection) -> dict[str, Any]:
    return {
        "files": [
            [
                f.path,
                f.module,
                f.lines,
                f.info.doc,
                f.info.all,
                f.info.constants,
                [[s.qualname, s.kind, s.signature, s.doc, s.line] for s in f.info.symbols],
            ]
            for f in collection.files
        ],
        # Files that did not parse: the reason is known only after extraction.
        "skipped": [[s.path, s.reason] for s in collection.skipped if s.reason.startswith("does")],
    }


def _collection(data: dict[str, Any]) -> Collection:
    files = tuple(
        SourceFile(
            path=path,
            module=module,
            lines=lines,
            info=ModuleInfo(
                doc=doc,
                all=None if exported is None else tuple(exported),
                constants=tuple(constants),
                symbols=tuple(
                    Symbol(qualname=q, kind=k, signature=sig, doc=d, line=n)
                    for q, k, sig, d, n in symbols
                ),
            ),
        )
        for path, module, lines, doc, exported, constants, symbols in data["files"]
    )
    skipped = tuple(Skipped(path, reason) for path, reason in data["skipped"])
    return Collection(files=files, skipped=skipped, parsed=0, cached=len(files))


def _directory(root: Path, key: str) -> Path:
    return root / "trees" / RANK_VERSION / key
