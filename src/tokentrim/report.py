"""``tokentrim report``: trim saved replies and total their costs per model.

:func:`build_report` streams replies (anything with ``text``, ``model``, ``usage`` and ``origin``,
e.g. :class:`tokentrim.sources.Reply`) through :func:`tokentrim.trim`, prices each one with
:mod:`tokentrim.cost`, and keeps only running sums, so memory stays flat however many replies come
in. Renderers turn the :class:`Report` into a terminal table, JSON, CSV or one self-contained HTML
page (inline CSS and SVG, no scripts, opens offline).

Every figure in a report is a sum of per-reply figures (:func:`measure_reply`): totals cover the
replies that have a price; ``unpriced_replies`` says how many were left out of them.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import math
import tokenize
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import resources
from string import Template
from typing import Any, Protocol

from tokentrim.cost import (
    CostReport,
    PriceTable,
    ResolvedModel,
    resolve_model,
    review_hours,
    review_load,
)
from tokentrim.settings import Settings
from tokentrim.usage import Usage

__all__ = [
    "Bucket",
    "Projection",
    "Reply",
    "Report",
    "ReplyCost",
    "build_report",
    "measure_reply",
    "render_csv",
    "render_html",
    "render_json",
    "render_rich",
    "render_text",
]

NO_MODEL = "(no model)"
DAYS_PER_MONTH = 30
# Request size used to price a projected month when the replies carry no provider usage: small
# enough to stay in every provider's base price tier.
NOMINAL_REQUEST_TOKENS = 1_000


class Reply(Protocol):
    """What the report needs from a reply (``tokentrim.sources.Reply`` has these and more)."""

    @property
    def text(self) -> str: ...

    @property
    def model(self) -> str | None: ...

    @property
    def usage(self) -> Usage | None: ...

    @property
    def origin(self) -> str: ...


# --- one reply -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReplyCost:
    """Everything the report adds up for one reply."""

    origin: str
    model: str  # as written in the record (or the default model), NO_MODEL when there is none
    priced_as: str | None
    changed: bool
    tokens_before: int
    tokens_after: int
    usage: Usage  # what ``compute`` priced: the provider's usage, or the local estimate
    code_lines_before: int
    code_lines_after: int
    prose_words_before: int
    prose_words_after: int
    review_hours_before: float
    review_hours_after: float
    review_before: float
    review_after: float
    compute: float | None
    context_saved: float | None
    total_before: float | None
    total_after: float | None
    savings: float | None
    rule_tokens: tuple[tuple[str, float], ...] = ()
    compare: tuple[tuple[str, float | None, float | None], ...] = ()  # (model, compute, context)
    warnings: tuple[str, ...] = ()

    @property
    def priced(self) -> bool:
        return self.compute is not None and self.context_saved is not None


def measure_reply(
    reply: Reply,
    *,
    settings: Settings,
    prices: PriceTable | None = None,
    compare: Sequence[ResolvedModel] = (),
) -> ReplyCost:
    """Trim one reply and price it before and after; never raises on bad text."""
    from tokentrim.pipeline import trim

    model = (reply.model or settings.model or "").strip() or None
    usage = reply.usage
    if usage is not None and not isinstance(usage, Usage):
        usage = Usage.from_mapping(usage)
    result = trim(reply.text, model=model, settings=settings, usage=usage, prices=prices)
    cost = result.cost
    if cost is None:  # no model: review only
        cost = _review_only(result.original, result.text, result.tokens_before, usage, settings)
    priced_usage = cost.usage or Usage()
    removed = result.tokens_before - result.tokens_after
    compared = tuple(
        (other.name, *_price_on(other, priced_usage, removed, settings)) for other in compare
    )
    return ReplyCost(
        origin=reply.origin,
        model=model or NO_MODEL,
        priced_as=cost.priced_as,
        changed=result.changed,
        tokens_before=result.tokens_before,
        tokens_after=result.tokens_after,
        usage=priced_usage,
        code_lines_before=cost.code_lines_before,
        code_lines_after=cost.code_lines_after,
        prose_words_before=cost.prose_words_before,
        prose_words_after=cost.prose_words_after,
        review_hours_before=cost.review_hours_before,
        review_hours_after=cost.review_hours_after,
        review_before=cost.review_before,
        review_after=cost.review_after,
        compute=cost.compute,
        context_saved=cost.context_saved,
        total_before=cost.total_before,
        total_after=cost.total_after,
        savings=cost.savings,
        rule_tokens=_rule_tokens(result, model),
        compare=compared,
        warnings=cost.warnings,
    )


def _review_only(
    before: str, after: str, tokens_before: int, usage: Usage | None, settings: Settings
) -> CostReport:
    """A CostReport without compute, for replies whose model nobody named."""
    load_before, load_after = review_load(before, settings), review_load(after, settings)
    hours_before = review_hours(load_before, settings)
    hours_after = review_hours(load_after, settings)
    return CostReport(
        model=NO_MODEL,
        compute=None,
        compute_estimated=usage is None,
        review_before=hours_before * settings.review_hourly_rate,
        review_after=hours_after * settings.review_hourly_rate,
        review_hours_before=hours_before,
        review_hours_after=hours_after,
        context_saved=None,
        total_before=None,
        total_after=None,
        savings=None,
        warnings=("no model given: compute cost left out (pass --model)",),
        usage=usage or Usage(output_tokens=tokens_before, estimated=True),
        code_lines_before=load_before.code_lines,
        code_lines_after=load_after.code_lines,
        prose_words_before=load_before.prose_words,
        prose_words_after=load_after.prose_words,
    )


def _price_on(
    other: ResolvedModel, usage: Usage, removed: int, settings: Settings
) -> tuple[float | None, float | None]:
    try:
        return float(other.price(usage).total), other.context_saved(removed, settings.carry_turns)
    except (ValueError, ArithmeticError):
        return None, None


def _rule_tokens(result: Any, model: str | None) -> tuple[tuple[str, float], ...]:
    """Tokens saved, apportioned to what saved them (an estimate; the total is exact).

    In code blocks, ``comments`` gets the tokens of the comments that disappeared; the rest of a
    changed block's saving is split evenly among the rule ids that changed it, or goes to
    ``format`` (black) when none did. What the reply saved outside blocks goes to the text rules
    that fired (``<think>`` stripping, filler prose), or to ``other`` (e.g. ``--prose drop``).
    """
    shares: dict[str, float] = {}
    block_saved = 0
    block_rules: set[str] = set()
    for block in result.blocks:
        saved = block.tokens_before - block.tokens_after
        if block.status != "changed" or saved == 0:
            continue
        block_saved += saved
        rules = tuple(block.rules) or ("format",)
        block_rules.update(rules)
        for rule in rules:
            shares[rule] = shares.get(rule, 0.0) + saved / len(rules)
    if block_saved > 0:
        removed = _comment_tokens(result.original, model) - _comment_tokens(result.text, model)
        comments = float(min(max(removed, 0), block_saved))
        if comments:
            scale = (block_saved - comments) / block_saved
            shares = {rule: tokens * scale for rule, tokens in shares.items()}
            shares["comments"] = comments
    rest = (result.tokens_before - result.tokens_after) - block_saved
    if rest:
        text_rules = [r for r in result.rules if r not in block_rules] or ["other"]
        for rule in text_rules:
            shares[rule] = shares.get(rule, 0.0) + rest / len(text_rules)
    return tuple(sorted((rule, tokens) for rule, tokens in shares.items() if tokens))


def _comment_tokens(text: str, model: str | None) -> int:
    """Tokens in the ``#`` comments of the Python blocks of ``text`` (0 where it does not lex)."""
    from tokentrim.fences import find_code_blocks
    from tokentrim.tokens import count_tokens

    comments: list[str] = []
    for block in find_code_blocks(text):
        if block.lang not in ("python", "py", "python3", ""):
            continue
        try:
            comments.extend(
                token.string
                for token in tokenize.generate_tokens(io.StringIO(block.code).readline)
                if token.type == tokenize.COMMENT
            )
        except (tokenize.TokenError, SyntaxError, ValueError):
            continue
    return count_tokens("\n".join(comments), model=model) if comments else 0


