"""tokentrim.route.classify: the labelled prompts, configuration, and robustness.

The accuracy figures are in the assertion messages and printed: ``pytest -rP
tests/test_route_classify.py -k accuracy`` shows them (or ``tokentrim route classify --labelled
corpora/route/prompts.json``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokentrim.errors import ConfigError
from tokentrim.route import TIERS, RouteConfig, classify, load_route_config

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "route"
# Floors. Measured once at the end of the rework: held-out-2 70/73 (95.9%), both held-out sets
# 99/103 (96.1%); the floors allow two or three prompts of slack (93%). The tuning set reached
# 100%: its floor is 95%, the held-out set alone (30 prompts, tuned on in the rework) 85%.
DEV_FLOOR = 0.95
HELD_OUT_1_FLOOR = 0.85
HELD_OUT_2_FLOOR = 0.93
HELD_OUT_FLOOR = 0.93


def _labelled(name: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = json.loads((CORPUS / name).read_text("utf-8"))
    return rows


def _accuracy(rows: list[dict[str, str]]) -> tuple[float, Counter[tuple[str, str]]]:
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        confusion[(row["label"], classify(row["prompt"]).name)] += 1
    right = sum(n for (label, got), n in confusion.items() if label == got)
    return right / len(rows), confusion


def _report(name: str, rows: list[dict[str, str]]) -> tuple[float, str]:
    """The accuracy on a set and a printed confusion matrix (rows: label, columns: predicted)."""
    accuracy, confusion = _accuracy(rows)
    right = round(accuracy * len(rows))
    lines = [f"classifier accuracy on {name}: {accuracy:.1%} ({right} of {len(rows)})"]
    lines.append("    label \\ predicted " + "".join(f"{tier:>10}" for tier in TIERS))
    for label in TIERS:
        counts = "".join(f"{confusion[(label, got)]:>10}" for got in TIERS)
        lines.append(f"    {label:<19}{counts}")
    print("\n".join(lines))
    return accuracy, lines[0]


def test_labelled_set_is_large_and_balanced() -> None:
    rows = _labelled("prompts.json")
    assert len(rows) >= 80
    counts = Counter(row["label"] for row in rows)
    assert set(counts) == set(TIERS)
    assert min(counts.values()) >= 25
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(row["note"] and row["prompt"].strip() for row in rows)


def test_second_held_out_set_is_balanced_and_explained() -> None:
    rows = _labelled("prompts-heldout-2.json")
    assert len(rows) >= 60
    counts = Counter(row["label"] for row in rows)
    assert set(counts) == set(TIERS) and min(counts.values()) >= 20
    assert len({row["id"] for row in rows}) == len(rows)
    assert all(row["note"] and row["rationale"] and row["prompt"].strip() for row in rows)


def test_accuracy_on_the_development_set() -> None:
    # Tuned on: measures fit, not generalisation.
    accuracy, message = _report("corpora/route/prompts.json (tuned on)", _labelled("prompts.json"))
    assert accuracy >= DEV_FLOOR, message


def test_accuracy_on_the_held_out_set() -> None:
    # Written after the first keywords were frozen; its errors were then looked at while the
    # classifier was reworked (stems, verb-object patterns, families), so it is no longer
    # unseen. The floor guards against regressions.
    name = "corpora/route/prompts-heldout.json (errors looked at while reworking)"
    accuracy, message = _report(name, _labelled("prompts-heldout.json"))
    assert accuracy >= HELD_OUT_1_FLOOR, message


def test_accuracy_on_the_second_held_out_set() -> None:
    # Written (and committed) before the rework, measured once at its end; its per-prompt
    # errors were never looked at while tuning. The honest generalisation figure.
    name = "corpora/route/prompts-heldout-2.json (never tuned on)"
    accuracy, message = _report(name, _labelled("prompts-heldout-2.json"))
    assert accuracy >= HELD_OUT_2_FLOOR, message


def test_accuracy_on_both_held_out_sets() -> None:
    rows = _labelled("prompts-heldout.json") + _labelled("prompts-heldout-2.json")
    accuracy, message = _report("both held-out sets", rows)
    assert accuracy >= HELD_OUT_FLOOR, message


@pytest.mark.parametrize(
    ("prompt", "tier"),
    [
        pytest.param("Write a docstring for `parse(path)`.", "simple", id="docstring"),
        pytest.param("Write pytest unit tests for slugify().", "simple", id="unit-tests"),
        pytest.param("Convert this JSON to YAML: {}", "simple", id="format-conversion"),
        pytest.param("Give me the boilerplate for a click CLI.", "simple", id="boilerplate"),
        pytest.param(
            "Refactor the service to use dependency injection.",
            "moderate",
            id="dependency-injection",
        ),
        pytest.param("Implement JWT authentication with refresh tokens.", "complex", id="security"),
        pytest.param(
            "Reason step by step about the deadlock between these workers.",
            "complex",
            id="reasoning",
        ),
        pytest.param(
            "Use our in-house, undocumented `flowcore` library to schedule jobs.",
            "complex",
            id="unfamiliar-library",
        ),
    ],
)
def test_the_articles_classes(prompt: str, tier: str) -> None:
    assert classify(prompt).name == tier


def test_tests_for_security_code_are_not_as_hard_as_the_code() -> None:
    result = classify("Write unit tests for the password hashing helper.")
    assert result.name == "moderate"
    assert any(reason.startswith("simple: unit tests") for reason in result.reasons)
    assert any(reason.startswith("complex: security-sensitive") for reason in result.reasons)


def test_size_files_and_blocks_move_a_request_up() -> None:
    long_prompt = "Please look at this.\n" + "x = 1\n" * 8_000
    big = classify(long_prompt)
    assert big.name == "complex" and big.tokens >= 6000
    files = classify("Update a.py, b.py and c.py to read the timeout from settings.")
    assert files.files == 3 and files.name == "moderate"
    blocks = "Look:\n" + "```python\nx = 1\n```\n" * 6
    assert classify(blocks).code_blocks == 6
    assert classify(blocks).name == "complex"
    assert classify("Edit the twelve source files of the parser.").files == 12


def test_keywords_in_code_and_identifiers_do_not_count() -> None:
    pasted = "Add a docstring to this:\n```python\ndef check_password(jwt_token): ...\n```"
    assert classify(pasted).name == "simple"
    assert classify("Write a docstring for numerical_letter_grade(grades).").name == "simple"


def test_code_pasted_without_fences_is_not_prose() -> None:
    # A HumanEval-style prompt: its docstring's commas are not requirements, its words not
    # keywords ("encrypt" here is a Caesar shift).
    prompt = (
        "def encrypt(s: str, shift: int) -> str:\n"
        '    """Encrypt s with a Caesar shift, keep case, skip digits, wrap around z, and\n'
        "    keep punctuation, spaces, and newlines as they are.\n"
        "    >>> encrypt('abc', 1)\n"
        "    'bcd'\n"
        '    """\n'
    )
    assert classify(prompt).name == "simple"
    assert classify("Review our password storage.\n" + prompt).name == "complex"


