"""Shared checks for the standard rule tests: golden cases and differential execution.

``fix(rule_id, code)`` runs one rule the way the pipeline does (``apply_code_rules`` with only that
rule enabled: fixed point, parse check) but lets exceptions in the rule surface, so a crashing rule
fails its test instead of being skipped with a warning.

``run_function`` executes a function from source in a fresh namespace and records what a caller can
observe: the return value (a generator is drained), the type of the exception raised, the printed
output, and the arguments afterwards (mutation). Two sources behave the same on an input when the
outcomes are equal.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import inspect
import io
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import libcst as cst
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tokentrim.rules import _REGISTRY, CodeRule, all_rules, apply_code_rules
from tokentrim.settings import Settings

FUZZ = os.environ.get("TOKENTRIM_FUZZ") == "1"
# Differential tests: a fixed, derandomized run by default; a long random one with TOKENTRIM_FUZZ=1.
DIFFERENTIAL = settings(
    max_examples=1500 if FUZZ else 60,
    derandomize=not FUZZ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FILENAME = "<rule-under-test>"


def rule_class(rule_id: str) -> type[CodeRule]:
    all_rules()
    rule = _REGISTRY[rule_id]
    assert issubclass(rule, CodeRule)
    return rule


def fix(rule_id: str, code: str, **overrides: Any) -> str:
    """``code`` after the one rule, run as the pipeline runs code rules, errors surfacing."""
    rule = rule_class(rule_id)
    others = frozenset(r.id for r in all_rules() if r.id != rule_id)
    rule_settings = Settings(level="safe", enable=frozenset({rule_id}), disable=others, **overrides)
    module = cst.parse_module(code)
    # Run it once by hand first so that an exception in the rule fails the test.
    transformer = rule(rule_settings)
    module.visit(transformer)
    new, fired, warnings = apply_code_rules(module, rule_settings)
    assert not [w for w in warnings if "internal error" in w or "did not parse" in w], warnings
    assert (fired == [rule_id]) == (new.code != code)
    return new.code


def assert_rewrite_keeps_behaviour(
    rule_id: str, before: str, fires: bool, inputs: list[Any]
) -> None:
    """The differential check: the rule fires exactly when expected, and the code before and after
    it behaves the same on ``inputs``."""
    after = fix(rule_id, before)
    assert (after != before) == fires
    assert_same_behaviour(before, after, inputs)


def assert_fixes(rule_id: str, before: str, after: str) -> None:
    out = fix(rule_id, before)
    assert out == after
    ast.parse(out)
    assert fix(rule_id, out) == out, "not idempotent"


def assert_noop(rule_id: str, code: str) -> None:
    assert fix(rule_id, code) == code


def fires(rule_id: str, code: str) -> bool:
    return fix(rule_id, code) != code


@dataclasses.dataclass(frozen=True)
class Outcome:
    value: str
    error: str
    stdout: str
    arguments: str


class _Hung(BaseException):
    """A test program ran for too long: a bug in the test's templates, never a result."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop a runaway test program; re-arms any timer already running (pytest-timeout's)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise _Hung

    previous = signal.signal(signal.SIGALRM, alarm)
    start = time.monotonic()
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    if old_delay and old_delay < seconds:
        signal.setitimer(signal.ITIMER_REAL, old_delay)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:
            remaining = max(old_delay - (time.monotonic() - start), 0.001)
            signal.setitimer(signal.ITIMER_REAL, remaining, old_interval)


def run_function(source: str, args: tuple[Any, ...], name: str = "f") -> Outcome:
    """Run ``name(*args)`` from ``source`` in a fresh namespace and record what it did."""
    namespace: dict[str, Any] = {"__name__": "rule_under_test"}
    args = copy.deepcopy(args)
    buffer = io.StringIO()
    value = error = ""
    with contextlib.redirect_stdout(buffer), _time_limit(2.0):
        try:
            exec(compile(source, FILENAME, "exec"), namespace)
            result = namespace[name](*args)
            if inspect.isgenerator(result):
                result = list(result)
            value = _show(result)
        except _Hung:
            raise AssertionError(f"test program did not finish:\n{source}") from None
        except RecursionError:
            error = "RecursionError"
        except Exception as exc:
            error = type(exc).__name__
    return Outcome(value, error, buffer.getvalue(), _show(args))


def _show(value: Any) -> str:
    try:
        return f"{type(value).__name__}:{value!r}"
    except Exception as exc:  # a repr that raises is still an observation
        return f"repr raised {type(exc).__name__}"


def assert_same_behaviour(before: str, after: str, inputs: list[tuple[Any, ...]]) -> None:
    for args in inputs:
        expected = run_function(before, args)
        actual = run_function(after, args)
        assert actual == expected, f"args={args!r}\n--- before\n{before}\n--- after\n{after}"


# Argument values: None, bools, ints, floats (nan, inf, -0.0), short strings, lists and dicts.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet="ab{}'\"0 ", max_size=3),
)
keys = st.one_of(st.integers(-2, 2), st.text(alphabet="ab", max_size=2), st.none(), st.booleans())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=6,
)
arguments = st.lists(st.tuples(values, values, values), min_size=4, max_size=8)

# Sub-expressions over the parameters x, y, z for templates to fill in.
EXPRESSIONS = [
    "x",
    "y",
    "x + y",
    "x * 2",
    "x[0]",
    "len(x)",
    "str(x)",
    "[x, y]",
    "{x: y}",
    "(x, y)",
    "x or z",
    "x and y",
    "x if y else z",
    "print(x) or y",
    "None",
    "-1",
    "'s'",
]
CONDITIONS = [
    "x",
    "not x",
    "x == y",
    "x != 0",
    "x < y",
    "x < y < z",
    "x in y",
    "x not in y",
    "x is None",
    "x is not y",
    "isinstance(x, int)",
    "isinstance(x, str) and y",
    "x and y",
    "x or y",
    "not x or y in z",
    "len(x) > 1",
    "y.get(x)",
    "bool(x)",
    "(w := x)",
    "print(x) or y",
    "x % 2 == 0",
]


def fill(template: str, data: st.DataObject, **pools: list[str]) -> str:
    """``template`` with each ``{name}`` replaced by a draw from ``pools[name]``."""
    return template.format(
        **{key: data.draw(st.sampled_from(pool), label=key) for key, pool in pools.items()}
    )
