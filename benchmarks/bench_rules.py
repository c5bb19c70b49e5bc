"""How much each level and each rule saves on real replies (cl100k tokens of whole replies).

Usage::

    python benchmarks/bench_rules.py [--corpus PATH] [--json] [--no-ablation] [--check-targets]

For every reply of the corpus (JSONL with a ``response`` field; default
``/work/shared/corpus/real-replies-dev.jsonl`` or ``$TOKENTRIM_DEV_CORPUS``) it runs ``trim()`` at
``safe``, ``standard`` and ``aggressive``, and with ``prose=drop`` at ``standard`` and
``aggressive``, and prints the whole-corpus token reduction. Per rule: in how many replies (and code
blocks) it fired, and what it saved — measured by ablation, i.e. the tokens of the level with the
rule minus the level without it (the rule's own level: ``standard`` rules at ``standard``,
``aggressive`` rules at ``aggressive``). Savings of rules overlap, so they do not add up exactly to
the level's figure. ``--check-targets`` exits 1 when a target from issue 3 is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(
    os.environ.get("TOKENTRIM_DEV_CORPUS", "/work/shared/corpus/real-replies-dev.jsonl")
)
CONFIGS: dict[str, dict[str, Any]] = {
    "safe": {"level": "safe"},
    "standard": {"level": "standard"},
    "aggressive": {"level": "aggressive"},
    "standard+prose=drop": {"level": "standard", "prose": "drop"},
    "aggressive+prose=drop": {"level": "aggressive", "prose": "drop"},
}
TARGETS = {
    "standard": 10.0,
    "aggressive": 25.0,
    "standard+prose=drop": 58.0,
    "aggressive+prose=drop": 65.0,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-ablation", action="store_true", help="skip per-rule ablation runs")
    parser.add_argument("--check-targets", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus} (set --corpus); skipping", file=sys.stderr)
        return 0
    replies = load_replies(args.corpus)
    report = measure(replies, ablation=not args.no_ablation, jobs=args.jobs)
    report["corpus"] = str(args.corpus)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(report))
    if args.check_targets:
        missed = [name for name, row in report["levels"].items() if row.get("met") is False]
        if missed:
            print(f"targets missed: {', '.join(missed)}", file=sys.stderr)
            return 1
    return 0


def load_replies(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["response"] for line in handle if line.strip()]


def measure(replies: list[str], *, ablation: bool, jobs: int) -> dict[str, Any]:
    from tokentrim.rules import CodeRule, all_rules

    rules = [(rule.id, rule.level, issubclass(rule, CodeRule)) for rule in all_rules()]
    runs: dict[str, dict[str, Any]] = dict(CONFIGS)
    if ablation:
        for rule_id, level, _ in rules:
            if level != "safe":
                runs[f"-{rule_id}"] = {"level": level, "disable": frozenset({rule_id})}
    tasks = [(name, options, reply) for name, options in runs.items() for reply in replies]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(_trim_one, tasks, chunksize=8))
    by_run: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    for (name, _, _), result in zip(tasks, results, strict=True):
        by_run[name].append(result)

    before = sum(r["tokens_before"] for r in by_run["safe"])
    levels: dict[str, Any] = {}
    for name in CONFIGS:
        after = sum(r["tokens_after"] for r in by_run[name])
        saved = 100.0 * (before - after) / before if before else 0.0
        row: dict[str, Any] = {
            "tokens_before": before,
            "tokens_after": after,
            "saved_percent": round(saved, 2),
            "changed_replies": sum(r["changed"] for r in by_run[name]),
            "errors": sum(bool(r["error"]) for r in by_run[name]),
        }
        if name in TARGETS:
            row["target_percent"] = TARGETS[name]
            row["met"] = saved >= TARGETS[name]
        levels[name] = row

    per_rule: dict[str, Any] = {}
    for rule_id, level, is_code in rules:
        base = by_run.get(level if level != "safe" else "safe", [])
        replies_fired = sum(rule_id in r["rules"] for r in base)
        blocks_fired = sum(r["block_rules"][rule_id] for r in base)
        row = {
            "level": level,
            "kind": "code" if is_code else "text",
            "replies": replies_fired,
            "blocks": blocks_fired if is_code else None,
        }
        if ablation and f"-{rule_id}" in by_run:
            without = sum(r["tokens_after"] for r in by_run[f"-{rule_id}"])
            with_rule = sum(r["tokens_after"] for r in base)
            row["tokens_saved"] = without - with_rule
            row["saved_percent"] = round(100.0 * (without - with_rule) / before, 2) if before else 0
        per_rule[rule_id] = row
    return {
        "replies": len(replies),
        "encoding": by_run["safe"][0]["encoding"] if replies else "",
        "levels": levels,
        "rules": per_rule,
    }


def _trim_one(task: tuple[str, dict[str, Any], str]) -> dict[str, Any]:
    import tokentrim
    from tokentrim.settings import Settings
    from tokentrim.tokens import load_encoding

    _, options, reply = task
    encoding, encoding_name = load_encoding("cl100k_base")
    count = len(encoding.encode(reply, disallowed_special=()))
    try:
        result = tokentrim.trim(reply, settings=Settings(**options))
    except Exception as exc:  # noqa: BLE001 - trim() must not raise; count it as an error
        return {
            "tokens_before": count,
            "tokens_after": count,
            "changed": False,
            "rules": [],
            "block_rules": Counter(),
            "error": f"{type(exc).__name__}: {exc}",
            "encoding": encoding_name,
        }
    block_rules: Counter[str] = Counter()
    for block in result.blocks:
        block_rules.update(set(block.rules))
    return {
        "tokens_before": count,
        "tokens_after": len(encoding.encode(result.text, disallowed_special=())),
        "changed": result.text != reply,
        "rules": sorted(set(result.rules)),
        "block_rules": block_rules,
        "error": "",
        "encoding": encoding_name,
    }


def render(report: dict[str, Any]) -> str:
    lines = [
        f"{report['replies']} replies from {report['corpus']} ({report['encoding']} tokens)",
        "",
        f"{'configuration':<24}{'before':>9}{'after':>9}{'saved':>9}{'target':>9}  changed",
    ]
    for name, row in report["levels"].items():
        target = f"{row['target_percent']:.0f}%" if "target_percent" in row else ""
        mark = {True: " ok", False: " MISSED"}.get(row.get("met"), "")  # type: ignore[call-overload]
        lines.append(
            f"{name:<24}{row['tokens_before']:>9}{row['tokens_after']:>9}"
            f"{row['saved_percent']:>8.1f}%{target:>9}  {row['changed_replies']}{mark}"
            + (f"  errors={row['errors']}" if row["errors"] else "")
        )
    lines += ["", f"{'rule':<28}{'level':<12}{'replies':>8}{'blocks':>8}{'saved':>9}{'share':>8}"]
    for rule_id, row in sorted(report["rules"].items(), key=_rule_order):
        blocks = "" if row["blocks"] is None else str(row["blocks"])
        saved = str(row.get("tokens_saved", ""))
        share = f"{row['saved_percent']:.2f}%" if "saved_percent" in row else ""
        lines.append(
            f"{rule_id:<28}{row['level']:<12}{row['replies']:>8}{blocks:>8}{saved:>9}{share:>8}"
        )
    return "\n".join(lines)


def _rule_order(item: tuple[str, dict[str, Any]]) -> tuple[int, int, str]:
    rule_id, row = item
    return (
        ("safe", "standard", "aggressive").index(row["level"]),
        -row.get("tokens_saved", 0),
        rule_id,
    )


if __name__ == "__main__":
    sys.exit(main())