def test_reasons_explain_every_decision() -> None:
    tier = classify("Write a function that reverses a string.")
    assert tier.name == "simple" and tier.reasons
    assert str(tier) == "simple" and tier.rank == 0
    data = tier.as_dict()
    assert data["name"] == "simple" and isinstance(data["reasons"], list)


def test_word_stems_and_verb_object_patterns() -> None:
    # Inflections match through one stem; "add ... tests" lets words come between.
    signing = classify("Automate the signing of our release artifacts.")
    assert signing.name == "complex"  # the keyword is "signed": one stem, "sign"
    assert any("security-sensitive (signing)" in reason for reason in signing.reasons)
    tests = classify("Please add a couple of pytest tests for parse_row.")
    assert tests.name == "simple"
    assert any(r.startswith("simple: unit tests (add a couple of pytest") for r in tests.reasons)
    # A clause boundary stops a gap: "add it." and "tests" are two requests.
    assert not any("unit tests" in r for r in classify("Add it. Tests are later.").reasons)
    # "dependency injection" is a refactor, not an injection attack.
    injected = classify("Use dependency injection for the mailer in the signup handler.")
    assert injected.name == "moderate"
    assert not any("security" in reason for reason in injected.reasons)


def test_scale_and_unfamiliar_libraries_named_in_the_prose() -> None:
    servers = classify("Keep the session store in sync across 12 API servers.")
    assert servers.name == "complex"
    assert any("distributed systems (12 api servers)" in r for r in servers.reasons)
    rows = classify("Add an index to speed up lookups on our 500M-row events table.")
    assert rows.name == "complex" and any("large-scale data" in r for r in rows.reasons)
    bytes_in_an_example = classify("Write a function that formats 3.2 GB as a string.")
    assert bytes_in_an_example.name == "simple"
    niche = classify("Use the tskit library to load a tree sequence.")
    assert niche.name == "complex"
    assert any("unfamiliar library (tskit)" in r for r in niche.reasons)
    assert classify("Use the pandas library to load a CSV.").name == "simple"
    config = RouteConfig(familiar_libraries=("tskit",))
    assert classify("Use the tskit library to load a tree sequence.", config).name == "simple"


