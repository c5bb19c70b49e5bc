"""The rules' pre-screen (rules._screen) is conservative: a block it rejects is one the rule leaves.

For every code rule: when ``rule.triggered(code_features(tree, code), settings)`` is false, running
the rule alone over the block changes nothing. Checked on programs put together from the shapes the
rules rewrite (and the near misses around them), on hypothesmith programs, on every Python block of
corpora/ and of the dev replies (when present), and on the rules' own examples. And the pipeline
gives the same output with the screen as with every rule walking every block.
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from rule_harness import on_generated_programs

from tokentrim.fences import find_code_blocks
from tokentrim.rules import CodeRule, all_rules
from tokentrim.rules._screen import code_features
from tokentrim.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "corpus" / "real-replies-dev.jsonl"
CODE_RULES = [rule for rule in all_rules() if issubclass(rule, CodeRule)]
CONFIGS = [
    Settings(level="aggressive"),
    Settings(level="aggressive", docstrings="strip"),
    Settings(level="aggressive", comments="keep"),
]

# Pieces of statements: the shapes the rules rewrite, and the near misses the screen must tell
# apart from them (parentheses that matter, f-strings with fields, bindings that block a rule...).
# fmt: off
SIMPLE = [
    "x = (a)", "x = (a + b) * c", "y = (a, b)", "f((a, b))", "f((a))", "z = ((a))",
    "return (x)", "return(x)", "if (a) == b: pass", "t = (a) if (b) else (c)", "w = (yield)",
    "v = (lambda: 1)", "u = f'{(a)}'", "u = f'{a!r}'", "u = f'{len(a)}'", "u = f'plain'",
    "u = f'{{x}}'", "u = f'{(a + b) * 2:>10}'", "s = ('a' 'b')", "print((a) .b)", "q = (1).real",
    "x = x + 1", "x = x + y", "x = (x) + 1", "x = 0", "x = []", "n = len(a)", "x += 1", "x -= y",
    "for x in range(3): pass", "for x in items: pass", "x, y = y, x", "x = y = 0",
    "import os", "import os.path", "from typing import List", "from m import a as b",
    "import x as x", "print(os.sep)", "a = list()", "b = dict([])", "c = sorted(list(a))",
    "d = range(0, n)", "e = k.keys()", "pass", "global x", "del x", "x: int = 1",
]
COMPOUND = [
    "if c:\n    return a\nelse:\n    return b",
    "if c:\n    return True\nelse:\n    return False",
    "if c:\n    return a\nreturn b",
    "if c:\n    return True\nreturn False",
    "if c:\n    return\nreturn b",
    "if c:\n    x = a\nelse:\n    x = b",
    "if c:\n    x = True\nelse:\n    x = False",
    "if c:\n    x.y = 1\nelse:\n    x.y = 2",
    "if c:\n    x = 1\nelse:\n    z = 2",
    "if c:\n    raise E\nelse:\n    x = 1",
    "if c:\n    x = 1\nelif d:\n    return 2",
    "if c:\n    if d:\n        x = 1",
    "result = f(a)\nreturn result",
    "result = f(a)\nreturn other",
    "while c:\n    pass\n    x = 1",
    "try:\n    x = 1\nexcept E as e:\n    pass",
    "if c: return a\nelse: return b",
    "if c:\n    pass\nelse:\n    pass",
    "with f() as x:\n    x = x + 1",
    "return None",
]
TOP = [
    '"""Module docstring.\n\nMore text here."""',
    '"""One line."""',
    "import os",
    "import sys",
    "from typing import Any",
    'if __name__ == "__main__":\n    main()',
    'if __name__ == "__main__":\n    print(main())',
    'if __name__ == "__main__": main()',
    'if __name__ == "__main__":\n    sys.exit(main())',
    "print(main())",
    "total = 0",
    "total = total + 1",
    "result = main()",
    "x = [1]",
    "x.append(2)",
]
DOCSTRINGS = [
    "", '    """Summary."""\n', '    """Summary.\n\n    Args:\n        a: thing.\n    """\n',
    "    'Short one.'\n", '    """First. Second."""\n', '    b"bytes doc"\n',
    '    """Lines\n    and more."""\n',
]
# fmt: on


@st.composite
def programs(draw: st.DrawFn) -> str:
    """A module: some top-level statements, functions whose bodies mix the pieces, more top."""
    parts = draw(st.lists(st.sampled_from(TOP), max_size=3))
    for index in range(draw(st.integers(1, 3))):
        doc = draw(st.sampled_from(DOCSTRINGS))
        lines = draw(st.lists(st.sampled_from(SIMPLE + COMPOUND), min_size=1, max_size=5))
        body = "".join(textwrap.indent(line, "    ") + "\n" for line in lines)
        parts.append(f"def f{index}(a, b, c, d, items, k, n):\n{doc}{body}")
    parts += draw(st.lists(st.sampled_from(TOP + SIMPLE[:20]), max_size=3))
    return "\n".join(part.rstrip("\n") + "\n" for part in parts)


def _valid(code: str) -> ast.Module | None:
    try:
        tree = ast.parse(code)
        cst.parse_module(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError, cst.ParserSyntaxError):
        return None
    return tree


def assert_screen_conservative(code: str) -> None:
    """No rule the screen rejects for ``code`` changes it, under any configuration."""
    tree = _valid(code)
    if tree is None:
        return
    features = code_features(tree, code)
    coarse = code_features(tree)  # without the code: the token-level shapes count as present
    assert features <= coarse
    module = cst.parse_module(code)
    for rule_settings in CONFIGS:
        for rule in CODE_RULES:
            if rule.triggered(features, rule_settings):
                continue
            transformer = rule(rule_settings)
            try:
                new = transformer.apply(module)
            except RecursionError:
                continue  # too deep for libcst: the pipeline skips the rule there too
            # module.code, not code: libcst 1.9 does not print every form feed back as it was
            assert new.code == module.code and not transformer.fired, (rule.id, code)


@settings(max_examples=examples(150))
@given(programs())
def test_screen_rejects_only_blocks_the_rules_leave(code: str) -> None:
    assert_screen_conservative(code)


def test_screen_on_generated_programs() -> None:
    on_generated_programs(lambda code: assert_screen_conservative(textwrap.dedent(code)))


def _blocks() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "corpora").glob("*.md"))]
    if DEV.is_file():
        with DEV.open(encoding="utf-8") as lines:
            texts += [json.loads(line)["response"] for line in lines if line.strip()]
    return [block.code for text in texts for block in find_code_blocks(text)]


def test_screen_on_real_blocks_and_rule_examples() -> None:
    codes = _blocks() + [rule.before for rule in CODE_RULES] + [rule.after for rule in CODE_RULES]
    checked = 0
    for code in codes:
        if _valid(code) is not None:
            assert_screen_conservative(code)
            checked += 1
    assert checked > 40


def test_screen_does_fire_on_the_shapes() -> None:
    """The screen is not vacuous: each rule's own example passes it."""
    for rule in CODE_RULES:
        tree = ast.parse(rule.before)
        rule_settings = Settings(level="aggressive")
        assert rule.triggered(code_features(tree, rule.before), rule_settings), rule.id


