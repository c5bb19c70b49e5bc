"""The Python side of the pipeline: Python blocks in, cleaned blocks (or reasons) out.

``clean_python`` runs comment stripping, the code rules and the formatter (black or ruff, see
:mod:`~tokentrim.languages.python.formatting`), then the safety nets:

* comment stripping leaves ``ast.dump`` exactly unchanged;
* the formatter leaves the AST equivalent the way black's own check defines it (docstring
  whitespace; :func:`tokentrim.pyast.same_for_black`);
* the result parses, and a second pass over it changes nothing.

A failed net keeps the original code and reports ``failed`` with the reason; code that does not
parse is ``skipped``. Nothing here raises on bad input. ``clean_python_batch`` cleans the blocks
of one reply in phases, so that the formatter runs once per pass for all of them (one ``ruff``
process per pass, not one per block); each block's outcome is what ``clean_python`` gives it.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst

from tokentrim import pyast
from tokentrim.caching import memoize, per_call
from tokentrim.languages import CleanOutcome
from tokentrim.languages.python.comments import (
    scan_comments,
    strip_comment_lines,
    strip_comments,
)
from tokentrim.languages.python.detect import MAX_BLOCK_CHARS
from tokentrim.languages.python.formatting import FormatRun, Result, Unformattable
from tokentrim.languages.python.narration import plan as plan_narration
from tokentrim.rules import CodeRule, apply_code_rules, enabled_rules, may_fire, screen
from tokentrim.rules._facts import module_code
from tokentrim.settings import Settings

__all__ = ["PythonCleaner", "clean_python", "clean_python_batch"]


class PythonCleaner:
    """The Python :class:`~tokentrim.languages.BatchCleaner`: libcst, the code rules and the
    formatter."""

    language = "python"

    def clean(self, code: str, settings: Settings) -> CleanOutcome:
        return clean_python(code, settings)

    def clean_batch(
        self, codes: Sequence[str], settings: Settings
    ) -> tuple[list[CleanOutcome], list[str]]:
        return clean_python_batch(codes, settings)


class _NetFailed(Exception):
    """A safety net caught a rewrite that is not safe: the block keeps its original text."""


class _Skip(Exception):
    """The block cannot be processed (does not parse, nested too deeply): left as it is."""


def clean_python(code: str, settings: Settings) -> CleanOutcome:
    """Clean one Python block; never raises on bad input."""
    (outcome,), warnings = clean_python_batch([code], settings)
    if warnings:
        outcome = dataclasses.replace(outcome, warnings=(*warnings, *outcome.warnings))
    return outcome


def clean_python_batch(
    codes: Sequence[str], settings: Settings
) -> tuple[list[CleanOutcome], list[str]]:
    """Clean the Python blocks of one reply: each block on its own, exactly as
    :func:`clean_python` would, but the formatter sees all of them at once, once per pass.

    Returns one outcome per block and the warnings that concern the batch (a formatter that
    could not run). Never raises on bad input. Within one ``trim()`` call
    (:func:`~tokentrim.caching.one_call`), a block already cleaned with the same settings is not
    cleaned again.
    """
    shared = per_call("python.outcomes")  # a block a text rule cleaned already (removed-prose)
    if shared is None:
        return _clean_fresh(codes, settings)
    keys = [(code, settings) for code in codes]
    todo = [i for i, key in enumerate(keys) if key not in shared]
    if todo:
        fresh, warnings = _clean_fresh([codes[i] for i in todo], settings)
        if warnings:
            # The formatter could not run as asked: all the blocks again, as without sharing.
            return (fresh, warnings) if len(todo) == len(codes) else _clean_fresh(codes, settings)
        for i, outcome in zip(todo, fresh, strict=True):
            shared[keys[i]] = outcome
    return [shared[key] for key in keys], []


def _clean_fresh(codes: Sequence[str], settings: Settings) -> tuple[list[CleanOutcome], list[str]]:
    run = FormatRun(settings.formatter, settings.line_length) if settings.format else None
    outcomes = _clean_all(codes, settings, run)
    if run is None:
        return outcomes, []
    if run.mixed:
        # The formatter gave up after formatting some of it: both passes again with black alone.
        again = FormatRun(run.name, settings.line_length)
        outcomes = _clean_all(codes, settings, again)
        return outcomes, [*run.warnings, *again.warnings]
    return outcomes, run.warnings


def _clean_all(
    codes: Sequence[str], settings: Settings, run: FormatRun | None
) -> list[CleanOutcome]:
    """The phases, each over every block: rules, format (one batch), rules again, format again
    (one batch), the second-pass check. A block leaves the phases once its outcome is known."""
    code_rules = tuple(r for r in enabled_rules(settings) if issubclass(r, CodeRule))
    blocks = [_Block(code) for code in codes]
    for block in blocks:
        block.step(block.first_pass, settings, code_rules)
    _format_pending(blocks, run)
    for block in blocks:
        block.step(block.second_pass, settings, code_rules)
    _format_pending(blocks, run)
    for block in blocks:
        block.step(block.finish)
    return [block.outcome or CleanOutcome(block.code, "failed", "not cleaned") for block in blocks]


class _Block:
    """One block on its way through the phases; ``outcome`` is set once it is decided.

    ``pending`` is the text waiting for the formatter (None: nothing to format); the formatter's
    checked result replaces it as ``formatted``. ``screened``: the rules' pre-screen shapes of the
    first pass's result, when it was screened as it is (the second pass needs only its text's).
    """

    def __init__(self, code: str) -> None:
        self.code = code
        self.outcome: CleanOutcome | None = None
        self.pending: str | None = None
        self.formatted = ""
        self.new = ""
        self.fired: list[str] = []
        self.warnings: list[str] = []
        self.explained: tuple[str, ...] = ()
        self.screened: frozenset[str] | None = None

    def step(self, phase: Callable[..., None], *args: Any) -> None:
        """Run one phase unless the outcome is known; what it raises decides the outcome."""
        if self.outcome is not None:
            return
        try:
            phase(*args)
        except _Skip as exc:
            self.outcome = CleanOutcome(self.code, "skipped", str(exc))
        except _NetFailed as exc:
            self.outcome = CleanOutcome(self.code, "failed", str(exc))
        except (RecursionError, MemoryError):
            self.outcome = CleanOutcome(
                self.code, "skipped", "code nested too deeply for the parser"
            )
        except Exception as exc:  # noqa: BLE001 - a bug in a rule or a library must not lose the block
            reason = f"internal error: {type(exc).__name__}: {exc}"
            self.outcome = CleanOutcome(self.code, "failed", reason)

    def first_pass(self, settings: Settings, code_rules: tuple[type[CodeRule], ...]) -> None:
        code = self.code
        if len(code) > MAX_BLOCK_CHARS:
            reason = f"block of {len(code):,} characters is over the {MAX_BLOCK_CHARS:,} limit"
            self.outcome = CleanOutcome(code, "skipped", reason)
            return
        text, self.fired, self.warnings, self.explained, self.screened = _one_pass(
            code, _parse(code), settings, code_rules
        )
        self._to_format(text, settings)

    def second_pass(self, settings: Settings, code_rules: tuple[type[CodeRule], ...]) -> None:
        new = self.new = self.formatted
        if new == self.code:
            self.outcome = CleanOutcome(
                self.code, "unchanged", rules=(), warnings=tuple(self.warnings)
            )
            return
        if not new.strip():
            self.outcome = CleanOutcome(
                self.code, "unchanged", "nothing but comments: kept as it was"
            )
            return
        # The formatter net found new's AST the same as the first result's: like its shapes.
        text, *_ = _one_pass(new, _parse(new), settings, code_rules, self.screened)
        self._to_format(text, settings)

    def finish(self) -> None:
        if self.formatted != self.new:
            raise _NetFailed("a second pass changed the result (not idempotent)")
        reason = f"comments: {'; '.join(self.explained)}" if self.explained else ""
        self.outcome = CleanOutcome(
            self.new, "changed", reason, rules=tuple(self.fired), warnings=tuple(self.warnings)
        )

    def _to_format(self, text: str, settings: Settings) -> None:
        # "": a block of nothing but comments, not formatted (every formatter gives "" back).
        if settings.format and text:
            self.pending = text
        else:
            self.formatted = text

    def take(self, result: Result, formatter: str) -> None:
        """The formatter's result for ``pending``, through the nets."""
        code, self.pending = self.pending or "", None
        self.formatted = _checked(code, result, formatter)