def test_many_requirements_make_a_request_moderate_unless_it_is_a_simple_task() -> None:
    request = (
        "Build the report page: filters by date, totals per region, a CSV download and paging."
    )
    tier = classify(request)
    assert tier.name == "moderate"
    assert any("requirements in a request that is not a simple task" in r for r in tier.reasons)
    strict = RouteConfig(moderate_requirements=20)
    assert classify(request, strict).name == "simple"
    docs = "Write docstrings for load, save, merge and split, with examples, types and raises."
    assert classify(docs).name == "simple"


def test_configured_keywords_and_thresholds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.tokentrim.route]\n"
        'complex = ["ledger*", "hipaa"]\n'
        'simple = ["changelog entry"]\n'
        "moderate_tokens = 10\n"
        "complex_tokens = 10000\n"
        "[tool.tokentrim.route.tiers]\n"
        'simple = ["cheap", "premium"]\n'
        'complex = "premium"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    config = load_route_config()
    assert config.complex == ("ledger*", "hipaa")
    assert config.tier_models == {"simple": ("cheap", "premium"), "complex": ("premium",)}
    assert classify("Look at the ledgering code", config).name == "complex"
    assert classify("Look at the ledgering code").name == "simple"
    assert classify("Write a changelog entry for 2.0 please, thank you", config).name == "simple"
    assert classify("a" * 60, config).name == "moderate"  # 15 tokens >= moderate_tokens


def test_builtin_keywords_can_be_switched_off() -> None:
    config = RouteConfig(builtin_keywords=False, complex=("kraken",))
    assert classify("Implement JWT authentication", config).name == "simple"
    assert classify("Release the kraken", config).name == "complex"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"colour": 1}, "unknown key"),
        ({"complex": "jwt"}, "list of keywords"),
        ({"moderate_tokens": 10, "complex_tokens": 5}, "must not exceed"),
        ({"moderate_files": 0}, "positive integers"),
        ({"tiers": {"hard": ["x"]}}, "unknown tier"),
        ({"builtin_keywords": "yes"}, "true or false"),
        ({"moderate_requirements": 0}, "positive integer"),
        ({"familiar_libraries": "tskit"}, "list of keywords"),
    ],
)
def test_invalid_configuration_is_one_config_error(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RouteConfig.from_mapping(table)


def test_invalid_pyproject_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.tokentrim.route]\nsimple = 3\n", "utf-8")
    with pytest.raises(ConfigError, match="pyproject.toml"):
        load_route_config(tmp_path)


@given(st.text())
def test_never_raises_and_is_deterministic(text: str) -> None:
    first = classify(text)
    assert first == classify(text)
    assert first.name in TIERS