def _without_screen(patch: pytest.MonkeyPatch) -> None:
    """Every rule counts as triggered whenever its coarse ``requires`` hold (the old gating)."""
    for rule in CODE_RULES:
        patch.setattr(
            rule, "triggered", classmethod(lambda cls, features, s: cls.requires <= features)
        )


def _same_outcomes(codes: list[str], level: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tokentrim.languages.python import clean_python

    rule_settings = Settings(level=level)
    screened = [clean_python(code, rule_settings) for code in codes]
    with monkeypatch.context() as patch:
        _without_screen(patch)
        full = [clean_python(code, rule_settings) for code in codes]
    for code, a, b in zip(codes, screened, full, strict=True):
        assert (a.code, a.status, a.reason, a.rules) == (b.code, b.status, b.reason, b.rules), code


@pytest.mark.parametrize("level", ["standard", "aggressive"])
def test_pipeline_output_is_the_same_without_the_screen(
    level: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """clean_python on real blocks: with the screen, and with every rule walking every block its
    coarse features admit, the same outcome."""
    _same_outcomes([c for c in _blocks()[:150] if _valid(c) is not None], level, monkeypatch)


@settings(max_examples=examples(40))
@given(st.lists(programs(), min_size=1, max_size=3))
def test_pipeline_output_is_the_same_without_the_screen_on_generated_programs(
    codes: list[str],
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same_outcomes(codes, "aggressive", monkeypatch)


def _demo_cases() -> list[str]:
    from test_demo_code import DEMO_FIXES, DEMO_NOOP

    cases = [p.values[0] for p in DEMO_FIXES] + [getattr(p, "values", (p,))[0] for p in DEMO_NOOP]
    return [textwrap.dedent(code).lstrip("\n") for code in cases]


def test_screen_on_demo_code_cases() -> None:
    """demo-code's trigger mirrors its example test: conservative on the rule's own cases, and it
    fires on every block the rule changes."""
    from tokentrim.rules.demo_code import DemoCode

    for code in _demo_cases():
        assert_screen_conservative(code)
        changed = DemoCode(Settings(level="aggressive")).apply(cst.parse_module(code))
        if changed.code != code:
            assert "demo-shape" in code_features(ast.parse(code), code), code


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            "def f(n):\n    return n\n\n\nn = int(input())\nprint(f(n))\n", id="input-feeds-it"
        ),
        pytest.param(
            "def main():\n    pass\n\n\nif __name__ == '__main__':\n    main()\n", id="entry"
        ),
        pytest.param("def f():\n    pass\n\n\nimport os\n", id="import-after"),
        pytest.param("def f():\n    pass\n\n\nrequests.get(f())\n", id="unknown-call"),
    ],
)
def test_demo_shape_is_absent_where_demo_code_has_nothing_to_judge(code: str) -> None:
    assert "demo-shape" not in code_features(ast.parse(code), code)
    assert_screen_conservative(code)


