"""Exit codes and the one-line messages on stderr: the one place that decides how a run ends.

As black's ``Report``: a command tells :class:`Report` what happened to each input (``done``,
``failed``) and returns :attr:`Report.exit_code`; ``main()`` maps exceptions to the same codes.
"""

from __future__ import annotations

import collections
import dataclasses
import sys

import click

from tokentrim.cli.tally import Tally, plural

__all__ = ["EXIT_CHANGES", "EXIT_INPUT", "EXIT_INTERNAL", "EXIT_OK", "Report", "error", "warning"]

EXIT_OK = 0
EXIT_CHANGES = 1  # --check found something to trim
EXIT_INPUT = 2  # usage error or unreadable input
EXIT_INTERNAL = 123  # a bug of ours: one line, never a traceback


def error(message: str) -> None:
    """``tokentrim: error: message`` on stderr."""
    click.echo(f"tokentrim: error: {message}", err=True)


def warning(message: str) -> None:
    """``tokentrim: warning: message`` on stderr."""
    click.echo(f"tokentrim: warning: {message}", err=True)


@dataclasses.dataclass
class Report:
    """What a run did to its inputs, and therefore its exit code.

    ``max_shown`` bounds the error lines printed (a 10,000-line JSONL of bad records must not
    flood the terminal); every error is still counted. ``defer`` holds the lines until
    :meth:`flush` (a command that draws a progress bar or a table meanwhile).
    """

    check: bool = False
    max_shown: int | None = None
    defer: bool = False
    quiet: bool = False
    changed: int = 0
    errors: int = 0
    inputs: int = 0
    skipped: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    failed_blocks: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    replies: int = 0
    tokens_before: int = 0
    tokens_after: int = 0
    encoding: str = ""
    _shown: int = 0
    _held: list[str] = dataclasses.field(default_factory=list)

    def commit(self, tally: Tally) -> None:
        """Count an input that was trimmed (and, with ``-i``, written) into the summary."""
        self.inputs += 1
        self.changed += tally.changed > 0
        self.replies += tally.replies
        self.tokens_before += tally.tokens_before
        self.tokens_after += tally.tokens_after
        self.encoding = tally.encoding or self.encoding
        self.skipped.update(tally.skipped)
        self.failed_blocks.update(tally.failed)

    def summary(self, *, dry_run: bool) -> None:
        """The summary on stderr: tokens saved, and the blocks left as they were and why."""
        if self.quiet:
            return
        lines = []
        if self.replies:
            saved = self.tokens_before - self.tokens_after
            share = saved / self.tokens_before if self.tokens_before else 0.0
            verb = "would save" if dry_run else "saved"
            changed = "would change" if dry_run else "changed"
            lines.append(
                f"{plural(self.replies, 'reply')} in {plural(self.inputs, 'input')}, "
                f"{self.tokens_before:,} → {self.tokens_after:,} tokens ({self.encoding}): "
                f"{verb} {saved:,} ({share:.1%}); {plural(self.changed, 'input')} {changed}"
            )
        blocks = []
        if self.skipped:
            blocks.append(
                f"{plural(sum(self.skipped.values()), 'block')} skipped: {_counts(self.skipped)}"
            )
        if self.failed_blocks:
            total = sum(self.failed_blocks.values())
            blocks.append(
                f"{plural(total, 'block')} kept as {'it was' if total == 1 else 'they were'} "
                f"after a failed safety check: {_counts(self.failed_blocks)}"
            )
        if blocks:
            lines.append("; ".join(blocks) + " (-v: each block)")
        for line in lines:
            if sys.stderr.isatty():
                from tokentrim.cli.output import stderr_console

                stderr_console().print(f"[bold]tokentrim[/bold] {line}", highlight=False)
            else:
                click.echo(f"tokentrim: {line}", err=True)

    def failed(self, name: str, message: str) -> None:
        """An input (or a record of one) could not be read or written: say so in one line."""
        self.errors += 1
        if self.max_shown is None or self._shown < self.max_shown:
            self._shown += 1
            if self.defer:
                self._held.append(f"{name}: {message}")
            else:
                error(f"{name}: {message}")

    def flush(self) -> None:
        """Print the held lines, and one line for the errors that ``max_shown`` left out."""
        for line in self._held:
            error(line)
        self._held.clear()
        hidden = self.errors - self._shown
        if hidden > 0:
            error(f"… and {hidden} more")
            self._shown = self.errors

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_INPUT
        if self.check and self.changed:
            return EXIT_CHANGES
        return EXIT_OK


def _counts(counter: collections.Counter[str]) -> str:
    return ", ".join(f"{n:,} {what}" for what, n in counter.most_common())
