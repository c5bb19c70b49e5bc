"""The ``tokentrim`` group and ``main(argv) -> int``: every command, and how any run ends.

stdout carries only payload (cleaned text, a diff, JSON); messages, summaries and progress go to
stderr. Exit codes (:mod:`tokentrim.cli.outcome`): 0 ok, 1 ``--check`` found changes, 2 usage
error or unreadable input (one line on stderr, no traceback), 123 internal error.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from tokentrim.cli.outcome import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, error
from tokentrim.errors import TokentrimError

__all__ = ["cli", "main"]

#: Each command's module and object, imported only when the command runs (or --help lists it):
#: `tokentrim clean` does not pay for genai-prices, numpy or the report's renderers.
COMMANDS = {
    "clean": "tokentrim.cli.clean:clean_command",
    "count": "tokentrim.cli.count:count_command",
    "digest": "tokentrim.cli.digest:digest_command",
    "report": "tokentrim.cli.report:report_command",
    "route": "tokentrim.cli.route:route_group",
    "rules": "tokentrim.cli.rules:rules_command",
    "serve": "tokentrim.cli.serve:serve_command",
}


class _LazyGroup(click.Group):
    """A click group whose commands are imported on first use (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMANDS:
            module, _, attribute = COMMANDS[name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    invoke_without_command=True,
)
@click.version_option(package_name="tokentrim")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Trim verbose LLM coding replies: strip comments, simplify Python, reformat, report cost."""
    if ctx.invoked_subcommand is None:  # bare `tokentrim`: the help, as a request, not an error
        click.echo(ctx.get_help())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (never raises, never prints a traceback)."""
    try:
        code = cli.main(args=argv, prog_name="tokentrim", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:  # click exits 1 itself when stdout is a closed pipe
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except click.ClickException as exc:
        error(exc.format_message())
        return EXIT_INPUT
    except click.exceptions.Abort:
        click.echo("tokentrim: aborted", err=True)
        return 130
    except TokentrimError as exc:
        error(str(exc))
        return EXIT_INPUT
    except BrokenPipeError:
        # The reader went away (`tokentrim clean x | head`): not an error of ours.
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract is one line and exit 123, never a traceback
        click.echo(f"tokentrim: internal error: {type(exc).__name__}: {exc}", err=True)
        return EXIT_INTERNAL
    return code if isinstance(code, int) else EXIT_OK


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