# --- sums ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Bucket:
    """Running sums for one model (or all of them)."""

    model: str
    priced_as: str | None = None
    replies: int = 0
    replies_changed: int = 0
    unpriced_replies: int = 0
    estimated_replies: int = 0
    tokens_before: int = 0
    tokens_after: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    code_lines_before: int = 0
    code_lines_after: int = 0
    prose_words_before: int = 0
    prose_words_after: int = 0
    review_hours_before: float = 0.0
    review_hours_after: float = 0.0
    review_before: float = 0.0
    review_after: float = 0.0
    compute: float | None = None
    context_saved: float | None = None
    total_before: float | None = None
    total_after: float | None = None
    savings: float | None = None

    def add(self, item: ReplyCost) -> None:
        if self.priced_as is None:
            self.priced_as = item.priced_as
        elif item.priced_as and item.priced_as != self.priced_as:
            self.priced_as = "(several)"
        self.replies += 1
        self.replies_changed += item.changed
        self.estimated_replies += item.usage.estimated
        for name in _INT_SUMS:
            setattr(self, name, getattr(self, name) + getattr(item, name))
        for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
            setattr(self, name, getattr(self, name) + getattr(item.usage, name))
        for name in ("review_hours_before", "review_hours_after", "review_before", "review_after"):
            setattr(self, name, getattr(self, name) + getattr(item, name))
        if not item.priced:
            self.unpriced_replies += 1
            return
        for name in _PRICED_SUMS:
            setattr(self, name, (getattr(self, name) or 0.0) + getattr(item, name))

    @property
    def tokens_saved(self) -> int:
        return self.tokens_before - self.tokens_after

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["tokens_saved"] = self.tokens_saved
        return data


