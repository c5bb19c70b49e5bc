"""Search the cascades over recorded runs for the cheapest that keeps a pass rate.

Every ordered selection of 1 to ``max_length`` distinct models is replayed (see
:mod:`tokentrim.route.replay`); the plan is the cheapest whose pass rate reaches ``min_pass``
(ties: the higher pass rate, then the shorter cascade, then by name). Each candidate is compared
with the *reference*: the cheapest single model whose own pass rate reaches ``min_pass``, when
one does; and with the premium baseline (the best single model, or the one named).

Models are compared on the same tasks. With ``tasks="all"`` (the default) those are all the tasks
of the file and a model that did not answer every one is left out of the search (and named);
``tasks="common"`` keeps every model and uses only the tasks they all answered.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from typing import Any, Literal

from tokentrim.cost import PriceTable
from tokentrim.errors import InputError
from tokentrim.route.replay import Pricing, ReplayCheck, Runs, StrategyResult, Table

__all__ = ["Candidate", "Plan", "plan"]

MAX_SEARCH = 200_000  # cascades replayed at most (9 models, length 3: 585)


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A cascade that reaches the pass rate, with what it saves."""

    result: StrategyResult
    reference: str | None  # the cheapest single model whose pass rate reaches min_pass
    saving_vs_reference: float | None
    saving_vs_premium: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.result.as_dict(),
            "reference": self.reference,
            "saving_vs_reference": self.saving_vs_reference,
            "saving_vs_premium": self.saving_vs_premium,
        }


@dataclasses.dataclass(frozen=True)
class Plan:
    """The search and its outcome; ``best`` is None when no cascade reaches ``min_pass``."""

    origin: str
    pricing: Pricing
    check: ReplayCheck
    min_pass: float
    max_length: int
    tasks: int
    models: tuple[str, ...]
    left_out: dict[str, str]  # model → why it was not searched
    searched: int
    unpriced: int  # cascades left out because a call in them has no price
    best_pass_rate: float  # the highest pass rate of any cascade searched
    premium: StrategyResult
    singles: tuple[StrategyResult, ...]
    best: Candidate | None
    candidates: tuple[Candidate, ...]  # the cheapest that reach min_pass, best first

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.origin,
            "pricing": self.pricing,
            "check": self.check,
            "min_pass": self.min_pass,
            "max_length": self.max_length,
            "tasks": self.tasks,
            "models": list(self.models),
            "left_out": dict(self.left_out),
            "searched": self.searched,
            "unpriced": self.unpriced,
            "best_pass_rate": self.best_pass_rate,
            "premium": self.premium.as_dict(),
            "singles": [s.as_dict() for s in self.singles],
            "best": self.best.as_dict() if self.best else None,
            "candidates": [c.as_dict() for c in self.candidates],
        }


def plan(
    runs: Runs,
    *,
    min_pass: float,
    max_length: int = 3,
    pricing: Pricing = "bill",
    prices: PriceTable | None = None,
    models: Sequence[str] | None = None,
    premium: str | None = None,
    top: int = 10,
    tasks: Literal["all", "common"] = "all",
    check: ReplayCheck = "verdict",
) -> Plan:
    """The cheapest cascade of at most ``max_length`` models whose pass rate is >= ``min_pass``."""
    if not 0.0 <= min_pass <= 1.0:
        raise InputError(f"min pass rate must be between 0 and 1, not {min_pass}")
    if max_length < 1:
        raise InputError("max length must be at least 1")
    table = Table(runs, pricing=pricing, prices=prices, check=check)
    pool = list(dict.fromkeys(models)) if models else list(runs.models)
    for name in [*pool, *([premium] if premium else [])]:
        if name not in table.cells:
            raise InputError(f"model {name!r} is not in {runs.origin or 'the runs'}")
    left_out: dict[str, str] = {}
    if tasks == "all":
        task_set = runs.tasks
        for name in list(pool):
            answered = len(table.cells[name])
            if answered < len(task_set):
                left_out[name] = f"answered {answered} of {len(task_set)} tasks"
                pool.remove(name)
    else:
        task_set = table.common_tasks(pool)
    if premium is not None and premium not in pool:
        raise InputError(f"premium model {premium!r} is left out: {left_out.get(premium, '')}")
    if not pool or not task_set:
        raise InputError("no model answered every task (try --tasks common)")
    count = sum(math.perm(len(pool), n) for n in range(1, min(max_length, len(pool)) + 1))
    if count > MAX_SEARCH:
        raise InputError(f"{count:,} cascades to search: name fewer --models or a lower max length")

    singles = tuple(table.cascade([m], task_set) for m in pool)
    premium_result = (
        next(s for s in singles if s.models[0] == premium)
        if premium
        else min(singles, key=lambda r: (-r.passed, _spend(r), r.name))
    )
    reachable: list[StrategyResult] = []
    searched = unpriced = most_passed = 0
    for length in range(1, min(max_length, len(pool)) + 1):
        for cascade in itertools.permutations(pool, length):
            searched += 1
            result = table.cascade(list(cascade), task_set)
            most_passed = max(most_passed, result.passed)
            if result.spend is None:
                unpriced += 1
            elif result.pass_rate >= min_pass:
                reachable.append(result)
    reachable.sort(key=lambda r: (_spend(r), -r.passed, len(r.models), r.name))
    reaching = [s for s in singles if s.spend is not None and s.pass_rate >= min_pass]
    reference = min(reaching, key=lambda s: (_spend(s), s.name)) if reaching else None
    candidates = tuple(
        _candidate(result, reference, premium_result) for result in reachable[: max(top, 1)]
    )
    return Plan(
        origin=runs.origin,
        pricing=pricing,
        check=check,
        min_pass=min_pass,
        max_length=max_length,
        tasks=len(task_set),
        models=tuple(pool),
        left_out=left_out,
        searched=searched,
        unpriced=unpriced,
        best_pass_rate=most_passed / len(task_set),
        premium=premium_result,
        singles=tuple(sorted(singles, key=lambda r: (_spend(r), r.name))),
        best=candidates[0] if candidates else None,
        candidates=candidates,
    )


def _candidate(
    result: StrategyResult, reference: StrategyResult | None, premium: StrategyResult
) -> Candidate:
    return Candidate(
        result=result,
        reference=reference.name if reference else None,
        saving_vs_reference=result.saving_against(reference) if reference else None,
        saving_vs_premium=result.saving_against(premium),
    )


def _spend(result: StrategyResult) -> float:
    return math.inf if result.spend is None else result.spend