def _format_pending(blocks: list[_Block], run: FormatRun | None) -> None:
    """Format every block's pending text in one batch."""
    waiting = [b for b in blocks if b.outcome is None and b.pending is not None]
    if run is None or not waiting:
        return
    results = run.format([b.pending or "" for b in waiting])
    for block, result in zip(waiting, results, strict=True):
        block.step(block.take, result, run.name)


def _one_pass(
    code: str,
    tree: ast.Module,
    settings: Settings,
    code_rules: tuple[type[CodeRule], ...],
    like: frozenset[str] | None = None,
) -> tuple[str, list[str], list[str], tuple[str, ...], frozenset[str] | None]:
    """Comments and rules once (the formatter runs after, batched): the text, the rules that
    fired, warnings, why each comment went or stayed (narration mode), and the pre-screen's shapes
    of the text when it was screened as it is returned. ``like``: the shapes of a block whose
    AST the formatter net found the same as ``tree`` (see :func:`tokentrim.rules.screen`)."""
    fired: list[str] = []
    warnings: list[str] = []
    explained: tuple[str, ...] = ()
    comments = "none" if settings.comments == "keep" else scan_comments(code)
    only: frozenset[str] | None = None
    if comments != "none" and settings.comments == "narration":
        narration = plan_narration(code)
        only, explained = narration.remove, narration.reasons
        if not only:
            comments = "none"
    needs_strip = comments != "none"
    if comments == "statements":
        # No comment inside brackets: stripped from the tokens; libcst parses what is left, and
        # only if some rule may change it.
        stripped = strip_comment_lines(code, only)
        if stripped is not None:
            if not stripped.strip():
                return "", [], [], explained, None
            after = _parse(stripped)
            if not pyast.same(after, tree):  # ast.dump equality
                raise _NetFailed("comment stripping changed the AST")
            code, tree, needs_strip = stripped, after, False
    screened = None
    if code_rules and not needs_strip:
        screened = screen(code_rules, code, tree, like)
        if not may_fire(code_rules, screened, settings):
            code_rules = ()  # the rules' pre-screen shows none can change this block
    if needs_strip or code_rules:
        module = _parse_cst(code)
        if needs_strip:
            module = strip_comments(module, statements_only=comments == "statements", only=only)
            stripped = module.code
            if stripped != code:
                if not stripped.strip():
                    return "", [], [], explained, None
                if not pyast.same(_parse(stripped), tree):  # ast.dump equality
                    raise _NetFailed("comment stripping changed the AST")
            code = stripped
        if code_rules:
            module, fired, warnings = apply_code_rules(module, settings, code, _parse(code))
            if fired:  # else the block's own text: libcst's print drops a newline before a final \f
                code, screened = module_code(module), None
    return code, fired, warnings, explained, screened


