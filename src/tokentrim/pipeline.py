"""trim(): the one pure function every entry point calls."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping
from typing import Any

from tokentrim.errors import ConfigError
from tokentrim.fences import CodeBlock, can_render, join, split
from tokentrim.languages import CleanOutcome, Status, cleaner_for
from tokentrim.languages.python import clean_python
from tokentrim.languages.python.detect import NOT_PYTHON, is_session, looks_like_python
from tokentrim.rules import apply_text_rules, enabled_rules
from tokentrim.settings import Settings
from tokentrim.tokens import encoding_for
from tokentrim.usage import Usage


@dataclasses.dataclass(frozen=True)
class BlockOutcome:
    """What happened to one code block."""

    lang: str
    status: Status
    reason: str = ""
    rules: tuple[str, ...] = ()
    tokens_before: int = 0
    tokens_after: int = 0
    start: int = 0
    end: int = 0


@dataclasses.dataclass(frozen=True)
class TrimResult:
    """The trimmed reply and what was done to it."""

    text: str
    original: str
    tokens_before: int
    tokens_after: int
    encoding: str
    blocks: tuple[BlockOutcome, ...] = ()
    rules: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    cost: Any = None  # CostReport | None

    @property
    def changed(self) -> bool:
        return self.text != self.original

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after


def trim(
    text: str,
    *,
    model: str | None = None,
    settings: Settings | None = None,
    usage: Usage | Mapping[str, Any] | None = None,
    **overrides: Any,
) -> TrimResult:
    """Trim one reply: clean its Python code, count tokens before and after, price it.

    ``settings`` defaults to ``Settings()`` (it does not read pyproject.toml or the environment:
    entry points do that with ``load_settings``); ``overrides`` replace single fields, e.g.
    ``trim(text, level="aggressive")``. Bad input never raises: code that does not parse is
    skipped, a failed safety net keeps the original block. Unknown setting names or values raise
    ``ConfigError`` (a programmer error, not bad input).
    """
    settings = settings or DEFAULT_SETTINGS
    if overrides:
        settings = settings.replace(**overrides)
    enabled_rules(settings)  # unknown rule ids are a configuration error: raise before any work
    model = model or settings.model
    warnings: list[str] = []
    original = _as_text(text, warnings)

    try:
        new_text, blocks, fired, prose = _trim_text(original, settings, warnings)
    except Exception as exc:  # noqa: BLE001 - trim() must never lose the reply
        warnings.append(f"internal error, reply left as it was: {type(exc).__name__}: {exc}")
        new_text, blocks, fired, prose = original, [], [], None

    encoding, encoding_name = encoding_for(model)
    tokens_before = _count(encoding, original)
    tokens_after = tokens_before if new_text == original else _count(encoding, new_text)
    counted = []
    for block, code_before, code_after in blocks:
        before = _count(encoding, code_before)
        after = before if code_after == code_before else _count(encoding, code_after)
        counted.append(dataclasses.replace(block, tokens_before=before, tokens_after=after))
    cost = None
    if model:
        cost, cost_warnings = _cost_report(
            model=model,
            before=original,
            after=new_text,
            # What the reviewer reads, from the split already made (None: measure the texts).
            pieces=None if prose is None else (prose, [(b, a) for _, b, a in blocks]),
            dropped_prose=settings.prose == "drop" and bool(blocks),
            tokens_before=tokens_before,
            tokens_after=tokens_after,
            settings=settings,
            usage=usage,
        )
        warnings.extend(cost_warnings)
    return TrimResult(
        text=new_text,
        original=original,
        tokens_before=tokens_before,
        tokens_after=tokens_after,
        encoding=encoding_name,
        blocks=tuple(counted),
        rules=tuple(dict.fromkeys(fired)),
        warnings=tuple(warnings),
        cost=cost,
    )


DEFAULT_SETTINGS = Settings()


def _trim_text(
    text: str, settings: Settings, warnings: list[str]
) -> tuple[str, list[tuple[BlockOutcome, str, str]], list[str], list[str] | None]:
    """The new text, each block's outcome with its code before and after, the rules that fired,
    and the prose pieces between blocks — None when text rules rewrote the prose."""
    fired: list[str] = []
    text, text_fired = apply_text_rules(text, settings)
    fired.extend(text_fired)

    segments = split(text)
    blocks = [s for s in segments if isinstance(s, CodeBlock)]
    if (
        not blocks
        and settings.code != "fenced"
        and (settings.code == "whole" or looks_like_python(text))
    ):
        # A reply that is nothing but Python (FIM-style completion): one block, no fences.
        outcome = clean_python(text, settings)
        if outcome.status == "changed" and not text.endswith("\n") and outcome.code.endswith("\n"):
            # A completion is spliced before the user's next line: black's final newline is not ours to add.
            outcome = dataclasses.replace(outcome, code=outcome.code[:-1])
        warnings.extend(outcome.warnings)
        fired.extend(outcome.rules)
        block = BlockOutcome(
            lang="python",
            status=outcome.status,
            reason=outcome.reason,
            rules=outcome.rules,
            start=0,
            end=len(text),
        )
        return outcome.code, [(block, text, outcome.code)], fired, None if text_fired else []

    out: list[str | CodeBlock | tuple[CodeBlock, str]] = []
    outcomes: list[tuple[BlockOutcome, str, str]] = []
    for segment in segments:
        if isinstance(segment, str):
            out.append(segment)
            continue
        lang = _language(segment)
        cleaner = cleaner_for(lang) if lang else None
        if cleaner is None or isinstance(cleaner, str):
            reason = cleaner if isinstance(cleaner, str) else _why_not_cleaned(segment, lang)
            outcomes.append(
                (
                    BlockOutcome(
                        lang=lang or segment.lang,
                        status="skipped",
                        reason=reason,
                        start=segment.start,
                        end=segment.end,
                    ),
                    segment.code,
                    segment.code,
                )
            )
            out.append(segment)
            continue
        outcome = _clean(cleaner.clean, segment.code, settings)
        warnings.extend(outcome.warnings)
        status, reason, new_code = outcome.status, outcome.reason, outcome.code
        if status == "changed" and not can_render(segment, new_code):
            status, reason, new_code = "failed", "result would close the code fence", segment.code
        if status == "changed":
            fired.extend(outcome.rules)
            out.append((segment, new_code))
        else:
            out.append(segment)
        outcomes.append(
            (
                BlockOutcome(
                    lang=lang,
                    status=status,
                    reason=reason,
                    rules=outcome.rules if status == "changed" else (),
                    start=segment.start,
                    end=segment.end,
                ),
                segment.code,
                new_code,
            )
        )

    prose = None if text_fired else [segment for segment in segments if isinstance(segment, str)]
    if settings.prose == "drop" and outcomes:
        return _drop_prose(out), outcomes, fired, prose
    return join(out), outcomes, fired, prose


def _drop_prose(segments: list[str | CodeBlock | tuple[CodeBlock, str]]) -> str:
    """Code blocks only, each fenced afresh at the top level, one blank line between them.

    Blocks leave their list item or block quote, so they are rebuilt from their content (with
    the original fence and info string) rather than copied with the container's indentation.
    """
    fenced = []
    for segment in segments:
        if isinstance(segment, str):
            continue
        block, code = segment if isinstance(segment, tuple) else (segment, segment.code)
        if code and not code.endswith("\n"):
            code += "\n"
        fence = _fence_for(code, block.fence)
        fenced.append(f"{fence}{block.info}\n{code}{fence}\n")
    return "\n".join(fenced)


def _fence_for(code: str, fence: str) -> str:
    """``fence``, lengthened when a line of ``code`` could otherwise close it."""
    char = fence[0]
    longest = max(
        (
            len(line) - len(line.lstrip(char))
            for line in (ln.lstrip(" \t") for ln in code.splitlines())
        ),
        default=0,
    )
    return char * max(len(fence), longest + 1) if longest >= len(fence) else fence


def _clean(clean: Any, code: str, settings: Settings) -> CleanOutcome:
    """A cleaner's outcome; a cleaner that raises (a bug) fails its block, never the reply."""
    try:
        outcome: CleanOutcome = clean(code, settings)
    except Exception as exc:  # noqa: BLE001 - one block's bug must not lose the reply
        return CleanOutcome(code, "failed", f"internal error: {type(exc).__name__}: {exc}")
    return outcome


