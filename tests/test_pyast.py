"""pyast.same: the safety nets' AST equality is exactly ``ast.dump(a) == ast.dump(b)``."""

from __future__ import annotations

import ast
import copy
import itertools
from pathlib import Path

import hypothesmith
import pytest
from conftest import examples
from hypothesis import given, settings

from tokentrim import pyast

SOURCES = sorted((Path(__file__).resolve().parent.parent / "src" / "tokentrim").rglob("*.py"))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("x = 1\n", "x = (1)\n", id="parens-same"),
        pytest.param("x = 1\n", "x = 1.0\n", id="int-float"),
        pytest.param("x = 0.0\n", "x = -0.0\n", id="signed-zero"),
        pytest.param("x = 1\n", "x = True\n", id="int-bool"),
        pytest.param("x = 'ab'\n", "x = 'a' 'b'\n", id="concatenated"),
        pytest.param("x = u'a'\n", "x = 'a'\n", id="string-kind"),
        pytest.param("return\n", "return None\n", id="none-field"),
        pytest.param("def f(x): pass\n", "def f(x: int): pass\n", id="annotation"),
        pytest.param("x[1:2]\n", "x[1:]\n", id="slice"),
        pytest.param("{**a, 1: 2}\n", "{**a, 1: 3}\n", id="none-in-list"),
        pytest.param("f(a)\n", "f(*a)\n", id="starred"),
        pytest.param("a.b\n", "a.c\n", id="attribute"),
        pytest.param("x = 1  # c\ny = 2\n", "x = 1\n\ny = 2\n", id="positions-only"),
        pytest.param("1e999\n", "2e999\n", id="infinity"),
    ],
)
def test_same_is_ast_dump_equality(a: str, b: str) -> None:
    tree_a, tree_b = ast.parse(a), ast.parse(b)
    assert pyast.same(tree_a, tree_b) == (ast.dump(tree_a) == ast.dump(tree_b))
    assert pyast.same(tree_b, tree_a) == (ast.dump(tree_a) == ast.dump(tree_b))


def test_same_on_hand_built_trees_with_fields_left_out() -> None:
    # ast.dump leaves out a None whose class default is None, and a field that is not set.
    for a, b in [
        (ast.Return(), ast.Return(value=None)),
        (ast.Name(id="x"), ast.Name(id="x", ctx=ast.Load())),
        (ast.Constant(value=1), ast.Constant(value=1, kind=None)),
    ]:
        assert pyast.same(a, b) == (ast.dump(a) == ast.dump(b))


def test_same_on_the_project_sources_and_their_subtrees() -> None:
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES[:40]]
    for tree in trees:
        assert pyast.same(tree, ast.parse(ast.unparse(tree)))
    nodes = [node for tree in trees[:8] for node in ast.walk(tree)][::7]
    for a, b in itertools.islice(itertools.product(nodes, nodes[::13]), 20_000):
        assert pyast.same(a, b) == (ast.dump(a) == ast.dump(b))


def test_same_on_a_tree_deeper_than_the_recursion_limit() -> None:
    def deep(name: str) -> ast.expr:
        node: ast.expr = ast.Name(id=name, ctx=ast.Load())
        for _ in range(5_000):
            node = ast.UnaryOp(op=ast.USub(), operand=node)
        return node

    assert pyast.same(deep("x"), deep("x"))
    assert not pyast.same(deep("x"), deep("y"))


@settings(max_examples=examples(100))
@given(hypothesmith.from_grammar(), hypothesmith.from_grammar())
def test_same_agrees_with_ast_dump_on_generated_programs(a: str, b: str) -> None:
    try:
        tree_a, tree_b = ast.parse(a), ast.parse(b)
        dumps = ast.dump(tree_a), ast.dump(tree_b)
    except Exception:  # noqa: BLE001 - hypothesmith can produce code the parser rejects
        return
    assert pyast.same(tree_a, tree_b) == (dumps[0] == dumps[1])
    assert pyast.same(tree_a, ast.parse(a))


def _black_lines(tree: ast.AST) -> str:
    from black.parsing import stringify_ast

    # stringify_ast drops a string's u prefix in the tree it reads: give it a copy.
    return "\n".join(stringify_ast(copy.deepcopy(tree)))


