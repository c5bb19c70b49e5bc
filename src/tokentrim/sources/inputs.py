"""One input pipeline for every command: a path (or ``-``) → an :class:`Input` of a known kind.

``clean``, ``count`` and ``report`` all go through :func:`expand` and :func:`open_input`, so a
file is sniffed, decoded and reported the same way whichever command reads it: a UTF-8 BOM is
not part of the reply's text (``Input.bom`` remembers it so a rewrite writes it back), binary and
non-UTF-8 input is one :class:`~tokentrim.errors.InputError` with the same wording everywhere.
"""

from __future__ import annotations

import dataclasses
import io
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from tokentrim.errors import InputError
from tokentrim.sources.files import (
    DEFAULT_INCLUDE,
    STDIN,
    Kind,
    detect_kind,
    is_object_line,
    os_message,
    walk,
)
from tokentrim.sources.jsonl import OnError, iter_jsonl
from tokentrim.sources.llm_logs import LogFilter, iter_llm_logs
from tokentrim.sources.records import Reply

__all__ = ["BOM", "Input", "decode_text", "expand", "iter_replies", "open_input"]

BOM = "\ufeff"
_SNIFF_BYTES = 8192


@dataclasses.dataclass
class Input:
    """One input: its name as given (``"-"`` for stdin), its kind, and how to read it.

    Stdin is read once: text is held in ``data``; JSONL keeps a one-shot stream so that a
    multi-GB pipe is processed line by line.
    """

    name: str
    kind: Kind
    path: Path | None = None
    data: bytes | None = None
    _stream: BinaryIO | None = None

    @property
    def origin(self) -> str:
        return STDIN if self.path is None else str(self.path)

    def read_text(self) -> tuple[str, bool]:
        """(text without a BOM, whether there was one); InputError when binary or not UTF-8."""
        data = self.data if self.data is not None else self._require_path().read_bytes()
        text = decode_text(data)
        if text.startswith(BOM):
            return text[1:], True
        return text, False

    def open_bytes(self) -> BinaryIO:
        """The raw bytes: the file opened for reading, or stdin (readable once)."""
        if self._stream is not None:
            stream, self._stream = self._stream, None
            return stream
        if self.data is not None:
            return io.BytesIO(self.data)
        return self._require_path().open("rb")

    def replies(
        self, field: str | None, on_error: OnError, logs: LogFilter | None = None
    ) -> Iterator[Reply]:
        """Every reply in the input (in a logs.db, those ``logs`` selects); bad records go to
        ``on_error`` and reading goes on."""
        try:
            if self.kind == "llm-logs":
                try:
                    yield from iter_llm_logs(self._require_path(), logs)
                except sqlite3.Error as error:
                    on_error(self.origin, f"cannot read llm logs database: {error}")
            elif self.kind == "jsonl":
                with self.open_bytes() as stream:
                    yield from iter_jsonl(stream, self.origin, field, on_error)
            else:
                try:
                    text, _ = self.read_text()
                except InputError as error:
                    on_error(self.origin, str(error))
                    return
                yield Reply(text, None, None, self.origin, "text")
        except OSError as error:
            on_error(self.origin, os_message(error))

    def _require_path(self) -> Path:
        if self.path is None:
            raise InputError("stdin can be read only once")
        return self.path


def iter_replies(
    paths: Sequence[str | Path] | str | Path,
    *,
    field: str | None = None,
    include: Sequence[str] = (),
    on_error: OnError | None = None,
    logs: LogFilter | None = None,
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
    for name in expand([str(p) for p in paths], include=include, on_error=report):
        try:
            source = open_input(name)
        except InputError as error:
            report(STDIN if name == "-" else name, str(error))
            continue
        yield from source.replies(field, report, logs)


def open_input(name: str) -> Input:
    """Sniff one input (a path, or ``"-"`` for stdin); InputError when it cannot be read."""
    if name == "-":
        return _stdin()
    path = Path(name)
    if not path.exists() and not path.is_symlink():
        raise InputError("no such file or directory")
    return Input(name, detect_kind(path), path)


def expand(
    paths: Sequence[str],
    *,
    include: Sequence[str] = (),
    on_error: OnError,
    default_include: Sequence[str] = DEFAULT_INCLUDE,
    exclude: Sequence[str] = (),
) -> Iterator[str]:
    """The inputs that ``paths`` name: files as given, directories walked (``include`` globs or
    ``default_include``; ``.gitignore`` and ``exclude`` respected), ``"-"`` for stdin; a missing
    path goes to ``on_error``. Files named explicitly are always taken."""
    for given in paths:
        path = Path(given)
        if given == "-":
            yield given
        elif path.is_dir():
            globs = tuple(include) or tuple(default_include)
            for file in walk(path, globs, on_error, exclude=exclude):
                yield str(file)
        elif not path.exists() and not path.is_symlink():
            on_error(given, "no such file or directory")
        else:
            yield given


def decode_text(data: bytes) -> str:
    """UTF-8 text (a BOM kept as U+FEFF); the one wording of binary and non-UTF-8 errors."""
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError("binary input")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"not UTF-8 (byte 0x{data[error.start]:02x} on line {line})") from None


def _stdin() -> Input:
    stream: BinaryIO = getattr(sys.stdin, "buffer", None) or _EncodedText(sys.stdin)  # type: ignore[assignment]
    head: list[bytes] = []
    while True:  # blank lines first, then the line that tells JSONL from text
        line = stream.readline()
        head.append(line)
        if not line or line.strip():
            break
    if is_object_line(head[-1]):
        return Input("-", "jsonl", _stream=_Chained(head, stream))  # type: ignore[arg-type]
    return Input("-", "text", data=b"".join(head) + stream.read())


def _raise(origin: str, message: str) -> None:
    raise InputError(f"{origin}: {message}")


class _Chained:
    """The sniffed head lines, then the rest of the stream: read line by line, once."""

    def __init__(self, head: list[bytes], rest: BinaryIO) -> None:
        self._head, self._rest = [line for line in head if line], rest

    def readline(self) -> bytes:
        return self._head.pop(0) if self._head else self._rest.readline()

    def read(self, size: int = -1) -> bytes:
        head, self._head = b"".join(self._head), []
        return head + self._rest.read(size)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def __enter__(self) -> _Chained:
        return self

    def __exit__(self, *exc: object) -> None:
        return None  # stdin is not ours to close


class _EncodedText:
    """A text stream seen as bytes, for a ``sys.stdin`` without ``.buffer`` (e.g. replaced in tests)."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def readline(self) -> bytes:
        return str(self._stream.readline()).encode("utf-8", "surrogateescape")  # type: ignore[attr-defined]

    def read(self, size: int = -1) -> bytes:
        return str(self._stream.read()).encode("utf-8", "surrogateescape")  # type: ignore[attr-defined]
