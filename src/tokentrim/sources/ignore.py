"""What a directory walk leaves out: ``.gitignore`` files, as git reads them, and user patterns.

One :class:`Ignores` per walk: the ``.gitignore`` of every ancestor up to the repository's top
(the directory holding ``.git``) applies from the start, each one met below ``root`` applies
under its own directory, and ``exclude`` holds gitignore-style patterns relative to ``root``
(``--exclude``). Used by ``clean``/``count``/``report`` directory walks and by ``digest``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["Ignores"]


class Ignores:
    """``ignores(path, directory=...)``: whether a walk from ``root`` should leave ``path`` out."""

    def __init__(self, root: Path, exclude: tuple[str, ...] = (), *, gitignore: bool = True):
        self._root = root
        self._exclude = _spec(exclude) if exclude else None
        self._gitignore = gitignore
        self._specs: list[tuple[Path, Any]] = []
        if gitignore:
            for ancestor in _ancestors_to_repository_top(root.resolve()):
                self._read(ancestor)

    def enter(self, directory: Path) -> None:
        """The walk reached ``directory``: its ``.gitignore`` now applies below it."""
        if self._gitignore:
            self._read(directory.resolve())

    def __call__(self, path: Path, *, directory: bool) -> bool:
        suffix = "/" if directory else ""
        if self._exclude is not None:
            relative = path.relative_to(self._root).as_posix()
            if self._exclude.match_file(relative + suffix):
                return True
        resolved = path.resolve()
        for base, spec in self._specs:
            try:
                relative = resolved.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(relative + suffix):
                return True
        return False

    def _read(self, directory: Path) -> None:
        try:
            text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        self._specs.append((directory, _spec(text.splitlines())))


def _spec(lines: list[str] | tuple[str, ...]) -> Any:
    # pathspec is imported only once there are patterns: loading its matching backends takes
    # 40 ms or more, which a walk of a tree without any .gitignore (an installed package) skips.
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _ancestors_to_repository_top(root: Path) -> list[Path]:
    """``root``'s ancestors up to the directory holding ``.git`` (none outside a repository)."""
    chain: list[Path] = []
    for ancestor in root.parents:
        chain.append(ancestor)
        if (ancestor / ".git").exists():
            return chain
    return []
