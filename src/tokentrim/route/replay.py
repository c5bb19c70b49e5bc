"""Replay routing strategies on recorded runs: what each would have cost and how often it passed.

A runs file is JSONL, one line per task and model::

    {"task_id": "HumanEval/0", "model": "qwen/qwen-2.5-7b-instruct", "passed": true,
     "prompt_tokens": 152, "completion_tokens": 177, "cost_usd": 0.00004, "answer": "...",
     "prompt": "..."}

``cost_usd``, ``answer`` and ``prompt`` are optional. Strategies:

* **single** — always call one model (the *premium* baseline is one).
* **cascade** ``a → b → c`` — call ``a``; while the recorded verdict is a failure, call the next
  model. A task costs every call made; it passes when any call passed. The recorded verdict plays
  the role of the escalation check, so the replay assumes the check is the test suite that graded
  the runs (the article's "escalate if the generated code fails a test suite"). With
  ``check="compiles"`` a cascade escalates only when the recorded answer does not compile (the
  default check of :class:`~tokentrim.route.Cascade`), stops at the first answer that does, and
  the task passes when that answer passed.
* **tiers** — classify each task's prompt (:func:`tokentrim.route.classify`) and run the cascade
  that its tier maps to.

Pricing (``pricing=``): ``"bill"`` takes ``cost_usd`` (what the provider billed) where the run has
it and list prices (genai-prices, or a prices file) elsewhere; ``"list"`` prices every run from
its token counts (at 12:00 UTC today, the standard rate where a price depends on the time of
day). A call that nothing prices makes the strategy's spend unknown (``None``), never
zero. Strategies are compared on the same tasks: those every model they use answered.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from tokentrim.cost import PriceTable, TokenPricer, standard_time
from tokentrim.errors import InputError
from tokentrim.route.classifier import TIERS, classify
from tokentrim.route.config import RouteConfig

__all__ = [
    "Pricing",
    "ReplayCheck",
    "Run",
    "Runs",
    "Simulation",
    "StrategyResult",
    "Table",
    "default_tiers",
    "load_prompts",
    "load_runs",
    "simulate",
]

Pricing = Literal["bill", "list"]
ReplayCheck = Literal["verdict", "compiles"]
Kind = Literal["single", "cascade", "tiers"]


@dataclasses.dataclass(frozen=True)
class Run:
    """One recorded call: a model's answer to a task and its test verdict."""

    task_id: str
    model: str
    passed: bool
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None = None
    answer: str | None = None
    prompt: str | None = None


@dataclasses.dataclass(frozen=True)
class Runs:
    """A runs file: every (task, model) once; models and tasks in the order first seen."""

    runs: Mapping[tuple[str, str], Run]
    models: tuple[str, ...]
    tasks: tuple[str, ...]
    prompts: Mapping[str, str]
    origin: str = ""

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, origin: str = "") -> Runs:
        """Validate records (InputError naming the record on the first bad one)."""
        return cls._from_numbered(enumerate(records, 1), origin=origin)

    @classmethod
    def _from_numbered(
        cls, records: Iterable[tuple[int, Mapping[str, Any]]], *, origin: str
    ) -> Runs:
        runs: dict[tuple[str, str], Run] = {}
        models: dict[str, None] = {}
        tasks: dict[str, None] = {}
        prompts: dict[str, str] = {}
        for number, record in records:
            run = _run(record, f"{origin}:{number}" if origin else f"record {number}")
            key = (run.task_id, run.model)
            if key in runs:
                raise InputError(
                    f"{origin}:{number}: task {run.task_id!r} and model {run.model!r} appear twice"
                )
            runs[key] = run
            models.setdefault(run.model, None)
            tasks.setdefault(run.task_id, None)
            if run.prompt and run.task_id not in prompts:
                prompts[run.task_id] = run.prompt
        if not runs:
            raise InputError(f"{origin or 'runs'}: no runs")
        return cls(runs, tuple(models), tuple(tasks), prompts, origin)

    def tasks_of(self, model: str) -> frozenset[str]:
        return frozenset(task for task, name in self.runs if name == model)

    def with_prompts(self, prompts: Mapping[str, str]) -> Runs:
        return dataclasses.replace(self, prompts={**self.prompts, **prompts})


def load_runs(path: str | Path) -> Runs:
    """Read a runs JSONL file; InputError (one line, with the line number) when it is invalid."""
    return Runs._from_numbered(_read_jsonl(Path(path)), origin=str(path))


