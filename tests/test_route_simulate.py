"""route simulate / plan: replayed figures against an independent recomputation.

The recomputation below reads the raw JSON records and prices list-priced runs with
genai-prices' own ``calc_price``: it shares no code with ``tokentrim.route.replay``.
A synthetic runs file keeps these tests running without the shared corpus; the HumanEval runs
(``../shared/corpus/humaneval-runs.jsonl``) are used when present.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from genai_prices import Usage as GenaiUsage
from genai_prices import calc_price
from hypothesis import given, settings
from hypothesis import strategies as st

from tokentrim.errors import InputError
from tokentrim.route import load_runs, plan, simulate
from tokentrim.route.replay import Runs, default_tiers

HUMANEVAL_RUNS = (
    Path(__file__).resolve().parent.parent.parent / "shared/corpus/humaneval-runs.jsonl"
)
DEEPSEEK = "deepseek/deepseek-chat"
QWEN_7B = "qwen/qwen-2.5-7b-instruct"

# Synthetic runs: three OpenAI models genai-prices knows, one it does not (always billed).
MODELS = {"gpt-4.1-nano": 0.55, "gpt-4o-mini": 0.7, "gpt-4.1-mini": 0.8, "house/coder-x": 0.85}


def _synthetic_records(seed: int = 7, tasks: int = 60) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for task in range(tasks):
        difficulty = rng.random()
        for model, skill in MODELS.items():
            prompt_tokens = rng.randint(80, 600)
            completion_tokens = rng.randint(40, 900)
            record: dict[str, Any] = {
                "task_id": f"T/{task}",
                "model": model,
                "passed": rng.random() * skill > difficulty * 0.6,
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
            }
            if model == "house/coder-x" or rng.random() < 0.3:
                record["cost_usd"] = round(rng.uniform(1e-5, 3e-3), 8)
            records.append(record)
    return records


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _noon() -> datetime:
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, 12, tzinfo=UTC)


def _list_price(record: dict[str, Any]) -> float | None:
    model = record["model"]
    if model.startswith("house/"):
        return None
    usage = GenaiUsage(
        input_tokens=record["prompt_tokens"], output_tokens=record["completion_tokens"]
    )
    return float(
        calc_price(usage, model, provider_id="openai", genai_request_timestamp=_noon()).total_price
    )


def _recompute(
    records: list[dict[str, Any]], cascade: list[str], *, bill: bool, price: Any = _list_price
) -> tuple[float | None, int, int]:
    """(spend, passed, tasks) of ``cascade`` over the tasks every model in it answered."""
    by_task: dict[str, dict[str, dict[str, Any]]] = {}
    for record in records:
        by_task.setdefault(record["task_id"], {})[record["model"]] = record
    spend: float | None = 0.0
    passed = tasks = 0
    for answers in by_task.values():
        if not all(model in answers for model in cascade):
            continue
        tasks += 1
        for model in cascade:
            record = answers[model]
            cost = record.get("cost_usd") if bill else None
            if cost is None:
                cost = price(record)
            spend = None if cost is None or spend is None else spend + cost
            if record["passed"]:
                passed += 1
                break
    return spend, passed, tasks


@pytest.fixture
def synthetic(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    records = _synthetic_records()
    return _write(tmp_path / "runs.jsonl", records), records


@pytest.mark.parametrize("bill", [True, False], ids=["bill", "list-prices"])
def test_simulate_equals_the_recomputation(
    synthetic: tuple[Path, list[dict[str, Any]]], bill: bool
) -> None:
    path, records = synthetic
    cascades = [["gpt-4.1-nano", "gpt-4.1-mini"], ["gpt-4o-mini", "gpt-4.1-nano", "gpt-4.1-mini"]]
    result = simulate(
        load_runs(path),
        premium="gpt-4.1-mini",
        cascades=cascades,
        pricing="bill" if bill else "list",
    )
    for strategy, models in zip(result.strategies, [["gpt-4.1-mini"], *cascades], strict=True):
        spend, passed, tasks = _recompute(records, models, bill=bill)
        assert strategy.tasks == tasks == 60
        assert strategy.passed == passed
        assert strategy.spend == pytest.approx(spend, rel=1e-12)


def test_unpriced_model_makes_spend_unknown_with_list_prices(
    synthetic: tuple[Path, list[dict[str, Any]]],
) -> None:
    path, _ = synthetic
    listed = simulate(load_runs(path), premium="house/coder-x", pricing="list")
    assert listed.premium.spend is None and listed.premium.unpriced_calls == 60
    assert any("no price for house/coder-x" in w for w in listed.warnings)
    billed = simulate(load_runs(path), premium="house/coder-x", pricing="bill")
    assert billed.premium.spend is not None and billed.premium.spend > 0


def test_tasks_some_model_missed_are_left_out_of_the_comparison(tmp_path: Path) -> None:
    records = _synthetic_records(tasks=10)
    records = [r for r in records if not (r["model"] == "gpt-4o-mini" and r["task_id"] == "T/3")]
    runs = load_runs(_write(tmp_path / "runs.jsonl", records))
    result = simulate(runs, premium="gpt-4.1-mini", cascades=[["gpt-4o-mini", "gpt-4.1-mini"]])
    assert result.tasks == 9 and result.tasks_left_out == 1
    assert result.premium.tasks == 9
    found = plan(runs, min_pass=0.0)
    assert "gpt-4o-mini" in found.left_out and "gpt-4o-mini" not in found.models
    common = plan(runs, min_pass=0.0, tasks="common")
    assert common.tasks == 9 and "gpt-4o-mini" in common.models


def test_tier_routing_uses_the_prompts(tmp_path: Path) -> None:
    records = _synthetic_records(tasks=6)
    prompts = {
        "T/0": "Write a docstring for f.",
        "T/1": "Convert this JSON to YAML.",
        "T/2": "Refactor the service to use dependency injection.",
        "T/3": "Implement OAuth2 login with PKCE.",
        "T/4": "Write unit tests for add().",
        "T/5": "Design a distributed lock with leader election.",
    }
    for record in records:
        record["prompt"] = prompts[record["task_id"]]
    runs = load_runs(_write(tmp_path / "runs.jsonl", records))
    cascade = ["gpt-4.1-nano", "gpt-4o-mini", "gpt-4.1-mini"]
    result = simulate(runs, premium="gpt-4.1-mini", cascades=[cascade])
    tiers = result.strategies[-1]
    assert tiers.kind == "tiers" and tiers.tiers == {"simple": 3, "moderate": 1, "complex": 2}
    # Independent: each task replays the cascade its tier maps to.
    expected_passed = 0
    expected_spend = 0.0
    tier_of = {"T/0": "simple", "T/1": "simple", "T/4": "simple", "T/2": "moderate"}
    mapping = default_tiers(cascade)
    assert mapping == {
        "simple": tuple(cascade),
        "moderate": ("gpt-4o-mini", "gpt-4.1-mini"),
        "complex": ("gpt-4.1-mini",),
    }
    for task in prompts:
        models = list(mapping[tier_of.get(task, "complex")])
        spend, passed, _ = _recompute(
            [r for r in records if r["task_id"] == task], models, bill=True
        )
        assert spend is not None
        expected_spend += spend
        expected_passed += passed
    assert tiers.passed == expected_passed
    assert tiers.spend == pytest.approx(expected_spend, rel=1e-12)


def test_plan_finds_the_cheapest_cascade_by_exhaustive_recomputation(
    synthetic: tuple[Path, list[dict[str, Any]]],
) -> None:
    path, records = synthetic
    min_pass = 0.8
    found = plan(load_runs(path), min_pass=min_pass, max_length=3, top=5)
    models = list(MODELS)
    best: tuple[float, int, str] | None = None
    for length in (1, 2, 3):
        for cascade in itertools.permutations(models, length):
            spend, passed, tasks = _recompute(records, list(cascade), bill=True)
            if spend is not None and passed / tasks >= min_pass:
                key = (spend, -passed, " → ".join(cascade))
                best = key if best is None or key < best else best
    assert best is not None and found.best is not None
    assert found.best.result.name == best[2]
    assert found.best.result.spend == pytest.approx(best[0], rel=1e-12)
    assert found.searched == 4 + 12 + 24
    spends = [c.result.spend for c in found.candidates]
    assert spends == sorted(spends) and len(found.candidates) == 5
    assert all(c.result.pass_rate >= min_pass for c in found.candidates)
    # The reference is the cheapest single model that reaches the rate, when one does.
    singles = {m: _recompute(records, [m], bill=True) for m in models}
    reaching = [m for m, (s, p, t) in singles.items() if p / t >= min_pass]
    if reaching:
        cheapest = min(reaching, key=lambda m: singles[m][0] or math.inf)
        assert found.best.reference == cheapest
        saving = 1 - best[0] / (singles[cheapest][0] or math.inf)
        assert found.best.saving_vs_reference == pytest.approx(saving)
    else:
        assert found.best.reference is None


def test_plan_without_a_reachable_rate(synthetic: tuple[Path, list[dict[str, Any]]]) -> None:
    path, records = synthetic
    best_single = max(_recompute(records, [m], bill=True)[1] for m in MODELS) / 60
    assert best_single < 1.0  # the synthetic data has no perfect model
    found = plan(load_runs(path), min_pass=1.0, max_length=1)
    assert found.best is None and found.candidates == ()
    assert found.best_pass_rate == pytest.approx(best_single)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"task_id": "a", "model": "m", "passed": "yes", "prompt_tokens": 1, '
            '"completion_tokens": 1}',
            "passed must be true or false",
        ),
        (
            '{"task_id": "a", "model": "m", "passed": true, "prompt_tokens": -1, '
            '"completion_tokens": 1}',
            "prompt_tokens must be a non-negative integer",
        ),
        (
            '{"task_id": "a", "model": "", "passed": true, "prompt_tokens": 1, '
            '"completion_tokens": 1}',
            "model must be a non-empty string",
        ),
        (
            '{"task_id": "a", "model": "m", "passed": true, "prompt_tokens": 1, '
            '"completion_tokens": 1, "cost_usd": "x"}',
            "cost_usd must be a number",
        ),
        ("{not json", "invalid JSON"),
        ("[]", "expected a JSON object"),
    ],
)
def test_bad_runs_are_one_line_input_errors(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_runs(path)
    assert ":2:" in str(info.value) and "\n" not in str(info.value)


def test_duplicates_and_unknown_models_are_errors(tmp_path: Path) -> None:
    record = {
        "task_id": "a",
        "model": "m",
        "passed": True,
        "prompt_tokens": 1,
        "completion_tokens": 1,
    }
    with pytest.raises(InputError, match="appear twice"):
        Runs.from_records([record, record])
    runs = Runs.from_records([record])
    with pytest.raises(InputError, match="not in"):
        simulate(runs, premium="other")
    with pytest.raises(InputError, match="not in"):
        plan(runs, min_pass=0.5, models=["other"])
    with pytest.raises(InputError, match="between 0 and 1"):
        plan(runs, min_pass=1.5)


# --- the shared HumanEval runs ---------------------------------------------------------------

humaneval = pytest.mark.skipif(not HUMANEVAL_RUNS.is_file(), reason="shared corpus absent")


@pytest.fixture(scope="module")
def humaneval_records() -> list[dict[str, Any]]:
    lines = HUMANEVAL_RUNS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@humaneval
def test_humaneval_deepseek_and_qwen_cascade(humaneval_records: list[dict[str, Any]]) -> None:
    result = simulate(load_runs(HUMANEVAL_RUNS), premium=DEEPSEEK, cascades=[[QWEN_7B, DEEPSEEK]])
    premium, cascade = result.strategies
    for strategy, models in ((premium, [DEEPSEEK]), (cascade, [QWEN_7B, DEEPSEEK])):
        spend, passed, tasks = _recompute(humaneval_records, models, bill=True)
        assert (strategy.tasks, strategy.passed) == (tasks, passed)
        assert strategy.spend == pytest.approx(spend, rel=1e-12)
    print(
        f"always DeepSeek-V3: ${premium.spend:.6f}, {premium.pass_rate:.1%}; "
        f"Qwen2.5-7B → DeepSeek-V3: ${cascade.spend:.6f}, {cascade.pass_rate:.1%}, "
        f"{cascade.saving_against(premium):.1%} cheaper"
    )
    assert premium.tasks == 164
    assert cascade.pass_rate > premium.pass_rate


@humaneval
def test_humaneval_plan_is_at_least_70_percent_cheaper(
    humaneval_records: list[dict[str, Any]],
) -> None:
    found = plan(load_runs(HUMANEVAL_RUNS), min_pass=0.95, premium=DEEPSEEK)
    assert found.best is not None
    best = found.best
    spend, passed, tasks = _recompute(humaneval_records, list(best.result.models), bill=True)
    premium_spend, _, _ = _recompute(humaneval_records, [DEEPSEEK], bill=True)
    assert spend is not None and premium_spend is not None
    assert best.result.spend == pytest.approx(spend, rel=1e-12)
    assert passed / tasks >= 0.95
    saving = 1 - spend / premium_spend
    assert best.saving_vs_premium == pytest.approx(saving)
    print(
        f"plan at 95%: {best.result.name}: ${spend:.6f}, {passed / tasks:.1%}, {saving:.1%} cheaper"
    )
    assert saving >= 0.70, f"{best.result.name} saves only {saving:.1%}"
    # No cheaper cascade reaches the rate: checked by brute force over the same models.
    for length in (1, 2, 3):
        for cascade in itertools.permutations(found.models, length):
            other, ok, n = _recompute(humaneval_records, list(cascade), bill=True)
            if other is not None and ok / n >= 0.95:
                assert other >= spend - 1e-15


@settings(max_examples=examples(40))
@given(
    st.lists(
        st.tuples(st.booleans(), st.booleans(), st.booleans(), st.floats(0, 1), st.floats(0, 1)),
        min_size=1,
        max_size=12,
    ),
    st.permutations(["a", "b", "c"]),
)
def test_any_cascade_matches_the_recomputation(
    rows: list[tuple[bool, bool, bool, float, float]], order: list[str]
) -> None:
    records = []
    for task, (pa, pb, pc, ca, cb) in enumerate(rows):
        for model, passed, cost in (("a", pa, ca / 100), ("b", pb, cb / 10), ("c", pc, 0.5)):
            records.append(
                {
                    "task_id": str(task),
                    "model": model,
                    "passed": passed,
                    "prompt_tokens": 1,
                    "completion_tokens": 1,
                    "cost_usd": cost,
                }
            )
    runs = Runs.from_records(records)
    result = simulate(runs, premium="c", cascades=[order[:2], order])
    for strategy, models in zip(result.strategies, [["c"], order[:2], order], strict=True):
        spend, passed, tasks = _recompute(records, models, bill=True)
        assert (strategy.passed, strategy.tasks) == (passed, tasks)
        assert strategy.spend == pytest.approx(spend, rel=1e-9, abs=1e-12)
    found = plan(runs, min_pass=0.5)
    if found.best is not None:
        spend, passed, tasks = _recompute(records, list(found.best.result.models), bill=True)
        assert passed / tasks >= 0.5 and found.best.result.spend == pytest.approx(spend)
        for length in (1, 2, 3):
            for cascade in itertools.permutations("abc", length):
                other, ok, n = _recompute(records, list(cascade), bill=True)
                if other is not None and ok / n >= 0.5:
                    assert other >= spend - 1e-12
    else:
        assert _recompute(records, ["a", "b", "c"], bill=True)[1] / len(rows) < 0.5


def _compiles_independently(answer: str | None, passed: bool) -> bool:
    if answer is None:
        return passed
    try:
        compile(answer, "<answer>", "exec")
    except SyntaxError:
        return False
    return True


def test_replay_with_the_compiles_check(tmp_path: Path) -> None:
    rng = random.Random(3)
    answers = ["def f():\n    return 1\n", "def f(:\n    return 1\n", None]
    records = []
    for task in range(40):
        for model in ("gpt-4.1-nano", "gpt-4o-mini", "gpt-4.1-mini"):
            records.append(
                {
                    "task_id": f"T/{task}",
                    "model": model,
                    "passed": rng.random() < 0.6,
                    "prompt_tokens": 100,
                    "completion_tokens": 100,
                    "cost_usd": rng.uniform(1e-4, 1e-3),
                    "answer": rng.choice(answers),
                }
            )
    runs = load_runs(_write(tmp_path / "runs.jsonl", records))
    cascade = ["gpt-4.1-nano", "gpt-4o-mini", "gpt-4.1-mini"]
    result = simulate(runs, premium="gpt-4.1-mini", cascades=[cascade], check="compiles")
    by_task: dict[str, dict[str, dict[str, Any]]] = {}
    for record in records:
        by_task.setdefault(record["task_id"], {})[record["model"]] = record
    spend, passed = 0.0, 0
    for answers_of in by_task.values():
        for position, model in enumerate(cascade):
            record = answers_of[model]
            spend += record["cost_usd"]
            if position == len(cascade) - 1 or _compiles_independently(
                record["answer"], record["passed"]
            ):
                passed += record["passed"]
                break
    replayed = result.strategies[1]
    assert replayed.passed == passed and replayed.spend == pytest.approx(spend, rel=1e-12)
    assert any("no recorded answer" in w for w in result.warnings)
    verdict = simulate(runs, premium="gpt-4.1-mini", cascades=[cascade]).strategies[1]
    assert verdict.passed >= replayed.passed  # the test suite never passes fewer tasks
