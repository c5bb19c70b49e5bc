"""The libcst side of the pipeline: one Python block in, a cleaned block (or a reason) out.

``clean_python`` runs comment stripping, the code rules and black, then the safety nets:

* comment stripping leaves ``ast.dump`` exactly unchanged;
* black leaves the AST equivalent the way black's own check defines it (docstring whitespace);
* the result parses, and a second pass over it changes nothing.

A failed net keeps the original code and reports ``failed`` with the reason; code that does not
parse is ``skipped``. Nothing here raises on bad input.
"""

from __future__ import annotations

import ast

import black
import libcst as cst
from black.parsing import stringify_ast

from tokentrim.caching import BUDGETS, ByteBoundedCache, memoize
from tokentrim.languages import CleanOutcome
from tokentrim.languages.python.comments import scan_comments, strip_comments
from tokentrim.languages.python.detect import MAX_BLOCK_CHARS
from tokentrim.languages.python.narration import plan as plan_narration
from tokentrim.rules import CodeRule, apply_code_rules, enabled_rules, may_fire
from tokentrim.rules._facts import module_code
from tokentrim.settings import Settings

__all__ = ["PythonCleaner", "clean_python"]


class PythonCleaner:
    """The Python :class:`~tokentrim.languages.Cleaner`: libcst, the code rules and black."""

    language = "python"

    def clean(self, code: str, settings: Settings) -> CleanOutcome:
        return clean_python(code, settings)


class _NetFailed(Exception):
    """A safety net caught a rewrite that is not safe: the block keeps its original text."""


class _Skip(Exception):
    """The block cannot be processed (does not parse, nested too deeply): left as it is."""


def clean_python(code: str, settings: Settings) -> CleanOutcome:
    """Clean one Python block; never raises on bad input."""
    if len(code) > MAX_BLOCK_CHARS:
        return CleanOutcome(
            code,
            "skipped",
            f"block of {len(code):,} characters is over the {MAX_BLOCK_CHARS:,} limit",
        )
    try:
        original_tree: ast.Module = _parse(code)
    except _Skip as exc:
        return CleanOutcome(code, "skipped", str(exc))
    code_rules = tuple(r for r in enabled_rules(settings) if issubclass(r, CodeRule))
    try:
        new, fired, warnings, explained = _one_pass(code, original_tree, settings, code_rules)
        if new == code:
            return CleanOutcome(code, "unchanged", rules=(), warnings=tuple(warnings))
        if not new.strip():
            return CleanOutcome(code, "unchanged", "nothing but comments: kept as it was")
        again, _, _, _ = _one_pass(new, _parse(new), settings, code_rules)
        if again != new:
            raise _NetFailed("a second pass changed the result (not idempotent)")
    except _Skip as exc:
        return CleanOutcome(code, "skipped", str(exc))
    except _NetFailed as exc:
        return CleanOutcome(code, "failed", str(exc))
    except (RecursionError, MemoryError):
        return CleanOutcome(code, "skipped", "code nested too deeply for the parser")
    except Exception as exc:  # noqa: BLE001 - a bug in a rule or a library must not lose the block
        return CleanOutcome(code, "failed", f"internal error: {type(exc).__name__}: {exc}")
    reason = f"comments: {'; '.join(explained)}" if explained else ""
    return CleanOutcome(new, "changed", reason, rules=tuple(fired), warnings=tuple(warnings))


def _one_pass(
    code: str, tree: ast.Module, settings: Settings, code_rules: tuple[type[CodeRule], ...]
) -> tuple[str, list[str], list[str], tuple[str, ...]]:
    """Comments, rules and black once; also why each comment went or stayed (narration mode)."""
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
    if code_rules and not needs_strip and not may_fire(code_rules, code, tree, settings):
        code_rules = ()  # the rules' pre-screen shows none can change this block (rules._screen)
    if needs_strip or code_rules:
        module = _parse_cst(code)
        if needs_strip:
            module = strip_comments(module, statements_only=comments == "statements", only=only)
            stripped = module.code
            if stripped != code:
                if not stripped.strip():
                    return "", [], [], explained
                if ast.dump(_parse(stripped)) != ast.dump(tree):
                    raise _NetFailed("comment stripping changed the AST")
            code = stripped
        if code_rules:
            module, fired, warnings = apply_code_rules(module, settings, code, _parse(code))
            code = module_code(module)
    if settings.format:
        code = _format(code, settings.line_length)
    return code, fired, warnings, explained


def _format(code: str, line_length: int) -> str:
    if (code, line_length) in _FIXED_POINTS:
        return code  # black already showed that formatting this text gives it back
    try:
        formatted = _black(code, line_length)
    except _Skip:
        return code
    if formatted != code and _black_ast(formatted) != _black_ast(code):
        raise _NetFailed("black changed the AST")
    if len(formatted) > max(2 * len(code), len(code) + 2_000):
        # Deeply nested literals explode into one bracket per line: that is not a trim.
        return code
    return formatted


# Texts black has been seen to leave unchanged: the second pass's check of them is already done.
_FIXED_POINTS: ByteBoundedCache[tuple[str, int], bool] = ByteBoundedCache(
    BUDGETS["python.fixed_points"], lambda key, _: 2 * len(key[0]) + 100
)


def _text_size(key: object, value: str) -> int:
    code = key[0] if isinstance(key, tuple) else key
    return 2 * (len(str(code)) + len(value)) + 100  # str: ~1-2 bytes per character


@memoize("python.black", _text_size)
def _black(code: str, line_length: int) -> str:
    """``black.format_str``, spelled out so that its own second pass proves the result stable.

    format_str formats once and, when that changed anything, once more (black's workaround for
    trailing commas). When the last pass changed nothing, its input is a fixed point: a second
    trim pass over it needs no black run at all.
    """
    mode = black.Mode(line_length=line_length)
    try:
        once = _format_once(code, mode)
        if once == code:
            _remember_fixed_point(code, line_length)
            return code
        twice = _format_once(once, mode)
    except Exception as exc:  # noqa: BLE001 - black's InvalidInput and its internal errors
        raise _Skip(f"black could not format it: {type(exc).__name__}") from None
    if twice == once:
        _remember_fixed_point(once, line_length)
    return twice


def _format_once(code: str, mode: black.Mode) -> str:
    format_once = getattr(black, "_format_str_once", None)
    if format_once is None:  # pragma: no cover - a black without it: the documented function
        return black.format_str(code, mode=mode)
    return str(format_once(code, mode=mode))


def _remember_fixed_point(code: str, line_length: int) -> None:
    _FIXED_POINTS.put((code, line_length), True)


@memoize("python.black_ast", _text_size)
def _black_ast(code: str) -> str:
    return "\n".join(stringify_ast(_parse(code)))


# An ast.Module costs about 38 bytes per character of source (measured on the dev replies).
@memoize("python.parse", lambda code, tree: 40 * len(str(code)) + 200)
def _parse(code: str) -> ast.Module:
    try:
        return ast.parse(code)
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
