"""Paths to replies: files, directories, stdin; the kind of each file; one-line errors."""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import json
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from tokentrim.errors import InputError
from tokentrim.sources.jsonl import OnError, RewriteStats, Transform, iter_jsonl, rewrite_jsonl
from tokentrim.sources.llm_logs import iter_llm_logs
from tokentrim.sources.records import Reply

#: Files a directory walk reads when no ``include`` globs are given. Files without a suffix (README,
#: LICENSE, scripts) are not replies and are left alone; name them explicitly to read them.
DEFAULT_INCLUDE = ("*.md", "*.markdown", "*.txt", "*.jsonl", "*.ndjson", "*.db")

STDIN = "<stdin>"
SQLITE_MAGIC = b"SQLite format 3\x00"
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
SQLITE_SUFFIXES = frozenset({".db", ".sqlite", ".sqlite3"})
_SNIFF_BYTES = 8192
_SNIFF_LINE_LIMIT = 1 << 20


def detect_kind(path: Path) -> str:
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
        raise InputError(_os_message(error)) from error


def iter_replies(
    paths: Sequence[str | Path],
    *,
    field: str | None = None,
    include: Sequence[str] = (),
    on_error: OnError | None = None,
) -> Iterator[Reply]:
    """Every reply in ``paths`` (files, directories walked recursively, ``"-"`` for stdin).

    A directory yields the files matching ``include`` (globs on the file name, or on the path below
    the directory when a glob has a ``/``; default :data:`DEFAULT_INCLUDE`), sorted, hidden entries
    skipped. Files named explicitly are always read. A bad input — missing, unreadable, binary, not
    UTF-8, a malformed or reply-less JSONL line, a database llm did not write — calls
    ``on_error(origin, one-line message)`` and the walk goes on; without ``on_error`` it raises
    :class:`~tokentrim.errors.InputError`.
    """
    report = on_error if on_error is not None else _raise
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for given in paths:
        if str(given) == "-":
            yield from _read_stdin(field, report)
            continue
        path = Path(given)
        if path.is_dir():
            for file in walk(path, include, report):
                yield from _read_file(file, field, report)
        elif not path.exists() and not path.is_symlink():
            report(str(path), "no such file or directory")
        else:
            yield from _read_file(path, field, report)


@dataclasses.dataclass
class AtomicFile:
    """What :func:`atomic_writer` yields: write to ``stream``; set ``replace`` False to discard."""

    stream: BinaryIO
    replace: bool = True


@contextlib.contextmanager
def atomic_writer(path: str | Path) -> Iterator[AtomicFile]:
    """Write a file's new content beside it and ``os.replace`` it in one step.

    The temporary file is fsynced and takes the target's permissions; a symlink's target is what
    gets replaced. On an exception, or with ``replace`` set False, the target is left untouched.
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
            os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


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
        raise InputError(f"{path}: {_os_message(error)}") from error
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
    root: str | Path, include: Sequence[str] = (), on_error: OnError | None = None
) -> Iterator[Path]:
    """The files a directory contributes, as :func:`iter_replies` reads them.

    Sorted, hidden entries skipped, matched by name (or by the path below ``root`` for globs with a
    ``/``) against ``include`` (default :data:`DEFAULT_INCLUDE`). Unreadable directories go to
    ``on_error`` (without it: :class:`~tokentrim.errors.InputError`).
    """
    report = on_error if on_error is not None else _raise
    return _walk(Path(root), tuple(include) or DEFAULT_INCLUDE, report)


def _read_file(path: Path, field: str | None, report: OnError) -> Iterator[Reply]:
    origin = str(path)
    try:
        kind = detect_kind(path)
    except InputError as error:
        report(origin, str(error))
        return
    try:
        if kind == "llm-logs":
            try:
                yield from iter_llm_logs(path)
            except sqlite3.Error as error:
                report(origin, f"cannot read llm logs database: {error}")
        elif kind == "jsonl":
            with path.open("rb") as stream:
                yield from iter_jsonl(stream, origin, field, report)
        else:
            data = path.read_bytes()
            reply = _text_reply(data, origin)
            if reply is not None:
                yield reply
            else:
                report(origin, _not_utf8(data))
    except OSError as error:
        report(origin, _os_message(error))


def _read_stdin(field: str | None, report: OnError) -> Iterator[Reply]:
    stream: BinaryIO = getattr(sys.stdin, "buffer", None) or _EncodedText(sys.stdin)  # type: ignore[assignment]
    head: list[bytes] = []
    while True:  # blank lines first, then the line that tells JSONL from text
        line = stream.readline()
        head.append(line)
        if not line or line.strip():
            break
    if _is_object(head[-1]):
        yield from iter_jsonl(_chain(head, stream), STDIN, field, report)
        return
    data = b"".join(head) + stream.read()
    if b"\x00" in data[:_SNIFF_BYTES]:
        report(STDIN, "binary input")
        return
    reply = _text_reply(data, STDIN)
    if reply is None:
        report(STDIN, _not_utf8(data))
    else:
        yield reply


def _walk(root: Path, include: tuple[str, ...], report: OnError) -> Iterator[Path]:
    def on_walk_error(error: OSError) -> None:
        report(str(error.filename or root), _os_message(error))

    for directory, subdirs, files in os.walk(root, onerror=on_walk_error):
        subdirs[:] = sorted(name for name in subdirs if not name.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if any(fnmatch.fnmatch(relative if "/" in glob else name, glob) for glob in include):
                yield path


def _text_reply(data: bytes, origin: str) -> Reply | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return Reply(text, None, None, origin, "text")


def _not_utf8(data: bytes) -> str:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return f"not UTF-8 (byte 0x{data[error.start]:02x} on line {line})"
    return "not UTF-8"


def _first_line_is_object(stream: BinaryIO) -> bool:
    for _ in range(100):  # blank lines before the first record are allowed, within reason
        line = stream.readline(_SNIFF_LINE_LIMIT)
        if not line:
            return False
        if line.strip():
            return _is_object(line)
    return False


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line.decode("utf-8-sig")), dict)
    except (ValueError, RecursionError):
        return False


def _chain(head: list[bytes], stream: BinaryIO) -> Iterator[bytes]:
    yield from head
    yield from iter(stream.readline, b"")


class _EncodedText:
    """A text stream seen as bytes, for a ``sys.stdin`` without ``.buffer`` (e.g. replaced in tests)."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def readline(self) -> bytes:
        return str(self._stream.readline()).encode("utf-8", "surrogateescape")  # type: ignore[attr-defined]

    def read(self) -> bytes:
        return str(self._stream.read()).encode("utf-8", "surrogateescape")  # type: ignore[attr-defined]


def _os_message(error: OSError) -> str:
    return (error.strerror or str(error)).lower().rstrip(".")


def _raise(origin: str, message: str) -> None:
    raise InputError(f"{origin}: {message}")
