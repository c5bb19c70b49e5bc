"""stdout is payload only; diffs, progress bars and consoles for the commands."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import IO, Any

__all__ = ["Progress", "STDIN", "jsonl_diff", "stderr_console", "unified_diff", "write_stdout"]

STDIN = "-"


def write_stdout(data: str | bytes) -> None:
    """Write payload to stdout as UTF-8 bytes (lone surrogates from the input kept as they were)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def unified_diff(before: str, after: str, name: str) -> str:
    old, new = _diff_names(name)
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=old, tofile=new
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def jsonl_diff(before: IO[bytes], after: IO[bytes], name: str) -> Iterator[bytes]:
    """A unified diff of two JSONL files that have the same lines but changed ones (streamed)."""
    header = False
    for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        if old == new:
            continue
        if not header:
            old_name, new_name = _diff_names(name)
            yield f"--- {old_name}\n+++ {new_name}\n".encode()
            header = True
        yield f"@@ -{number} +{number} @@\n".encode()
        yield b"-" + (old if old.endswith(b"\n") else old + b"\n")
        yield b"+" + (new if new.endswith(b"\n") else new + b"\n")


def _diff_names(name: str) -> tuple[str, str]:
    if name == STDIN:
        return "stdin", "stdin"
    if os.path.isabs(name):
        return name, name
    return f"a/{name}", f"b/{name}"


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


class Progress:
    """A rich progress bar on stderr (a counter when the total is unknown), or nothing.

    ``with Progress(total, enabled=..., description=...) as advance: advance()``.
    """

    def __init__(self, total: int | None, *, enabled: bool, description: str = "trimming") -> None:
        self.total, self.enabled, self.description = total, enabled, description
        self._bar: Any = None

    def __enter__(self) -> Callable[..., None]:
        if not self.enabled:
            return lambda *_: None
        from rich import progress

        columns = (
            [progress.SpinnerColumn(), "[progress.description]{task.description}"]
            + [progress.MofNCompleteColumn(), progress.TimeElapsedColumn()]
            if self.total is None
            else list(progress.Progress.get_default_columns())
        )
        self._bar = progress.Progress(*columns, transient=True, console=stderr_console())
        self._bar.start()
        task = self._bar.add_task(self.description, total=self.total)
        bar = self._bar
        return lambda *_: bar.advance(task)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
