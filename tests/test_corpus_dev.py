"""Invariants of trim() on the 247 real replies of the development corpus (skipped when absent).

At ``safe``, ``standard`` and ``aggressive``: no exception, idempotent, every code block tokentrim
changed parses, and at ``safe``/``standard`` the text outside code blocks is byte-identical. The
checks are the ones of ``benchmarks/humaneval_check.py``, which also runs the HumanEval tests
(too slow for the test suite) and the ``prose=drop`` configurations.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "humaneval_check", ROOT / "benchmarks" / "humaneval_check.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = _load_checker()
CORPUS: Path = checker.DEFAULT_CORPUS
pytestmark = pytest.mark.skipif(not CORPUS.is_file(), reason=f"dev corpus absent: {CORPUS}")


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    return checker.load_records(CORPUS)


@pytest.mark.parametrize("config", ["safe", "standard", "aggressive"])
def test_dev_corpus_invariants(records: list[dict[str, object]], config: str) -> None:
    violations = list(checker.check_invariants(records, {config: checker.CONFIGS[config]}))
    assert violations == []


def test_program_extraction_follows_the_harness() -> None:
    problem = {"prompt": 'def add(a, b):\n    """Add."""\n', "entry_point": "add"}
    body_only = "Here:\n\n```python\n    return a + b\n```\n"
    assert checker.program_for(body_only, problem) == problem["prompt"] + "    return a + b\n"
    full = "```\nimport os\n```\n\n```py\ndef add(a, b):\n    return a + b\n```"
    assert checker.program_for(full, problem).endswith("\n\ndef add(a, b):\n    return a + b\n")
    assert checker.extract_code("def add(a, b): return a + b") == "def add(a, b): return a + b"


def test_dev_corpus_is_not_copied_into_the_repository() -> None:
    first = json.loads(CORPUS.read_text(encoding="utf-8").splitlines()[0])["response"][:200]
    for path in ROOT.rglob("*"):
        if path.is_file() and ".git" not in path.parts and path.suffix in {".md", ".py", ".jsonl"}:
            assert first not in path.read_text(encoding="utf-8", errors="ignore"), path
