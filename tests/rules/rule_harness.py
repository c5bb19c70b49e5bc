"""The one harness for every rule's tests: golden cases, fixed points and differential execution.

``fix(rule_id, code)`` runs one code rule the way the pipeline does (``apply_code_rules`` with only
that rule enabled: fixed point, parse check) but lets exceptions in the rule surface, so a crashing
rule fails its test instead of being skipped with a warning. ``fix_text(rule_id, text)`` does the
same for a text rule (``apply_text_rules``). ``assert_fixes``/``assert_noop`` (and their ``_text``
twins) are the ``*_fixes``/``*_noop`` checks; ``assert_stable`` is the property check of generated
programs (no crash, output parses, a second run changes nothing).

``run_function`` executes a function from source in a fresh namespace and records what a caller can
observe: the return value (a generator is drained), the type of the exception raised, the printed
output, and the arguments afterwards (mutation). Two sources behave the same on an input when the
outcomes are equal. ``assert_module_keeps_behaviour`` is the whole-module version for the rules that
rewrite a module's top level (docstrings, example usage, imports): the module is executed before and
after, and its definitions are called on generated arguments.
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
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tokentrim.rules import (
    _REGISTRY,
    CodeRule,
    TextRule,
    all_rules,
    apply_code_rules,
    apply_text_rules,
)
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


def only(rule_id: str, **overrides: Any) -> Settings:
    """Settings that turn on ``rule_id`` and nothing else (``level`` may be overridden)."""
    others = frozenset(r.id for r in all_rules() if r.id != rule_id)
    options: dict[str, Any] = {"level": "safe", **overrides}
    return Settings(enable=frozenset({rule_id}), disable=others, **options)


def visit(rule_id: str, module: cst.Module, rule_settings: Settings) -> cst.Module:
    """One run of one code rule's transformer over ``module``, exceptions surfacing."""
    return rule_class(rule_id)(rule_settings).apply(module)


def fix(rule_id: str, code: str, **overrides: Any) -> str:
    """``code`` after the one rule, run as the pipeline runs code rules, errors surfacing."""
    rule_settings = only(rule_id, **overrides)
    module = cst.parse_module(code)
    # Run it once by hand first so that an exception in the rule fails the test.
    visit(rule_id, module, rule_settings)
    new, fired, warnings = apply_code_rules(module, rule_settings)
    assert not [w for w in warnings if "internal error" in w or "did not parse" in w], warnings
    # Against libcst's own print of the input: libcst 1.9 does not round-trip every form feed
    # ('x = 1\n\n\x0c' prints as 'x = 1\n\x0c'), which is not the rule's doing.
    assert (fired == [rule_id]) == (new.code != module.code)
    return new.code if fired else code


def assert_rewrite_keeps_behaviour(
    rule_id: str, before: str, fires: bool, inputs: list[Any]
) -> None:
    """The differential check: the rule fires exactly when expected, and the code before and after
    it behaves the same on ``inputs``."""
    after = fix(rule_id, before)
    assert (after != before) == fires
    assert_same_behaviour(before, after, inputs)


def assert_fixes(rule_id: str, before: str, after: str, **overrides: Any) -> None:
    out = fix(rule_id, before, **overrides)
    assert out == after
    ast.parse(out)
    assert fix(rule_id, out, **overrides) == out, "not idempotent"


def assert_noop(rule_id: str, code: str, **overrides: Any) -> None:
    assert fix(rule_id, code, **overrides) == code


def assert_stable(rule_id: str, code: str, **overrides: Any) -> None:
    """A generated program: the rule does not crash, its output parses, a second run is a no-op."""
    out = fix(rule_id, code, **overrides)
    ast.parse(out)
    assert fix(rule_id, out, **overrides) == out, "second run changed the code"


def on_generated_programs(check: Callable[[str], None]) -> None:
    """Run ``check`` on hypothesmith programs that libcst parses (skipped without hypothesmith)."""
    hypothesmith = pytest.importorskip("hypothesmith")

    @settings(
        derandomize=True,
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))
    def run(code: str) -> None:
        try:
            cst.parse_module(code)
        except (cst.ParserSyntaxError, RecursionError):
            return
        check(code)

    run()


def assert_stable_on_generated_programs(rule_id: str, **overrides: Any) -> None:
    """The rule never raises on generated programs, its output parses, a second run is a no-op."""
    on_generated_programs(lambda code: assert_stable(rule_id, textwrap.dedent(code), **overrides))


def fires(rule_id: str, code: str) -> bool:
    return fix(rule_id, code) != code


def fix_text(rule_id: str, text: str, **overrides: Any) -> str:
    """``text`` after the one text rule, run as the pipeline runs text rules."""
    all_rules()
    assert issubclass(_REGISTRY[rule_id], TextRule)
    new, fired = apply_text_rules(text, only(rule_id, **overrides))
    assert fired == ([rule_id] if new != text else [])
    return new


def assert_text_fixes(rule_id: str, before: str, after: str) -> None:
    out = fix_text(rule_id, before)
    assert out == after
    assert fix_text(rule_id, out) == out, "second run changed the text"


def assert_text_noop(rule_id: str, text: str) -> None:
    assert fix_text(rule_id, text) == text


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


def load_module(code: str) -> tuple[dict[str, Any], str]:
    """Execute a program as a module; return its namespace and what it printed."""
    namespace: dict[str, Any] = {"__name__": "sample"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<sample>", "exec"), namespace)
    return namespace, out.getvalue()


def call_outcome(call: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            value = repr(call(*args))
        except Exception as exc:  # noqa: BLE001 - the exception type is the outcome
            value = f"raised {type(exc).__name__}"
    return value, out.getvalue()


def resolve(namespace: dict[str, Any], name: str) -> Callable[..., Any]:
    """A function of the module, or a method of one of its classes."""
    if name in namespace:
        return namespace[name]  # type: ignore[no-any-return]
    owner = next(v for v in namespace.values() if isinstance(v, type) and hasattr(v, name))
    return getattr(owner, name)  # type: ignore[no-any-return]


def assert_module_keeps_behaviour(
    rule_id: str,
    before: str,
    strategies: dict[str, st.SearchStrategy[tuple[Any, ...]]],
    *,
    same_output: bool = True,
    **overrides: Any,
) -> None:
    """The rule fires on the module; executing it prints the same (when ``same_output``: not for a
    rule that drops example prints by design), and every definition named in ``strategies``
    returns, raises and prints the same on generated arguments as before. The definitions are
    compared *after* the original module ran, so a dropped call that changed module state shows."""
    after = fix(rule_id, before, **overrides)
    assert after != before, f"{rule_id} should fire"
    old_ns, old_printed = load_module(before)
    new_ns, new_printed = load_module(after)
    if same_output:
        assert new_printed == old_printed

    calls = st.sampled_from(sorted(strategies)).flatmap(
        lambda fn: st.tuples(st.just(fn), strategies[fn])
    )

    @settings(
        derandomize=True,
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(calls)
    def check(call: tuple[str, tuple[Any, ...]]) -> None:
        fn, args = call
        assert call_outcome(resolve(new_ns, fn), args) == call_outcome(resolve(old_ns, fn), args)

    check()