_INT_SUMS = (
    "tokens_before",
    "tokens_after",
    "code_lines_before",
    "code_lines_after",
    "prose_words_before",
    "prose_words_after",
)
_PRICED_SUMS = ("compute", "context_saved", "total_before", "total_after", "savings")


@dataclasses.dataclass(frozen=True)
class Projection:
    """A 30-day month of ``tokens_per_day`` on one model, trimmed as the measured replies were."""

    model: str
    priced_as: str | None
    tokens_per_day: int
    input_share: float
    input_tokens: int
    output_tokens: int
    compute: float | None
    review_before: float
    review_after: float
    context_saved: float | None
    total_before: float | None
    total_after: float | None
    savings: float | None


@dataclasses.dataclass
class Report:
    """The whole report: one bucket per model, a total, rule savings, comparisons, projections."""

    settings: Settings
    models: dict[str, Bucket] = dataclasses.field(default_factory=dict)
    total: Bucket = dataclasses.field(default_factory=lambda: Bucket("TOTAL"))
    rules: dict[str, float] = dataclasses.field(default_factory=dict)
    compare: list[Bucket] = dataclasses.field(default_factory=list)
    projections: list[Projection] = dataclasses.field(default_factory=list)
    input_share: float | None = None
    input_share_source: str = ""
    warnings: dict[str, int] = dataclasses.field(default_factory=dict)
    prices_file: str | None = None
    #: Provider-reported usage only (estimated replies left out): the measured traffic shape.
    measured: Usage = dataclasses.field(default_factory=Usage)
    measured_replies: int = 0

    def add(self, item: ReplyCost) -> None:
        self.models.setdefault(item.model, Bucket(item.model)).add(item)
        self.total.add(item)
        if not item.usage.estimated:
            self.measured = self.measured + item.usage
            self.measured_replies += 1
        for rule, tokens in item.rule_tokens:
            self.rules[rule] = self.rules.get(rule, 0.0) + tokens
        for warning in item.warnings:
            self.warnings[warning] = self.warnings.get(warning, 0) + 1
        for bucket, (_, compute, context) in zip(self.compare, item.compare, strict=True):
            _add_compared(bucket, item, compute, context)

    def as_dict(self) -> dict[str, Any]:
        settings = self.settings
        return {
            "currency": "USD",
            "models": [bucket.as_dict() for _, bucket in sorted(self.models.items())],
            "total": self.total.as_dict(),
            "rules": [
                {"rule": rule, "tokens_saved": tokens}
                for rule, tokens in sorted(self.rules.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "compare": [bucket.as_dict() for bucket in self.compare],
            "projection": [dataclasses.asdict(p) for p in self.projections],
            "input_share": self.input_share,
            "input_share_source": self.input_share_source,
            "parameters": {
                "level": settings.level,
                "lines_per_hour": settings.review_lines_per_hour,
                "words_per_minute": settings.review_words_per_minute,
                "hourly_rate": settings.review_hourly_rate,
                "carry_turns": settings.carry_turns,
                "prices_file": self.prices_file,
            },
            "warnings": [
                {"message": message, "replies": count} for message, count in self.warnings.items()
            ],
        }


def _add_compared(
    bucket: Bucket, item: ReplyCost, compute: float | None, context: float | None
) -> None:
    """Add ``item`` to a comparison bucket, as if the same tokens had gone through its model."""
    bucket.replies += 1
    bucket.replies_changed += item.changed
    bucket.estimated_replies += item.usage.estimated
    for name in _INT_SUMS:
        setattr(bucket, name, getattr(bucket, name) + getattr(item, name))
    for name in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"):
        setattr(bucket, name, getattr(bucket, name) + getattr(item.usage, name))
    for name in ("review_hours_before", "review_hours_after", "review_before", "review_after"):
        setattr(bucket, name, getattr(bucket, name) + getattr(item, name))
    if compute is None or context is None:
        bucket.unpriced_replies += 1
        return
    total_before = compute + item.review_before
    total_after = compute + item.review_after - context
    savings = (item.review_before - item.review_after) + context
    for name, value in (
        ("compute", compute),
        ("context_saved", context),
        ("total_before", total_before),
        ("total_after", total_after),
        ("savings", savings),
    ):
        setattr(bucket, name, (getattr(bucket, name) or 0.0) + value)


def build_report(
    replies: Iterable[Reply],
    *,
    settings: Settings,
    prices: PriceTable | None = None,
    compare: Sequence[str] = (),
    per_day: int | None = None,
    input_share: float | None = None,
    on_reply: Callable[[ReplyCost], None] | None = None,
    measure: Callable[..., ReplyCost] | None = None,
    jobs: int = 1,
) -> Report:
    """Trim and price every reply, keeping running sums only.

    ``compare`` prices the same per-reply usage on other models; ``per_day`` projects a 30-day
    month of that many tokens per day on every priced model (input/output split by
    ``input_share``, or by the share measured from the provider usage in the replies).
    ``jobs > 1`` trims in that many worker processes; results are added in input order, so the
    report is the same as with one process.
    """
    report = Report(settings=settings, prices_file=getattr(prices, "origin", None) or None)
    resolved_compare: list[ResolvedModel] = []
    for name in compare:
        resolved = resolve_model(name, prices)
        if resolved is None:
            report.warnings[f"--compare: no price known for model {name!r}; left out"] = 0
            continue
        resolved_compare.append(resolved)
        report.compare.append(Bucket(name, priced_as=resolved.priced_as))
    if jobs > 1 and measure is None:
        items = _measure_in_processes(
            replies, settings=settings, prices=prices, compare=compare, jobs=jobs
        )
    else:
        measure = measure or measure_reply
        items = (
            measure(reply, settings=settings, prices=prices, compare=resolved_compare)
            for reply in replies
        )
    for item in items:
        report.add(item)
        if on_reply is not None:
            on_reply(item)
    if per_day is not None:
        _project(report, per_day, input_share, prices)
    return report


# Replies in flight per worker: enough to keep workers busy, few enough to keep memory flat.
_CHUNK = 16
_CHUNKS_PER_JOB = 4
_worker: dict[str, Any] = {}


def _measure_in_processes(
    replies: Iterable[Reply],
    *,
    settings: Settings,
    prices: PriceTable | None,
    compare: Sequence[str],
    jobs: int,
) -> Iterator[ReplyCost]:
    """measure_reply in ``jobs`` processes, reading replies lazily and yielding in input order."""
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    pending: deque[Future[list[ReplyCost]]] = deque()
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_init_worker, initargs=(settings, prices, compare)
    ) as pool:
        for chunk in _chunks(replies, _CHUNK):
            pending.append(pool.submit(_measure_chunk, chunk))
            if len(pending) >= jobs * _CHUNKS_PER_JOB:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _init_worker(settings: Settings, prices: PriceTable | None, compare: Sequence[str]) -> None:
    _worker["settings"] = settings
    _worker["prices"] = prices
    resolved = (resolve_model(name, prices) for name in compare)
    _worker["compare"] = [model for model in resolved if model is not None]


def _measure_chunk(chunk: list[Reply]) -> list[ReplyCost]:
    return [
        measure_reply(
            reply,
            settings=_worker["settings"],
            prices=_worker["prices"],
            compare=_worker["compare"],
        )
        for reply in chunk
    ]


def _chunks(replies: Iterable[Reply], size: int) -> Iterator[list[Reply]]:
    chunk: list[Reply] = []
    for reply in replies:
        chunk.append(reply)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _project(
    report: Report, per_day: int, input_share: float | None, prices: PriceTable | None
) -> None:
    """Fill ``report.projections``: one 30-day month of ``per_day`` tokens per priced model."""
    measured = report.measured
    if input_share is not None:
        report.input_share, report.input_share_source = input_share, "--input-share"
    elif measured.input_tokens + measured.output_tokens > 0:
        report.input_share = measured.input_tokens / (
            measured.input_tokens + measured.output_tokens
        )
        report.input_share_source = "measured from provider usage"
    else:
        report.input_share = 0.5
        report.input_share_source = "assumed: no provider usage, pass --input-share"
    share = report.input_share
    month = per_day * DAYS_PER_MONTH
    month_in = round(month * share)
    month_out = month - month_in
    total = report.total
    # Trimming and reviewing scale with output tokens: use the measured rates per reply token.
    saved_fraction = total.tokens_saved / total.tokens_before if total.tokens_before else 0.0
    hours_before_per_token = (
        total.review_hours_before / total.tokens_before if total.tokens_before else 0.0
    )
    hours_after_per_token = (
        total.review_hours_after / total.tokens_before if total.tokens_before else 0.0
    )
    rate = report.settings.review_hourly_rate
    review_before = month_out * hours_before_per_token * rate
    review_after = month_out * hours_after_per_token * rate
    removed = round(month_out * saved_fraction)
    # Price a typical request, then scale, so that per-request price tiers apply as they would;
    # cache reads keep their measured share of the prompt.
    if report.measured_replies:
        request = max(
            (measured.input_tokens + measured.output_tokens) // report.measured_replies, 1
        )
        cached = (
            measured.cache_read_tokens / measured.input_tokens if measured.input_tokens else 0.0
        )
    else:
        request, cached = NOMINAL_REQUEST_TOKENS, 0.0
    request_in = round(request * share)
    request_usage = Usage(
        input_tokens=request_in,
        output_tokens=request - request_in,
        cache_read_tokens=round(request_in * cached),
    )
    scale = month / request

    names = [name for name in sorted(report.models) if name != NO_MODEL]
    names += [b.model for b in report.compare if b.model not in names]
    for name in names:
        resolved = resolve_model(name, prices)
        if resolved is None:  # already warned about; a row of dashes says nothing more
            continue
        compute = context = total_before = total_after = savings = None
        try:
            compute = float(resolved.price(request_usage).total) * scale
            # Per token at a small prompt's rate: the removed tokens are spread over requests.
            per_1k = resolved.context_saved(1_000, report.settings.carry_turns)
            context = per_1k * removed / 1_000
        except (ValueError, ArithmeticError):
            compute = context = None
        if compute is not None and context is not None:
            total_before = compute + review_before
            total_after = compute + review_after - context
            savings = (review_before - review_after) + context
        report.projections.append(
            Projection(
                model=name,
                priced_as=resolved.priced_as,
                tokens_per_day=per_day,
                input_share=share,
                input_tokens=month_in,
                output_tokens=month_out,
                compute=compute,
                review_before=review_before,
                review_after=review_after,
                context_saved=context,
                total_before=total_before,
                total_after=total_after,
                savings=savings,
            )
        )


# --- rendering -------------------------------------------------------------------------------

# (key, header): a key "a|b" shows the pair as "a → b" (before → after).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("model", "model"),
    ("replies", "replies"),
    ("tokens_before|tokens_after", "tokens before → after"),
    ("compute", "compute $"),
    ("review_hours_before|review_hours_after", "review hours before → after"),
    ("context_saved", "context saved $"),
    ("total_before|total_after", "total $ before → after"),
    ("savings", "savings $"),
)
PROJECTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("model", "model"),
    ("compute", "compute $/month"),
    ("review_before|review_after", "review $ before → after"),
    ("context_saved", "context saved $"),
    ("total_before|total_after", "total $ before → after"),
    ("savings", "savings $"),
)


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if key.startswith("review_hours"):
            return f"{value:,.2f}" if abs(value) >= 1 else _significant(value)
        return _money(value)
    return str(value)


