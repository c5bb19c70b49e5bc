"""A tree's digest state on disk: a second run on an unchanged tree only reranks.

Next to the per-file extraction cache (``collect``), one directory per tree (keyed by the hash of
every file's path, module and content) holds what the ranking and the rendering need and nothing
else: the entries as shown (``files.json``: signatures and summaries, without the references and
terms the per-file cache keeps for building) and, in ``graph.npz`` (numpy arrays, no pickle), the
symbol graph's transition matrix and the BM25 index's arrays, with its vocabulary in
``vocabulary.json``. Loading needs json and numpy only (not scipy, networkx or bm25s), so a warm
run starts fast. The directory is written aside and renamed into place; anything unreadable is
treated as missing and rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tokentrim.digest.collect import Collection
from tokentrim.digest.model import ModuleInfo, Skipped, SourceFile, Symbol, built
from tokentrim.digest.rank import RankState

__all__ = ["RANK_VERSION", "load_tree", "save_tree"]

RANK_VERSION = "rank-3"
_ARRAYS = ("data", "indices", "indptr", "dangling", "bm25_data", "bm25_indices", "bm25_indptr")


def load_tree(root: Path, key: str) -> tuple[Collection, RankState] | None:
    """The saved files and rank state of tree ``key``, or None (absent, partial, damaged)."""
    directory = _directory(root, key)
    if not (directory / "graph.npz").exists():
        return None
    try:
        collection = _collection(json.loads((directory / "files.json").read_bytes()))
        vocabulary = json.loads((directory / "vocabulary.json").read_bytes())
        import numpy as np

        with np.load(directory / "graph.npz", allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in _ARRAYS}
            nonoccurrence = saved["nonoccurrence"] if "nonoccurrence" in saved.files else None
        state = RankState(**arrays, vocabulary=tuple(vocabulary), nonoccurrence=nonoccurrence)
    except Exception:  # noqa: BLE001 - a damaged cache is a missing cache, never an error
        return None
    return collection, state


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
            vocabulary = json.dumps(list(state.vocabulary), ensure_ascii=False)
            (temp / "vocabulary.json").write_text(vocabulary, encoding="utf-8")
            arrays = {name: getattr(state, name) for name in _ARRAYS}
            if state.nonoccurrence is not None:
                arrays["nonoccurrence"] = state.nonoccurrence
            np.savez(temp / "graph.npz", **arrays)
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
                    built(
                        Symbol,
                        qualname=q,
                        kind=k,
                        signature=sig,
                        doc=d,
                        text="",
                        line=n,
                        names=(),
                        attrs=(),
                        terms=(),
                    )
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
