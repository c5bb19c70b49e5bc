"""Paths to replies: files, directories, stdin; the kind of each file; one-line errors."""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Literal

from tokentrim.errors import InputError
from tokentrim.sources.jsonl import OnError, RewriteStats, Transform, rewrite_jsonl

#: Files a directory walk reads when no ``include`` globs are given. Files without a suffix (README,
#: LICENSE, scripts) are not replies and are left alone; name them explicitly to read them.
DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.txt", "*.jsonl", "*.ndjson", "*.db")

Kind = Literal["text", "jsonl", "llm-logs"]
STDIN = "<stdin>"
SQLITE_MAGIC = b"SQLite format 3\x00"
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
SQLITE_SUFFIXES = frozenset({".db", ".sqlite", ".sqlite3"})
_SNIFF_BYTES = 8192
_SNIFF_LINE_LIMIT = 1 << 20


def detect_kind(path: Path) -> Kind:
    """``"llm-logs"`` (SQLite magic bytes), ``"jsonl"`` or ``"text"``; InputError if unreadable.

    ``.jsonl``/``.ndjson`` are JSONL and ``.md``/``.markdown``/``.txt`` text by name; any other file
    is JSONL when its first non-blank line is a JSON object, else text. Files with NUL bytes near
    the start are binary; ``.db`` files that are not SQLite and ``.json`` files that are not one
    object per line are rejected rather than read as text.
    """
    path = Path(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
            if head.startswith(SQLITE_MAGIC):
                return "llm-logs"
            suffix = path.suffix.lower()
            if suffix in SQLITE_SUFFIXES:
                raise InputError("not an SQLite database")
            if b"\x00" in head:
                raise InputError("binary file")
            if suffix in JSONL_SUFFIXES:
                return "jsonl"
            if suffix in TEXT_SUFFIXES:
                return "text"
            stream.seek(0)
            if _first_line_is_object(stream):
                return "jsonl"
            if suffix == ".json":
                raise InputError(
                    "JSON but not JSON Lines (one object per line); convert it with `jq -c`"
                )
            return "text"
    except OSError as error:
        raise InputError(os_message(error)) from error


@dataclasses.dataclass
class AtomicFile:
    """What :func:`atomic_writer` yields: write to ``stream``; set ``replace`` False to discard."""

    stream: BinaryIO
    replace: bool = True


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[AtomicFile]:
    """Write a file's new content beside it and ``os.replace`` it in one step.

    The temporary file is fsynced and takes the target's permissions, owner and group (as far
    as the user may set them); a symlink's target is what gets replaced. On an exception, or
    with ``replace`` set False, the target is left untouched.
    """
    target = Path(path).resolve()
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            out = AtomicFile(stream)
            yield out
            if out.replace:
                stream.flush()
                os.fsync(stream.fileno())
        if out.replace:
            shutil.copymode(target, temporary)
            _copy_owner(target, temporary)
            os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _copy_owner(source: Path, target: str) -> None:
    status = os.stat(source)
    if status.st_uid == os.getuid() and status.st_gid == os.getgid():
        return
    try:
        os.chown(target, status.st_uid, status.st_gid)
    except PermissionError:  # not root: keep at least the group, when we belong to it
        with contextlib.suppress(PermissionError):
            os.chown(target, -1, status.st_gid)


def rewrite_jsonl_file(
    path: str | Path,
    transform: Transform,
    *,
    field: str | None = None,
    on_error: OnError | None = None,
    dry_run: bool = False,
) -> RewriteStats:
    """:func:`rewrite_jsonl` a file in place: a temporary file beside it replaces it atomically.

    The file is replaced only when a record changed (its permissions are kept; a symlink's target is
    rewritten). ``dry_run`` reads and transforms but writes nothing — for ``--check``. An input that
    cannot be opened raises :class:`~tokentrim.errors.InputError`.
    """
    target = Path(path).resolve()
    try:
        src = target.open("rb")
    except OSError as error:
        raise InputError(f"{path}: {os_message(error)}") from error
    with src:
        if dry_run:
            with open(os.devnull, "wb") as sink:
                return rewrite_jsonl(
                    src, sink, transform, field=field, name=str(path), on_error=on_error
                )
        with atomic_writer(target) as out:
            stats = rewrite_jsonl(
                src, out.stream, transform, field=field, name=str(path), on_error=on_error
            )
            out.replace = bool(stats.changed)
    return stats


def walk(
    root: str | Path,
    include: Sequence[str] = (),
    on_error: OnError | None = None,
    *,
    exclude: Sequence[str] = (),
    gitignore: bool = True,
) -> Iterator[Path]:
    """The files a directory contributes, as :func:`iter_replies` reads them.

    Sorted, hidden entries skipped, matched by name (or by the path below ``root`` for globs with a
    ``/``) against ``include`` (default :data:`DEFAULT_INCLUDE`). What ``.gitignore`` files ignore
    is skipped (the repository's top-level one and every one at or below ``root``, as git reads
    them), and so is what ``exclude`` names (gitignore-style patterns, relative to ``root``).
    Unreadable directories go to ``on_error`` (without it: :class:`~tokentrim.errors.InputError`).
    """
    report = on_error if on_error is not None else _raise
    ignored = _Ignores(Path(root), tuple(exclude), gitignore)
    return _walk(Path(root), tuple(include) or DEFAULT_INCLUDE, report, ignored)


def _walk(
    root: Path, include: tuple[str, ...], report: OnError, ignored: _Ignores
) -> Iterator[Path]:
    def on_walk_error(error: OSError) -> None:
        report(str(error.filename or root), os_message(error))

    for directory, subdirs, files in os.walk(root, onerror=on_walk_error):
        here = Path(directory)
        ignored.read_gitignore(here)
        subdirs[:] = sorted(
            name
            for name in subdirs
            if not name.startswith(".") and not ignored(here / name, directory=True)
        )
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = here / name
            relative = path.relative_to(root).as_posix()
            if any(
                fnmatch.fnmatch(relative if "/" in glob else name, glob) for glob in include
            ) and not ignored(path, directory=False):
                yield path


class _Ignores:
    """``.gitignore`` files (each applies below its own directory) and ``--exclude`` patterns."""

    def __init__(self, root: Path, exclude: tuple[str, ...], gitignore: bool) -> None:
        import pathspec

        self._pathspec = pathspec
        self._root = root
        self._exclude = pathspec.GitIgnoreSpec.from_lines(exclude) if exclude else None
        self._gitignore = gitignore
        self._specs: list[tuple[Path, Any]] = []
        if gitignore:
            top = _repository_root(root)
            if top is not None and top != root.resolve():
                self._add(top, top / ".gitignore")

    def read_gitignore(self, directory: Path) -> None:
        if self._gitignore:
            self._add(directory.resolve(), directory / ".gitignore")

    def _add(self, base: Path, file: Path) -> None:
        try:
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self._specs.append((base, self._pathspec.GitIgnoreSpec.from_lines(lines)))

    def __call__(self, path: Path, *, directory: bool) -> bool:
        suffix = "/" if directory else ""
        if self._exclude is not None:
            if self._exclude.match_file(path.relative_to(self._root).as_posix() + suffix):
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


def _repository_root(start: Path) -> Path | None:
    for directory in (start.resolve(), *start.resolve().parents):
        if (directory / ".git").exists():
            return directory
    return None


def _first_line_is_object(stream: BinaryIO) -> bool:
    for _ in range(100):  # blank lines before the first record are allowed, within reason
        line = stream.readline(_SNIFF_LINE_LIMIT)
        if not line:
            return False
        if line.strip():
            return is_object_line(line)
    return False


def is_object_line(line: bytes) -> bool:
    """The line is one JSON object (what makes a file or stdin JSONL)."""
    try:
        return isinstance(json.loads(line.decode("utf-8-sig")), dict)
    except (ValueError, RecursionError):
        return False


def os_message(error: OSError) -> str:
    """An OSError as the one-line message the CLI prints."""
    return (error.strerror or str(error)).lower().rstrip(".")


def _raise(origin: str, message: str) -> None:
    raise InputError(f"{origin}: {message}")