def _money(value: float) -> str:
    """Cents for amounts over a dollar; three significant digits, never exponents, below."""
    return f"{value:,.2f}" if abs(value) >= 1 or value == 0 else _significant(value)


def _significant(value: float) -> str:
    if value == 0:
        return "0"
    decimals = min(max(2, 2 - math.floor(math.log10(abs(value)))), 10)
    return f"{value:.{decimals}f}"


def _rows(buckets: Iterable[Any], columns: Sequence[tuple[str, str]]) -> list[list[str]]:
    return [[_cell(bucket, key) for key, _ in columns] for bucket in buckets]


def _cell(bucket: Any, key: str) -> str:
    if "|" not in key:
        return _fmt(key, getattr(bucket, key))
    before, after = (getattr(bucket, name) for name in key.split("|"))
    if before is None and after is None:
        return "—"
    return f"{_fmt(key, before)} → {_fmt(key, after)}"


def _sections(report: Report) -> list[tuple[str, Sequence[tuple[str, str]], list[list[str]], str]]:
    """(title, columns, rows, note) for each table the text renderers print."""
    buckets = [b for _, b in sorted(report.models.items())]
    rows = _rows([*buckets, report.total], COLUMNS)
    note = _priced_note(report.total)
    sections = [("Cost per model (USD)", COLUMNS, rows, note)]
    if report.compare:
        compare_note = "same per-reply token usage priced on other models"
        sections.append(("Compared", COLUMNS, _rows(report.compare, COLUMNS), compare_note))
    if report.projections:
        first = report.projections[0]
        note = (
            f"{first.tokens_per_day:,} tokens/day × {DAYS_PER_MONTH} days; input share "
            f"{first.input_share:.0%} ({report.input_share_source}); trimming and review scaled "
            "from the measured replies (review assumes a person reads every reply)"
        )
        rows = _rows(report.projections, PROJECTION_COLUMNS)
        sections.append(("Projected month", PROJECTION_COLUMNS, rows, note))
    if report.rules:
        ranked = sorted(report.rules.items(), key=lambda kv: (-kv[1], kv[0]))
        rule_rows = [[rule, f"{tokens:,.1f}"] for rule, tokens in ranked]
        sections.append(
            ("Tokens saved per rule", (("rule", "rule"), ("tokens", "tokens saved")), rule_rows, "")
        )
    return sections


