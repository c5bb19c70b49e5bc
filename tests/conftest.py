"""Shared test set-up: deterministic Hypothesis by default, long fuzzing behind TOKENTRIM_FUZZ=1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The one Hypothesis set-up: every property test takes its seed, deadline, health checks and
# database from here, and its example count from examples() below.
settings.register_profile(
    "default",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
settings.register_profile(
    "fuzz",
    max_examples=5_000,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
FUZZ = os.environ.get("TOKENTRIM_FUZZ") == "1"
settings.load_profile("fuzz" if FUZZ else "default")


def examples(default: int) -> int:
    """``max_examples`` for a property: ``default`` in the normal run, 30× under TOKENTRIM_FUZZ=1
    (an explicit ``@settings(max_examples=...)`` would otherwise override the fuzz profile)."""
    return default * 30 if FUZZ else default

ROOT = Path(__file__).resolve().parent.parent
DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "real-replies-dev.jsonl"


@pytest.fixture(autouse=True)
def _isolated_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's TOKENTRIM_* variables or a pyproject.toml above the tmp dir."""
    for name in list(os.environ):
        if name.startswith("TOKENTRIM_") and name != "TOKENTRIM_FUZZ":
            monkeypatch.delenv(name)
