"""The rule contract, checked for every registered rule.

Each rule has a kebab-case id that names its module, a one-line description, a level, a module
docstring that documents it, a before/after example that is exactly what the rule does, a place in
``ORDER``, and a test module ``tests/rules/test_<module>.py`` with ``*_fixes`` and ``*_noop`` tests.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
from rule_harness import fix, fix_text

from tokentrim.rules import ORDER, CodeRule, TextRule, all_rules
from tokentrim.settings import LEVELS

HERE = Path(__file__).resolve().parent
RULES = all_rules()


def test_every_rule_of_order_is_registered_once() -> None:
    assert sorted(ORDER) == sorted(rule.id for rule in RULES)
    assert len(set(ORDER)) == len(ORDER)
    assert [rule.id for rule in RULES] == ORDER


def test_at_least_twelve_standard_rules() -> None:
    assert len([rule for rule in RULES if rule.level == "standard"]) >= 12


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_contract(rule: type[CodeRule] | type[TextRule]) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.id)
    assert rule.__module__ == f"tokentrim.rules.{rule.id.replace('-', '_')}"
    assert issubclass(rule, CodeRule | TextRule)
    assert rule.level in LEVELS
    assert ORDER.count(rule.id) == 1
    assert rule.description and "\n" not in rule.description and rule.description.endswith(".")
    module_doc = sys.modules[rule.__module__].__doc__ or ""
    assert module_doc.startswith(f"``{rule.id}``"), "the module docstring documents the rule"
    assert rule.before and rule.after and rule.before != rule.after


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_example_is_what_the_rule_does(rule: type[CodeRule] | type[TextRule]) -> None:
    if issubclass(rule, TextRule):
        assert fix_text(rule.id, rule.before) == rule.after
        assert fix_text(rule.id, rule.after) == rule.after
        return
    assert fix(rule.id, rule.before) == rule.after
    ast.parse(rule.after)
    assert fix(rule.id, rule.after) == rule.after


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_has_fixes_and_noop_tests(rule: type[CodeRule] | type[TextRule]) -> None:
    path = HERE / f"test_{rule.id.replace('-', '_')}.py"
    assert path.is_file(), f"{path.name} is missing"
    tests = {
        node.name
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }
    assert any(name.endswith("_fixes") for name in tests), f"{path.name} has no *_fixes test"
    assert any(name.endswith("_noop") for name in tests), f"{path.name} has no *_noop test"