def _language(block: CodeBlock) -> str:
    """The block's language; "python" only for a Python block we may rewrite."""
    if block.lang in NOT_PYTHON:
        return block.lang
    if block.lang == "python":
        return "" if is_session(block.code) else "python"
    if block.lang == "" and not is_session(block.code) and looks_like_python(block.code):
        return "python"
    return block.lang


def _why_not_cleaned(block: CodeBlock, lang: str) -> str:
    if lang in NOT_PYTHON or is_session(block.code):
        return "interactive session (>>> prompts): left alone"
    if not lang:
        return "unlabeled block that is not Python"
    return f"not Python ({lang})"


def _as_text(text: object, warnings: list[str]) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        warnings.append("input was bytes: decoded as UTF-8 with replacement characters")
        return bytes(text).decode("utf-8", errors="replace")
    if text is None:
        return ""
    warnings.append(f"input was {type(text).__name__}, not str: converted with str()")
    return str(text)


def _count(encoding: Any, text: str) -> int:
    if not text:
        return 0
    try:
        return len(encoding.encode(text, disallowed_special=()))
    except (UnicodeEncodeError, ValueError):  # lone surrogates
        return len(
            encoding.encode(text.encode("utf-8", "replace").decode("utf-8"), disallowed_special=())
        )


@functools.lru_cache(maxsize=16)
def _price_table(path: str, mtime_ns: int) -> Any:
    from tokentrim.cost import load_prices

    return load_prices(path)