def load_prompts(path: str | Path) -> dict[str, str]:
    """``task_id → prompt`` from a JSONL file of ``{"task_id": ..., "prompt": ...}`` lines."""
    prompts: dict[str, str] = {}
    for number, record in _read_jsonl(Path(path)):
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: expected a JSON object")
        task, prompt = record.get("task_id"), record.get("prompt")
        if not isinstance(task, str) or not isinstance(prompt, str):
            raise InputError(f"{path}:{number}: expected string fields task_id and prompt")
        prompts[task] = prompt
    return prompts


@dataclasses.dataclass(frozen=True)
class StrategyResult:
    """What one strategy did over the tasks: passes, spend (USD, None if unknown) and calls."""

    name: str
    kind: Kind
    models: tuple[str, ...]
    tasks: int
    passed: int
    spend: float | None
    calls: int
    escalated: int  # tasks that needed more than the first call
    calls_per_model: Mapping[str, int]
    unpriced_calls: int = 0
    tiers: Mapping[str, int] | None = None  # tasks per tier (tier routing)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.tasks if self.tasks else 0.0

    def saving_against(self, other: StrategyResult) -> float | None:
        """Fraction of ``other``'s spend this strategy saves (0.7 = 70% cheaper)."""
        if self.spend is None or other.spend is None or other.spend <= 0:
            return None
        return 1.0 - self.spend / other.spend

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["models"] = list(self.models)
        data["calls_per_model"] = dict(self.calls_per_model)
        data["tiers"] = dict(self.tiers) if self.tiers is not None else None
        data["pass_rate"] = self.pass_rate
        return data


class Table:
    """Runs priced and checked once: per model, per task, ``(passed, cost or None, accepted)``.

    ``accepted`` is what the escalation check says: the recorded verdict (``check="verdict"``), or
    whether the recorded answer compiles (``check="compiles"``, the default check of
    :class:`~tokentrim.route.Cascade`; a run whose answer was not recorded falls back to its
    verdict, since an answer that passed its tests compiled).
    """

    def __init__(
        self,
        runs: Runs,
        *,
        pricing: Pricing = "bill",
        prices: PriceTable | None = None,
        check: ReplayCheck = "verdict",
    ) -> None:
        if pricing not in ("bill", "list"):
            raise ValueError(f"pricing must be 'bill' or 'list', not {pricing!r}")
        if check not in ("verdict", "compiles"):
            raise ValueError(f"check must be 'verdict' or 'compiles', not {check!r}")
        self.runs = runs
        self.pricing = pricing
        self.check = check
        self.pricer = TokenPricer(prices, when=standard_time())
        self.sources: Counter[str] = Counter()  # "billed" / "list price" / "unpriced"
        self.unchecked = 0  # compiles: runs without an answer, judged by their verdict
        self.cells: dict[str, dict[str, tuple[bool, float | None, bool]]] = {
            m: {} for m in runs.models
        }
        for (task, model), run in runs.runs.items():
            self.cells[model][task] = (run.passed, self._cost(run), self._accepted(run))

    def _accepted(self, run: Run) -> bool:
        if self.check == "verdict":
            return run.passed
        if run.answer is None:
            self.unchecked += 1
            return run.passed
        from tokentrim.route.checks import compiles

        return compiles(run.answer).passed

    def _cost(self, run: Run) -> float | None:
        if self.pricing == "bill" and run.cost_usd is not None:
            self.sources["billed"] += 1
            return run.cost_usd
        cost = self.pricer(run.model, run.prompt_tokens, run.completion_tokens)
        self.sources["list price" if cost is not None else "unpriced"] += 1
        return cost

    def common_tasks(self, models: Iterable[str]) -> tuple[str, ...]:
        """Tasks (in file order) that every one of ``models`` answered."""
        wanted = [self.cells[m] for m in models]
        return tuple(t for t in self.runs.tasks if all(t in cells for cells in wanted))

    def cascade(self, models: Sequence[str], tasks: Sequence[str]) -> StrategyResult:
        """Replay ``models`` as a cascade (one model: always that model) over ``tasks``."""
        kind: Kind = "single" if len(models) == 1 else "cascade"
        name = models[0] if len(models) == 1 else " → ".join(models)
        return self._replay(name, kind, tuple(models), [(task, models) for task in tasks])

    def tiers(
        self,
        tier_models: Mapping[str, Sequence[str]],
        tasks: Sequence[str],
        tier_of: Callable[[str], str],
    ) -> StrategyResult:
        """Route each task by ``tier_of(task)`` to the cascade ``tier_models`` names for it."""
        plan = [(task, tier_models[tier_of(task)]) for task in tasks]
        counts = Counter(tier_of(task) for task in tasks)
        used = tuple(dict.fromkeys(m for tier in TIERS for m in tier_models.get(tier, ())))
        result = self._replay("tier routing", "tiers", used, plan)
        return dataclasses.replace(result, tiers={t: counts.get(t, 0) for t in TIERS})

    def _replay(
        self, name: str, kind: Kind, models: tuple[str, ...], plan: list[tuple[str, Sequence[str]]]
    ) -> StrategyResult:
        passed = calls = escalated = unpriced = 0
        spend = 0.0
        per_model: Counter[str] = Counter()
        for task, cascade in plan:
            for position, model in enumerate(cascade):
                ok, cost, accepted = self.cells[model][task]
                calls += 1
                per_model[model] += 1
                if cost is None:
                    unpriced += 1
                else:
                    spend += cost
                if position == 1:
                    escalated += 1
                # The cascade stops at the first accepted reply, or ends with the last one.
                if accepted or position == len(cascade) - 1:
                    passed += ok
                    break
        return StrategyResult(
            name=name,
            kind=kind,
            models=models,
            tasks=len(plan),
            passed=passed,
            spend=None if unpriced else spend,
            calls=calls,
            escalated=escalated,
            calls_per_model=dict(per_model),
            unpriced_calls=unpriced,
        )

    def best_single(self, models: Iterable[str], tasks: Sequence[str]) -> str:
        """The model with the highest pass rate on ``tasks`` (ties: the cheaper, then by name)."""
        results = [self.cascade([m], tasks) for m in models]
        return min(
            results,
            key=lambda r: (-r.passed, math.inf if r.spend is None else r.spend, r.name),
        ).models[0]


