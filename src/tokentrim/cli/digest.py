"""The ``tokentrim digest`` command (registered on the ``tokentrim`` click group in cli.py).

stdout carries the digest only (so that it pipes into ``llm``); the summary, skipped files,
warnings and ``--explain`` go to stderr. Exit 0, or 2 with one line on stderr for a path that does
not exist, a bad option or a missing extra.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from tokentrim.cli.outcome import EXIT_INPUT, error
from tokentrim.errors import TokentrimError

__all__ = ["digest_command"]


@click.command("digest")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--budget",
    type=click.IntRange(min=0),
    default=1024,
    show_default=True,
    help="Most tokens the digest may take (counted with --model's tokenizer).",
)
@click.option("--query", metavar="TEXT", help="The task: ranks what its words match first.")
@click.option(
    "--focus",
    multiple=True,
    metavar="FILE|SYMBOL",
    help="Rank around this file or symbol (repeatable), e.g. httpx/_client.py or Client.send.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text (Python-like stubs), markdown (one fenced block per file) or json.",
)
@click.option("--model", help="Model whose tokenizer counts the budget (default cl100k_base).")
@click.option(
    "--rank",
    "ranking",
    type=click.Choice(["combined", "bm25", "pagerank"]),
    default="combined",
    show_default=True,
    help="Ranking: BM25 personalizing PageRank (combined), or either alone.",
)
@click.option("--explain", is_flag=True, help="Each entry's score and its parts, on stderr.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the extraction cache.")
@click.option("-q", "--quiet", is_flag=True, help="No summary or warnings on stderr.")
@click.pass_context
def digest_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    budget: int,
    query: str | None,
    focus: tuple[str, ...],
    output_format: str,
    model: str | None,
    ranking: str,
    explain: bool,
    no_cache: bool,
    quiet: bool,
) -> None:
    """Signatures and docstrings of the Python code under PATH..., ranked for --query and cut
    to --budget tokens exactly.

        tokentrim digest --query "$TASK" src/ | llm -m qwen2.5-coder "$TASK"

    Directories are walked with .gitignore respected; binary, generated and huge files are skipped
    (listed on stderr). Extracted files are cached by content hash in $TOKENTRIM_CACHE_DIR or the
    user cache dir: a second run on an unchanged tree only ranks again.
    """
    from tokentrim.digest import digest

    try:
        result = digest(
            list(paths),
            budget=budget,
            query=query,
            focus=focus,
            model=model,
            format=output_format,  # type: ignore[arg-type]
            ranking=ranking,  # type: ignore[arg-type]
            cache=not no_cache,
        )
    except TokentrimError as exc:
        _fail(ctx, str(exc))
    if result.text:
        sys.stdout.write(result.text)
        sys.stdout.flush()
    if explain:
        click.echo(result.explain(), err=True)
    if quiet:
        return
    for warning in result.warnings:
        click.echo(f"tokentrim: warning: {warning}", err=True)
    for skipped in result.skipped:
        click.echo(f"tokentrim: skipped {skipped.path}: {skipped.reason}", err=True)
    click.echo(
        f"tokentrim: digest {result.tokens:,}/{result.budget:,} tokens ({result.encoding}): "
        f"{len(result.entries):,} of {result.candidates:,} entries from {result.files:,} files "
        f"({result.lines:,} lines)",
        err=True,
    )


def _fail(ctx: click.Context, message: str) -> NoReturn:
    error(message)
    ctx.exit(EXIT_INPUT)
