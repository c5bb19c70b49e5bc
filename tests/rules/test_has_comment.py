"""has_comment walks dataclass fields with its own stack: the same answer as a libcst visitor."""

from __future__ import annotations

import textwrap

import libcst as cst
from sample_programs import PROGRAMS

from tokentrim.rules._cst import has_comment


class _Visitor(cst.CSTVisitor):
    """The reference: libcst's own walk, as has_comment was written before."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        if isinstance(node, cst.Comment):
            self.found = True
        return True


def _reference(node: cst.CSTNode) -> bool:
    visitor = _Visitor()
    node.visit(visitor)
    return visitor.found


def test_has_comment_agrees_with_a_libcst_visitor_on_every_node() -> None:
    sources = [
        *(textwrap.dedent(code) for _, code, _ in PROGRAMS),
        "x = [1,  # one\n     2]\n",
        "def f(a,  # first\n      b):\n    # body\n    return a  # done\n",
        "if x:\n    pass\n# trailing\n",
        "y = (  # open\n    1\n)\n",
        "z = f'{a!r}'  # fmt\n",
        "class C:\n    x = 1\n\n    # between\n    y = 2\n",
    ]
    checked = with_comments = 0
    for source in sources:
        module = cst.parse_module(source)
        walk = _Visitor()
        module.visit(walk)
        for node in walk.nodes:
            expected = _reference(node)
            assert has_comment(node) == expected, (source, type(node).__name__)
            checked += 1
            with_comments += expected
    assert checked > 1_000 and with_comments > 20
    assert not has_comment(None) and has_comment(None, cst.parse_module("# c\n"))


def test_has_comment_on_a_tree_deeper_than_the_recursion_limit() -> None:
    deep: cst.BaseExpression = cst.Name("x")
    for _ in range(3_000):
        deep = cst.UnaryOperation(operator=cst.Minus(), expression=deep)
    assert not has_comment(deep)