def _priced_note(total: Bucket) -> str:
    notes = []
    if total.estimated_replies:
        notes.append(
            f"{total.estimated_replies} of {total.replies} replies without provider usage: "
            "compute estimated from the reply tokens (prompt unknown)"
        )
    if total.unpriced_replies:
        notes.append(
            f"{total.unpriced_replies} replies have no price: compute, context and totals "
            "leave them out"
        )
    return "; ".join(notes)


def render_text(report: Report) -> str:
    """Plain aligned text tables (for pipes and files)."""
    out: list[str] = []
    for title, columns, rows, note in _sections(report):
        headers = [label for _, label in columns]
        widths = [
            max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
            for i, h in enumerate(headers)
        ]
        out.append(title)
        out.append(
            "  ".join(
                h.ljust(w) if i == 0 else h.rjust(w)
                for i, (h, w) in enumerate(zip(headers, widths, strict=True))
            )
        )
        out.append("  ".join("-" * w for w in widths))
        for row in rows:
            out.append(
                "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
            )
        if note:
            out.append(f"note: {note}")
        out.append("")
    return "\n".join(out)


def render_rich(report: Report, console: Any) -> None:
    """Rich tables on ``console`` (a terminal)."""
    from rich.table import Table

    for title, columns, rows, note in _sections(report):
        table = Table(
            title=title, title_justify="left", caption=note or None, caption_justify="left"
        )
        for index, (_, label) in enumerate(columns):
            if index == 0:
                table.add_column(label, overflow="fold", ratio=2)
            else:
                table.add_column(label, justify="right", ratio=1)
        with_total = title.startswith("Cost per model")
        for position, row in enumerate(rows):
            is_total = with_total and position == len(rows) - 1
            if is_total:
                table.add_section()
            table.add_row(*row, style="bold" if is_total else None)
        console.print(table)


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