def _black_same(a: str, b: str) -> tuple[bool, bool]:
    """(same_for_black, stringify_ast equality) of two sources' trees."""
    tree_a, tree_b = ast.parse(a), ast.parse(b)
    return pyast.same_for_black(tree_a, tree_b), _black_lines(tree_a) == _black_lines(tree_b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param('"""Doc.\n    more\n"""\n', '"""Doc.\nmore"""\n', id="docstring-whitespace"),
        pytest.param('x = """a\n  b"""\n', 'x = """a\nb"""\n', id="string-not-a-statement"),
        pytest.param("del a, b\n", "del (a, b)\n", id="del-tuple"),
        pytest.param("del a, (b, c)\n", "del a, b, c\n", id="del-nested-tuple"),
        pytest.param("del [a, b]\n", "del a, b\n", id="del-list"),
        pytest.param("x = u'a'\n", "x = 'a'\n", id="u-prefix"),
        pytest.param("x = 1\n", "x = 1.0\n", id="int-float"),
        pytest.param("x = 0.0\n", "x = -0.0\n", id="signed-zero"),
        pytest.param("x = 1\n", "x = True\n", id="int-bool"),
        pytest.param("return\n", "return None\n", id="none-field"),
        pytest.param("f(a)\n", "f(*a)\n", id="starred"),
        pytest.param("'a'\n", "b'a'\n", id="str-bytes"),
        pytest.param("'  a  '\n", "'a'\n", id="statement-string-stripped"),
    ],
)
def test_same_for_black_is_stringify_ast_equality(a: str, b: str) -> None:
    ours, black_says = _black_same(a, b)
    assert ours == black_says
    assert _black_same(b, a) == (ours, black_says)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("global a, b\n", "global c\n", id="global"),
        pytest.param("def f():\n    nonlocal a\n", "def f():\n    nonlocal b\n", id="nonlocal"),
        pytest.param(
            "match x:\n    case C(a=1):\n        pass\n",
            "match x:\n    case C(b=1):\n        pass\n",
            id="class-pattern-keywords",
        ),
    ],
)
def test_same_for_black_compares_the_names_black_skips(a: str, b: str) -> None:
    """black skips a list's items that are not nodes; the net counts them: no formatter changes a
    name (and the rules' pre-screen reads global names, see rules._screen.reformatted_features)."""
    assert _black_same(a, b) == (False, True)
    assert _black_same(a, a) == (True, True)


def test_same_for_black_changes_neither_tree() -> None:
    tree = ast.parse("x = u'a'\n")
    assert pyast.same_for_black(tree, ast.parse("x = 'a'\n"))
    assert tree.body[0].value.kind == "u"  # type: ignore[attr-defined]


def test_same_for_black_on_the_project_sources_and_their_subtrees() -> None:
    import black

    for path in SOURCES[:25]:
        source = path.read_text(encoding="utf-8")
        formatted = black.format_str(source, mode=black.Mode(line_length=60))
        assert pyast.same_for_black(ast.parse(source), ast.parse(formatted))
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES[:6]]
    nodes = [node for tree in trees for node in ast.walk(tree)][::11]
    for a, b in itertools.islice(itertools.product(nodes, nodes[::17]), 5_000):
        assert pyast.same_for_black(a, b) == (_black_lines(a) == _black_lines(b))


@settings(max_examples=examples(100))
@given(hypothesmith.from_grammar(), hypothesmith.from_grammar())
def test_same_for_black_agrees_with_stringify_ast_on_generated_programs(a: str, b: str) -> None:
    try:
        ast.parse(a), ast.parse(b)
    except Exception:  # noqa: BLE001 - hypothesmith can produce code the parser rejects
        return
    import black

    ours, black_says = _black_same(a, b)
    assert ours == black_says
    try:
        formatted = black.format_str(a, mode=black.Mode())
        ast.parse(formatted)
    except Exception:  # noqa: BLE001 - black rejects some of what hypothesmith writes
        return
    assert _black_same(a, formatted)[0] == _black_same(a, formatted)[1]