@dataclasses.dataclass(frozen=True)
class Simulation:
    """Strategies replayed on the same tasks; ``premium`` is the always-one-model baseline."""

    origin: str
    pricing: Pricing
    check: ReplayCheck
    tasks: int
    tasks_left_out: int
    premium: StrategyResult
    strategies: tuple[StrategyResult, ...]
    priced_as: Mapping[str, str | None]
    price_sources: Mapping[str, int]
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.origin,
            "pricing": self.pricing,
            "check": self.check,
            "tasks": self.tasks,
            "tasks_left_out": self.tasks_left_out,
            "premium": self.premium.name,
            "strategies": [
                {**s.as_dict(), "saving_vs_premium": s.saving_against(self.premium)}
                for s in self.strategies
            ],
            "priced_as": dict(self.priced_as),
            "price_sources": dict(self.price_sources),
            "warnings": list(self.warnings),
        }


def simulate(
    runs: Runs,
    *,
    premium: str | None = None,
    cascades: Sequence[Sequence[str]] = (),
    tiers: Mapping[str, Sequence[str]] | None = None,
    pricing: Pricing = "bill",
    prices: PriceTable | None = None,
    route_config: RouteConfig | None = None,
    check: ReplayCheck = "verdict",
) -> Simulation:
    """Replay always-``premium``, each cascade, and tier routing (when prompts are known).

    ``premium`` defaults to the model with the highest pass rate. ``tiers`` maps tier names to
    cascades; without it, the configured ``[tool.tokentrim.route.tiers]``, else
    :func:`default_tiers` of the first cascade. ``check`` is what escalates (see :class:`Table`).
    Unknown model names raise InputError.
    """
    table = Table(runs, pricing=pricing, prices=prices, check=check)
    config = route_config or RouteConfig()
    for model in [*([premium] if premium else []), *(m for c in cascades for m in c)]:
        if model not in table.cells:
            raise InputError(f"model {model!r} is not in {runs.origin or 'the runs'}{_known(runs)}")
    if premium is None:
        premium = table.best_single(runs.models, runs.tasks)
    tier_map = _tier_map(tiers, config, cascades, premium)
    used = {premium, *(m for c in cascades for m in c)}
    warnings: list[str] = []
    route_tiers = tier_map is not None and bool(runs.prompts)
    if route_tiers and tier_map is not None:
        unknown = {m for ms in tier_map.values() for m in ms} - set(table.cells)
        if unknown:
            raise InputError(f"tier model(s) {', '.join(sorted(unknown))} not in the runs")
        used |= {m for ms in tier_map.values() for m in ms}
    tasks = table.common_tasks(sorted(used))
    if route_tiers:
        missing = [t for t in tasks if t not in runs.prompts]
        if missing:
            warnings.append(f"tier routing left out: {len(missing)} tasks have no prompt")
            route_tiers = False
    elif tier_map is not None and not runs.prompts:
        warnings.append("tier routing left out: the runs have no prompts (add --prompts FILE)")
    if check == "compiles" and table.unchecked:
        warnings.append(
            f"{table.unchecked} runs have no recorded answer: their verdict stands in for the check"
        )
    if len(tasks) < len(runs.tasks):
        warnings.append(
            f"{len(runs.tasks) - len(tasks)} of {len(runs.tasks)} tasks left out: "
            "not every model compared answered them"
        )
    results = [table.cascade([premium], tasks)]
    results += [table.cascade(list(c), tasks) for c in cascades]
    if route_tiers and tier_map is not None:
        cache: dict[str, str] = {}

        def tier_of(task: str) -> str:
            if task not in cache:
                cache[task] = classify(runs.prompts[task], config).name
            return cache[task]

        results.append(table.tiers(tier_map, tasks, tier_of))
    unpriced = sorted(m for m in used if table.pricer.priced_as(m) is None)
    if unpriced and any(r.unpriced_calls for r in results):
        warnings.append(
            f"no price for {', '.join(unpriced)}: spend unknown where they were called "
            "(use --bill, or a --prices file)"
        )
    return Simulation(
        origin=runs.origin,
        pricing=pricing,
        check=check,
        tasks=len(tasks),
        tasks_left_out=len(runs.tasks) - len(tasks),
        premium=results[0],
        strategies=tuple(results),
        priced_as={m: table.pricer.priced_as(m) for m in sorted(used)},
        price_sources=dict(table.sources),
        warnings=tuple(warnings),
    )