def _cost_report(
    *,
    pieces: tuple[list[str], list[tuple[str, str]]] | None,
    dropped_prose: bool,
    usage: Usage | Mapping[str, Any] | None,
    **kwargs: Any,
) -> tuple[Any, list[str]]:
    from tokentrim.cost import ReviewLoad, price_reply, review_load

    if not kwargs["model"].strip():
        return None, []
    if usage is not None and not isinstance(usage, Usage):
        usage = Usage.from_mapping(usage)
    settings = kwargs["settings"]
    prices = None
    if settings.prices:
        try:
            prices = _price_table(settings.prices, os.stat(settings.prices).st_mtime_ns)
        except OSError as exc:
            raise ConfigError(f"prices file {settings.prices}: {exc.strerror}") from None
    before, after = kwargs.pop("before"), kwargs.pop("after")
    if pieces is None:
        load_before, load_after = review_load(before, settings), review_load(after, settings)
    else:
        prose, codes = pieces
        load_before = ReviewLoad.of(prose, (b for b, _ in codes))
        load_after = ReviewLoad.of(() if dropped_prose else prose, (a for _, a in codes))
    try:
        report = price_reply(
            load_before=load_before, load_after=load_after, usage=usage, prices=prices, **kwargs
        )
    except Exception as exc:  # noqa: BLE001 - a price lookup must not break trimming
        return None, [f"cost not computed: {type(exc).__name__}: {exc}"]
    return report, list(report.warnings)


def trim_block(block: CodeBlock, settings: Settings | None = None) -> str:
    """The new content of one fenced code block, as ``trim()`` cleans it inside a whole reply.

    For streaming: a block cleaned on its own is cleaned exactly as in the whole reply, because
    ``trim()`` cleans each block independently (text rules and ``prose`` aside). Returns
    ``block.code`` when the block is skipped, unchanged or fails a safety net.
    """
    settings = settings or DEFAULT_SETTINGS
    lang = _language(block)
    cleaner = cleaner_for(lang) if lang else None
    if cleaner is None or isinstance(cleaner, str):
        return block.code
    outcome = _clean(cleaner.clean, block.code, settings)
    if outcome.status == "changed" and can_render(block, outcome.code):
        return outcome.code
    return block.code