def test_shapes_left_out_are_ones_no_enabled_rule_reads() -> None:
    """With the enabled rules' shapes (rules.shapes_for), the screen triggers the same rules."""
    from tokentrim.rules import enabled_rules, shapes_for

    codes = _blocks() + [rule.before for rule in CODE_RULES] + [rule.after for rule in CODE_RULES]
    checked = 0
    for rule_settings in [Settings(level="standard"), *CONFIGS]:
        rules = tuple(r for r in enabled_rules(rule_settings) if issubclass(r, CodeRule))
        shapes = shapes_for(rules)
        for code in codes[::3]:
            tree = _valid(code)
            if tree is None:
                continue
            full, spared = code_features(tree, code), code_features(tree, code, shapes)
            assert spared <= full
            for rule in rules:
                assert rule.triggered(spared, rule_settings) == rule.triggered(full, rule_settings)
                assert rule.requires <= spared or not rule.requires <= full
            checked += 1
    assert checked > 40


def _screen_shapes() -> list[frozenset[str]]:
    """The shapes each configuration's rules read (rules.shapes_for)."""
    from tokentrim.rules import enabled_rules, shapes_for

    configs = [Settings(level="standard"), *CONFIGS]
    return [
        shapes_for(tuple(r for r in enabled_rules(c) if issubclass(r, CodeRule))) for c in configs
    ]


def assert_reformatted_features_exact(code: str) -> None:
    """For black's result of ``code``: the shapes taken over from ``code`` plus the text's own,
    looked for afresh, are what screening the result from scratch gives."""
    import black

    from tokentrim import pyast
    from tokentrim.rules._screen import reformatted_features

    tree = _valid(code)
    if tree is None:
        return
    try:
        formatted = black.format_str(code, mode=black.Mode())
        after = ast.parse(formatted)
    except Exception:  # noqa: BLE001 - black rejects some code the parser takes
        return
    if not pyast.same_for_black(after, tree):
        return  # the net would refuse it: the pipeline never asks
    for wanted in [*_screen_shapes(), None]:
        like = code_features(tree, code, wanted)
        assert reformatted_features(like, after, formatted, wanted) == code_features(
            after, formatted, wanted
        ), (code, formatted)


def test_reformatted_features_on_real_blocks_and_rule_examples() -> None:
    """The second pass's screen (rules.screen with ``like``) on what black makes of real code."""
    codes = _blocks() + [rule.before for rule in CODE_RULES]
    # Unformatted on purpose: parentheses, quotes, semicolons, tuples black rewrites.
    codes += [textwrap.dedent(f"def g(a, b):\n    {line}\n") for line in SIMPLE]
    codes += ["x = ( a )\nif (x): y = (1,2); z = f'{(x)}'\n", "del (a, b)\nglobal c\n"]
    for code in codes:
        assert_reformatted_features_exact(code)