def default_tiers(cascade: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Tier map from one cascade: simple runs all of it, moderate starts at its middle model,
    complex goes straight to its last."""
    models = tuple(cascade)
    return {
        "simple": models,
        "moderate": models[len(models) // 2 :] if len(models) > 2 else models[-1:],
        "complex": models[-1:],
    }


def _tier_map(
    tiers: Mapping[str, Sequence[str]] | None,
    config: RouteConfig,
    cascades: Sequence[Sequence[str]],
    premium: str,
) -> dict[str, tuple[str, ...]] | None:
    if tiers:
        chosen = {k: tuple(v) for k, v in tiers.items()}
    elif config.tiers:
        chosen = dict(config.tier_models)
    elif cascades:
        chosen = default_tiers(cascades[0])
    else:
        return None
    # A tier left unnamed goes to the premium model.
    return {tier: chosen.get(tier) or (premium,) for tier in TIERS}


def _known(runs: Runs) -> str:
    return f" (models: {', '.join(runs.models)})"


def _run(record: Mapping[str, Any], where: str) -> Run:
    if not isinstance(record, Mapping):
        raise InputError(f"{where}: expected a JSON object")
    for key in ("task_id", "model"):
        if not isinstance(record.get(key), str) or not record[key]:
            raise InputError(f"{where}: {key} must be a non-empty string")
    if not isinstance(record.get("passed"), bool):
        raise InputError(f"{where}: passed must be true or false")
    counts = []
    for key in ("prompt_tokens", "completion_tokens"):
        value = record.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InputError(f"{where}: {key} must be a non-negative integer")
        counts.append(value)
    cost = record.get("cost_usd")
    if cost is not None and (
        isinstance(cost, bool) or not isinstance(cost, (int, float)) or not math.isfinite(cost)
    ):
        raise InputError(f"{where}: cost_usd must be a number or null")
    if cost is not None and cost < 0:
        raise InputError(f"{where}: cost_usd must not be negative")
    answer, prompt = record.get("answer"), record.get("prompt")
    return Run(
        task_id=record["task_id"],
        model=record["model"],
        passed=record["passed"],
        prompt_tokens=counts[0],
        completion_tokens=counts[1],
        cost_usd=None if cost is None else float(cost),
        answer=answer if isinstance(answer, str) else None,
        prompt=prompt if isinstance(prompt, str) else None,
    )


def _read_jsonl(path: Path) -> list[tuple[int, Any]]:
    try:
        with path.open(encoding="utf-8") as handle:
            lines = handle.readlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
    return out
