"""Python formatters behind one seam: a batch of sources in, one result per source out.

``Settings.formatter`` names one of :data:`FORMATTERS`:

* ``black`` formats in this process, source by source (black's own double pass proves stability);
* ``ruff`` is the ruff wheel's Black-compatible formatter: one ``ruff format`` process per batch,
  over a temporary directory holding one file per source (``--isolated``: no user configuration
  changes the result; ``--no-cache``; the oldest target version, so that the output uses no syntax
  newer than the source does). Ruff's output is close to black's but not byte-identical.

A :class:`FormatRun` formats the batches of one cleaning (the Python blocks of one reply, twice:
first pass and the second pass that proves idempotence). It remembers texts proven to be fixed
points and recent results, per formatter. When the named formatter cannot run at all (ruff not
installed, crashed, timed out) the run falls back to black for good, with a warning; it never
raises. The safety nets (parses, AST-equivalent, second pass changes nothing) are not here: the
cleaner checks every result the same way whichever formatter made it.

Tests and embedders swap a formatter through the public registry:
``monkeypatch.setitem(FORMATTERS, "black", MyFormatter())``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import black

from tokentrim.caching import BUDGETS, ByteBoundedCache

__all__ = [
    "BlackFormatter",
    "FORMATTERS",
    "FormatRun",
    "Formatted",
    "Formatter",
    "FormatterUnavailable",
    "Result",
    "RuffFormatter",
    "Unformattable",
    "clear_caches",
]


@dataclasses.dataclass(frozen=True)
class Formatted:
    """A source's formatted text; ``stable``: formatting ``text`` again is proven to give it back."""

    text: str
    stable: bool = False


@dataclasses.dataclass(frozen=True)
class Unformattable:
    """The formatter could not format this source (the cleaner keeps it as it was)."""

    reason: str


Result = Formatted | Unformattable


class FormatterUnavailable(Exception):
    """The formatter cannot run at all (not installed, crashed, timed out): the whole batch."""


class Formatter(Protocol):
    """Formats a batch of Python sources at a line length: one result per source, in order.

    Raises :class:`FormatterUnavailable` when it cannot run at all; a source it cannot format is
    an :class:`Unformattable` in its place.
    """

    name: str

    def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]: ...


class BlackFormatter:
    """black, in process."""

    name = "black"

    def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
        mode = black.Mode(line_length=line_length)
        return [_black(source, mode) for source in sources]


def _black(code: str, mode: black.Mode) -> Result:
    """``black.format_str``, spelled out so that its own second pass proves the result stable.

    format_str formats once and, when that changed anything, once more (black's workaround for
    trailing commas). When the last pass changed nothing, its input is a fixed point: a second
    trim pass over it needs no black run at all.
    """
    try:
        once = _format_once(code, mode)
        if once == code:
            return Formatted(code, stable=True)
        twice = _format_once(once, mode)
    except Exception as exc:  # noqa: BLE001 - black's InvalidInput and its internal errors
        return Unformattable(f"black could not format it: {type(exc).__name__}")
    return Formatted(twice, stable=twice == once)


def _format_once(code: str, mode: black.Mode) -> str:
    format_once = getattr(black, "_format_str_once", None)
    if format_once is None:  # pragma: no cover - a black without it: the documented function
        return black.format_str(code, mode=mode)
    return str(format_once(code, mode=mode))


#: The oldest version ``ruff format --target-version`` takes: ruff then never writes syntax newer
#: than the source's own (black infers the same from the source; ruff does not infer).
RUFF_TARGET = "py37"


class RuffFormatter:
    """``ruff format`` over a temporary directory of files: one process per batch.

    ``executable``: the ruff binary (default: the ruff wheel's, ``ruff.find_ruff_bin()``).
    ``timeout``: seconds for one batch (default 10 s plus 1 s per 100,000 characters).
    ``processes`` counts the ``ruff`` processes started.
    """

    name = "ruff"

    def __init__(self, executable: str | None = None, timeout: float | None = None) -> None:
        self.executable = executable
        self.timeout = timeout
        self.processes = 0

    def format_batch(self, sources: Sequence[str], line_length: int) -> list[Result]:
        if not sources:
            return []
        executable = self.executable or _ruff_bin()
        timeout = self.timeout or 10.0 + sum(map(len, sources)) / 100_000
        results: list[Result | None] = [None] * len(sources)
        with tempfile.TemporaryDirectory(prefix="tokentrim-ruff-") as tmp:
            names = {}
            for index, source in enumerate(sources):
                name = f"b{index:07d}.py"
                try:
                    data = source.encode("utf-8")
                except UnicodeEncodeError:
                    results[index] = Unformattable("ruff could not format it: not UTF-8")
                    continue
                Path(tmp, name).write_bytes(data)
                names[name] = index
            if names:
                failed = self._run(executable, tmp, sorted(names), line_length, timeout)
                for name, index in names.items():
                    if name in failed:
                        results[index] = Unformattable(f"ruff could not format it: {failed[name]}")
                        continue
                    text = Path(tmp, name).read_bytes().decode("utf-8")
                    results[index] = Formatted(text, stable=text == sources[index])
        return [r if r is not None else Unformattable("not formatted") for r in results]

    def _run(
        self, executable: str, directory: str, names: list[str], line_length: int, timeout: float
    ) -> dict[str, str]:
        """Run ruff once over ``names``; the files it could not format, with why."""
        command = [
            executable,
            "format",
            "--no-cache",
            "--isolated",
            f"--line-length={line_length}",
            f"--target-version={RUFF_TARGET}",
            "--",
            *names,
        ]
        self.processes += 1
        try:
            done = subprocess.run(
                command,
                cwd=directory,
                capture_output=True,
                timeout=timeout,
                check=False,
                env=_ruff_env(),
            )
        except subprocess.TimeoutExpired:
            raise FormatterUnavailable(f"ruff format timed out after {timeout:.0f} s") from None
        except OSError as exc:
            raise FormatterUnavailable(f"ruff could not be started: {exc}") from None
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode == 0:
            return {}
        failed: dict[str, str] = {}
        for line in stderr.splitlines():
            if not line.startswith("error:"):
                continue
            found = _FILE.search(line)
            if found is None or found.group(1) not in names:
                # An error about the run, not one file: nothing it wrote can be trusted.
                raise FormatterUnavailable(f"ruff format failed: {_first_line(line)}")
            message = line.removeprefix("error:").strip().replace(found.group(1), "the block")
            failed[found.group(1)] = _first_line(message)
        if done.returncode != 2 or not failed:
            message = _first_line(stderr) or f"exit status {done.returncode}"
            raise FormatterUnavailable(f"ruff format failed: {message}")
        return failed


