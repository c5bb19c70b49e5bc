"""The ``tokentrim`` command line: thin I/O around ``trim()``; one module per command."""

from tokentrim.cli.app import cli, main

__all__ = ["cli", "main"]