@settings(max_examples=examples(60))
@given(programs())
def test_reformatted_features_on_generated_programs(code: str) -> None:
    assert_reformatted_features_exact(code)


def test_paren_cut_verdicts_are_shared_within_a_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """removable_paren parses a cut once per trim() call: the second pass finds the verdicts of
    the groups the formatter left as they were, and they are the verdicts a fresh look gives."""
    from tokentrim.caching import one_call
    from tokentrim.rules import _screen_tokens

    code = "x = (a + b) * c\ny = f((a, b))\n"
    tree = ast.parse(code)
    fresh = _screen_tokens.removable_paren(code, tree)
    parsed: list[str] = []
    same_without = _screen_tokens._same_without

    def counting(cut: str, reference: ast.Module) -> bool:
        parsed.append(cut)
        return same_without(cut, reference)

    monkeypatch.setattr(_screen_tokens, "_same_without", counting)
    with one_call():
        assert _screen_tokens.removable_paren(code, tree) is fresh is False
        first = len(parsed)
        assert first == 2
        assert _screen_tokens.removable_paren(code, ast.parse(code)) is False
        assert len(parsed) == first
        moved = "\n" + code  # the same groups on other lines: the same verdicts
        assert _screen_tokens.removable_paren(moved, ast.parse(moved)) is False
        assert len(parsed) == first
    with one_call():
        _screen_tokens.removable_paren(code, tree)
        assert len(parsed) == 2 * first  # a new call looks afresh


@pytest.mark.parametrize("level", ["standard", "aggressive"])
def test_pipeline_output_is_the_same_with_a_fresh_second_screen(
    level: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """clean_python on real blocks: the second pass screening the formatter's output afresh gives
    the outcomes that taking the first pass's AST shapes over gives."""
    from tokentrim.languages.python import clean_python
    from tokentrim.rules import _screen

    codes = [c for c in _blocks()[:200] if _valid(c) is not None]
    rule_settings = Settings(level=level)
    taken_over = [clean_python(code, rule_settings) for code in codes]
    calls: list[str] = []

    def fresh(like: frozenset[str], tree: ast.Module, code: str, wanted: object) -> frozenset[str]:
        calls.append(code)
        return _screen.code_features(tree, code, wanted)  # type: ignore[arg-type]

    monkeypatch.setattr(_screen, "reformatted_features", fresh)
    monkeypatch.setattr("tokentrim.rules.reformatted_features", fresh)
    from tokentrim.caching import one_call

    with one_call():  # no result cached from the first run: both passes run again
        from tokentrim.languages.python import formatting

        formatting.clear_caches()
        again = [clean_python(code, rule_settings) for code in codes]
    assert calls  # the second pass did ask
    for code, a, b in zip(codes, taken_over, again, strict=True):
        assert (a.code, a.status, a.reason, a.rules) == (b.code, b.status, b.reason, b.rules), code


@pytest.mark.parametrize(
    ("code", "shape", "present"),
    [
        ("if a:\n    if b:\n        x()\n", "nested-if-bare", True),
        ("if a:\n    if b:\n        x()\n    else:\n        y()\n", "nested-if-bare", False),
        ("if a:\n    if b:\n        x()\nelse:\n    y()\n", "nested-if-bare", False),
        ("if a:\n    if b:\n        x()\n    elif c:\n        y()\n", "nested-if-bare", False),
        ("def f():\n    x()\n    return\n", "trailing-return", True),
        ("def f():\n    x()\n    return None\n", "trailing-return", True),
        ("async def f():\n    x()\n    return None\n", "trailing-return", True),
        ("def f():\n    return\n", "trailing-return", False),
        ("def f():\n    if a:\n        return 1\n    return None\n", "trailing-return", False),
        ("def f():\n    if a:\n        return 1\n    return\n", "trailing-return", True),
        (
            "def f():\n    def g():\n        return 1\n    g()\n    return None\n",
            "trailing-return",
            True,
        ),
        ("def f():\n    if a:\n        return\n    x()\n", "trailing-return", False),
    ],
)
def test_precise_triggers_of_collapse_nested_if_and_trailing_return(
    code: str, shape: str, present: bool
) -> None:
    assert (shape in code_features(ast.parse(code), code)) is present
    assert_screen_conservative(code)