def _checked(code: str, result: Result, formatter: str) -> str:
    """The formatted text if it passes the nets, ``code`` when there is nothing to take."""
    if isinstance(result, Unformattable):
        return code
    formatted = result.text
    if formatted == code:
        return code
    try:
        after = _parse(formatted)
    except _Skip:
        raise _NetFailed(f"{formatter}'s result does not parse") from None
    if not pyast.same_for_black(after, _parse(code)):
        raise _NetFailed(f"{formatter} changed the AST")
    if len(formatted) > max(2 * len(code), len(code) + 2_000):
        # Deeply nested literals explode into one bracket per line: that is not a trim.
        return code
    return formatted


# An ast.Module costs about 38 bytes per character of source (measured on the dev replies).
@memoize("python.parse", lambda code, tree: 40 * len(str(code)) + 200)
def _parse(code: str) -> ast.Module:
    try:
        return pyast.parse(code)
    except SyntaxError as exc:
        raise _Skip(f"does not parse: {exc.msg} (line {exc.lineno})") from None
    except (ValueError, TypeError) as exc:  # null bytes
        raise _Skip(f"does not parse: {exc}") from None
    except (RecursionError, MemoryError):
        raise _Skip("code nested too deeply for the parser") from None


def _parse_cst(code: str) -> cst.Module:
    try:
        return cst.parse_module(code)
    except cst.ParserSyntaxError as exc:
        raise _Skip(f"libcst cannot parse it: {str(exc).splitlines()[0]}") from None
    except (RecursionError, MemoryError):
        raise _Skip("code nested too deeply for libcst") from None