_FILE = re.compile(r"\b(b\d{7}\.py)\b")


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else ""


def _ruff_env() -> dict[str, str]:
    # RUFF_* variables can change ruff's behaviour (a cache directory, output, preview...).
    return {k: v for k, v in os.environ.items() if not k.startswith("RUFF_")}


_RUFF_BIN: list[str] = []


def _ruff_bin() -> str:
    if not _RUFF_BIN:
        try:
            from ruff import find_ruff_bin
        except ImportError:
            try:  # ruff before 0.5 had it in __main__ only
                from ruff.__main__ import find_ruff_bin
            except ImportError:
                raise FormatterUnavailable(
                    "ruff is not installed (pip install 'tokentrim[ruff]')"
                ) from None
        try:
            _RUFF_BIN.append(os.fsdecode(find_ruff_bin()))
        except FileNotFoundError as exc:
            reason = f"the ruff executable was not found: {_first_line(str(exc))}"
            raise FormatterUnavailable(reason) from None
    return _RUFF_BIN[0]


#: The formatters ``Settings.formatter`` names, by name.
FORMATTERS: dict[str, Formatter] = {"black": BlackFormatter(), "ruff": RuffFormatter()}

FALLBACK = "black"


class FormatRun:
    """The formatting of one cleaning: ``name``'s formatter, black when it cannot run.

    Once it fell back, it stays on black (both passes must be formatted alike); ``warnings`` says
    so, and ``mixed`` is set when the first formatter had already produced results.
    """

    def __init__(self, name: str, line_length: int) -> None:
        self.formatter = FORMATTERS[name]
        self.line_length = line_length
        self.warnings: list[str] = []
        self.mixed = False
        self._used = False

    @property
    def name(self) -> str:
        """The name of the formatter in use (``"black"`` after a fallback)."""
        return self.formatter.name

    def format(self, sources: Sequence[str]) -> list[Result]:
        """One result per source; only sources not known already go to the formatter, at once."""
        formatter, line_length = self.formatter, self.line_length
        results: list[Result | None] = []
        todo: list[int] = []
        for index, source in enumerate(sources):
            if (formatter, source, line_length) in _FIXED_POINTS:
                results.append(Formatted(source, stable=True))
                continue
            results.append(_RESULTS.get((formatter, source, line_length)))
            if results[-1] is None:
                todo.append(index)
        if todo:
            fresh = self._format([sources[index] for index in todo])
            for index, result in zip(todo, fresh, strict=True):
                results[index] = result
                if isinstance(result, Formatted) and self.formatter is formatter:
                    _RESULTS.put((formatter, sources[index], line_length), result)
                    if result.stable:
                        _FIXED_POINTS.put((formatter, result.text, line_length), True)
        return [r if r is not None else Unformattable("not formatted") for r in results]

    def _format(self, sources: list[str]) -> list[Result]:
        try:
            results = self.formatter.format_batch(sources, self.line_length)
            if len(results) != len(sources):
                raise FormatterUnavailable(f"{len(results)} results for {len(sources)} sources")
        except Exception as exc:  # noqa: BLE001 - a formatter that cannot run must not lose the reply
            fallback = FORMATTERS[FALLBACK]
            if self.formatter is fallback:
                reason = f"{self.name} could not run: {type(exc).__name__}: {exc}"
                return [Unformattable(reason)] * len(sources)
            self.warnings.append(f"formatter {self.name} unavailable ({exc}): formatted with black")
            self.mixed = self._used
            self.formatter = fallback
            return self._format(sources)
        self._used = True
        return results


def clear_caches() -> None:
    """Forget fixed points and results (benchmarks measure cold runs)."""
    _FIXED_POINTS.clear()
    _RESULTS.clear()


# Texts a formatter has been seen to leave unchanged: the second pass's check of them is done.
_FIXED_POINTS: ByteBoundedCache[tuple[Formatter, str, int], bool] = ByteBoundedCache(
    BUDGETS["python.fixed_points"], lambda key, _: 2 * len(key[1]) + 100
)
_RESULTS: ByteBoundedCache[tuple[Formatter, str, int], Result] = ByteBoundedCache(
    BUDGETS["python.format"],
    lambda key, value: 2 * (len(key[1]) + len(getattr(value, "text", ""))) + 100,
)