CSV_FIELDS = (
    "kind",
    "model",
    "priced_as",
    "replies",
    "replies_changed",
    "unpriced_replies",
    "estimated_replies",
    "tokens_before",
    "tokens_after",
    "tokens_saved",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "code_lines_before",
    "code_lines_after",
    "prose_words_before",
    "prose_words_after",
    "review_hours_before",
    "review_hours_after",
    "review_before",
    "review_after",
    "compute",
    "context_saved",
    "total_before",
    "total_after",
    "savings",
)


def render_csv(report: Report) -> str:
    """One row per model, a ``total`` row, ``compare`` rows and ``projection`` rows (monthly)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for kind, buckets in (
        ("model", [b for _, b in sorted(report.models.items())]),
        ("total", [report.total]),
        ("compare", report.compare),
    ):
        for bucket in buckets:
            writer.writerow(_csv_row(kind, bucket.as_dict()))
    for projection in report.projections:
        data = dataclasses.asdict(projection)
        data["tokens_before"] = ""
        writer.writerow(_csv_row("projection", data))
    return buffer.getvalue()


def _csv_row(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    row = {key: ("" if data.get(key) is None else data.get(key, "")) for key in CSV_FIELDS}
    row["kind"] = kind
    for key, value in row.items():
        if isinstance(value, float):
            row[key] = repr(value)
    return row


# --- HTML ------------------------------------------------------------------------------------

_PALETTE = {"before": "#c2410c", "after": "#0f766e", "compute": "#64748b", "bar": "#2563eb"}


def render_html(report: Report, *, title: str = "tokentrim cost report") -> str:
    """One self-contained page: inline CSS, inline SVG charts, no scripts, no network."""
    template = Template(
        resources.files("tokentrim").joinpath("report_template.html").read_text(encoding="utf-8")
    )
    data = report.as_dict()
    total = report.total
    summary = [
        ("replies", f"{total.replies:,}"),
        (
            "tokens saved",
            f"{total.tokens_saved:,} of {total.tokens_before:,}"
            + (f" ({total.tokens_saved / total.tokens_before:.1%})" if total.tokens_before else ""),
        ),
        ("review hours", f"{total.review_hours_before:,.2f} → {total.review_hours_after:,.2f}"),
        ("compute", "—" if total.compute is None else f"${_money(total.compute)}"),
        ("savings", "—" if total.savings is None else f"${_money(total.savings)}"),
    ]
    cards = "".join(
        f'<div class="card"><div class="label">{html.escape(k)}</div>'
        f'<div class="value">{html.escape(v)}</div></div>'
        for k, v in summary
    )
    tables = "".join(
        _html_table(t, cols, rows, note, total_row=t.startswith("Cost per model"))
        for t, cols, rows, note in _sections(report)
    )
    warnings = "".join(
        f"<li>{html.escape(w['message'])}"
        + (f" <span class=muted>({w['replies']} replies)</span>" if w["replies"] else "")
        + "</li>"
        for w in data["warnings"]
    )
    params = data["parameters"]
    return template.substitute(
        title=html.escape(title),
        cards=cards,
        cost_chart=_cost_chart(report),
        rule_chart=_rule_chart(report),
        tables=tables,
        warnings=f"<h2>Warnings</h2><ul>{warnings}</ul>" if warnings else "",
        parameters=html.escape(
            f"level {params['level']} · {params['lines_per_hour']:g} code lines/hour · "
            f"{params['words_per_minute']:g} words/minute · ${params['hourly_rate']:g}/hour · "
            f"context carried {params['carry_turns']} turn(s)"
            + (f" · prices file {params['prices_file']}" if params["prices_file"] else "")
        ),
    )


def _html_table(
    title: str,
    columns: Sequence[tuple[str, str]],
    rows: list[list[str]],
    note: str,
    *,
    total_row: bool = False,
) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in columns)
    body = "".join(
        ('<tr class="total">' if total_row and index == len(rows) - 1 else "<tr>")
        + "".join(f"<td>{html.escape(cell)}</td>" for cell in row)
        + "</tr>"
        for index, row in enumerate(rows)
    )
    caption = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return f"<h2>{html.escape(title)}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{caption}"


def _cost_chart(report: Report) -> str:
    """Grouped horizontal bars: cost before and after trimming, per model (priced models only)."""
    buckets = [b for _, b in sorted(report.models.items()) if b.total_before is not None]
    buckets += [b for b in report.compare if b.total_before is not None]
    if not buckets:
        # Without prices, chart review cost alone so the page still shows what trimming did.
        buckets = [b for _, b in sorted(report.models.items())]
        pairs = [(b.model, b.review_before, b.review_after) for b in buckets]
        heading = "Review cost before / after (USD; no model prices known)"
    else:
        pairs = [
            (
                b.model + (" (compare)" if b in report.compare else ""),
                b.total_before or 0.0,
                b.total_after or 0.0,
            )
            for b in buckets
        ]
        heading = "Total cost before / after trimming (USD: compute + review − context saved)"
    return _bar_chart(
        heading,
        [(label, [("before", before), ("after", after)]) for label, before, after in pairs],
        money=True,
    )


def _rule_chart(report: Report) -> str:
    ranked = sorted(report.rules.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    if not ranked:
        return '<p class="note">No rule changed any reply.</p>'
    return _bar_chart(
        "Tokens saved per rule", [(rule, [("bar", tokens)]) for rule, tokens in ranked], money=False
    )


def _bar_chart(
    heading: str, groups: list[tuple[str, list[tuple[str, float]]]], *, money: bool
) -> str:
    """An SVG of horizontal bars; every group is a label and one bar per (series, value)."""
    label_width, chart_width, bar_height, gap = 220, 560, 18, 12
    values = [value for _, series in groups for _, value in series]
    top = max([abs(v) for v in values] + [0.0])
    scale = chart_width / top if top > 0 else 0.0
    height = 40 + sum(len(series) * bar_height + gap for _, series in groups) + 30
    width = label_width + chart_width + 120
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{html.escape(heading)}">',
        f'<text x="0" y="18" class="chart-title">{html.escape(heading)}</text>',
    ]
    y = 34
    for label, series in groups:
        parts.append(
            f'<text x="{label_width - 8}" y="{y + len(series) * bar_height / 2 + 4:.1f}" '
            f'text-anchor="end" class="axis">{html.escape(_shorten(label, 30))}</text>'
        )
        for name, value in series:
            bar = max(abs(value) * scale, 1.0 if value else 0.0)
            text = f"${_money(value)}" if money else f"{value:,.1f}"
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{bar:.1f}" height="{bar_height - 3}" '
                f'fill="{_PALETTE[name]}"><title>{html.escape(label)} {name}: {text}</title></rect>'
                f'<text x="{label_width + bar + 6:.1f}" y="{y + bar_height - 6}" class="value">'
                f"{html.escape(text)}</text>"
            )
            y += bar_height
        y += gap
    if any(name != "bar" for _, series in groups for name, _ in series):
        legend_y = y + 10
        parts.append(
            f'<rect x="{label_width}" y="{legend_y}" width="12" height="12" fill="{_PALETTE["before"]}"/>'
            f'<text x="{label_width + 18}" y="{legend_y + 11}" class="axis">before</text>'
            f'<rect x="{label_width + 90}" y="{legend_y}" width="12" height="12" fill="{_PALETTE["after"]}"/>'
            f'<text x="{label_width + 108}" y="{legend_y + 11}" class="axis">after</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
