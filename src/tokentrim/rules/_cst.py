"""libcst helpers shared by the code rules: reading statement shapes and building nodes.

Pure functions of nodes (no module-wide facts, except :func:`as_bool`, which asks
:mod:`tokentrim.rules._facts` whether ``bool`` is still the builtin).
"""

from __future__ import annotations

import ast
import dataclasses

import libcst as cst

from tokentrim import pyast
from tokentrim.rules._facts import ModuleFacts, builtin_is_free, is_provably_bool

__all__ = [
    "LOOSE_FOR_NOT",
    "LOOSE_FOR_TERNARY",
    "as_bool",
    "as_statements",
    "bool_literal",
    "conditional",
    "contains",
    "count_names",
    "ends_with_jump",
    "fits_line",
    "has_comment",
    "if_else",
    "is_string_statement",
    "line",
    "only_small_statement",
    "parenthesize",
    "same_target",
    "simple_if",
    "single_small_statement",
    "wrap_if",
]


def has_comment(*nodes: cst.CSTNode | None) -> bool:
    """Some ``Comment`` under one of ``nodes``.

    A walk over the nodes' dataclass fields with its own stack, not a libcst visitor: the same
    nodes (a visitor reaches children through the same fields) at a fraction of the cost, and it
    stops at the first comment.
    """
    pending: list[object] = [node for node in nodes if node is not None]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Comment):
            return True
        kind = type(node)
        fields = _NODE_FIELDS.get(kind)
        if fields is None:
            fields = _NODE_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))  # type: ignore[arg-type]
        for name in fields:
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                pending.append(value)
            elif isinstance(value, tuple | list):
                pending.extend(v for v in value if isinstance(v, cst.CSTNode))
    return False


_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def count_names(node: cst.CSTNode, name: str) -> int:
    """How many ``Name`` nodes spell ``name`` under ``node`` (attributes and keywords included)."""
    counter = _NameCounter(name)
    node.visit(counter)
    return counter.count


class _NameCounter(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.count = 0

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.count += 1


def parenthesize(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def wrap_if(node: cst.BaseExpression, *kinds: type[cst.BaseExpression]) -> cst.BaseExpression:
    """Parenthesize ``node`` if it is one of ``kinds`` and has no parentheses of its own."""
    if not node.lpar and isinstance(node, kinds):
        return parenthesize(node)
    return node


# Expressions that bind looser than `not`/`and` and so need parentheses as their operand.
LOOSE_FOR_NOT = (cst.BooleanOperation, cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Yield)
# ... and as an operand of a conditional expression, or as a `return`/assignment value.
LOOSE_FOR_TERNARY = (cst.IfExp, cst.Lambda, cst.NamedExpr, cst.Yield, cst.Tuple)


def only_small_statement(suite: cst.BaseSuite) -> cst.BaseSmallStatement | None:
    """The one small statement of a suite (``if c: x`` or an indented block of one line)."""
    if isinstance(suite, cst.SimpleStatementSuite):
        return suite.body[0] if len(suite.body) == 1 else None
    if isinstance(suite, cst.IndentedBlock) and len(suite.body) == 1:
        return single_small_statement(suite.body[0])
    return None


def single_small_statement(stmt: cst.BaseStatement) -> cst.BaseSmallStatement | None:
    """The small statement of a line that holds exactly one (``x = 1``, not ``x = 1; y = 2``)."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return stmt.body[0]
    return None


def as_statements(suite: cst.BaseSuite) -> list[cst.BaseStatement]:
    """The statements of a suite as full lines (``else: return x`` becomes one line)."""
    if isinstance(suite, cst.IndentedBlock):
        return list(suite.body)
    assert isinstance(suite, cst.SimpleStatementSuite)
    body = [small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for small in suite.body]
    return [cst.SimpleStatementLine(body=body)]


def ends_with_jump(suite: cst.BaseSuite) -> bool:
    """The suite always leaves through ``return``/``raise``/``continue``/``break`` at its end."""
    if isinstance(suite, cst.SimpleStatementSuite):
        last_small = suite.body[-1]
    else:
        assert isinstance(suite, cst.IndentedBlock)
        last = suite.body[-1] if suite.body else None
        if not isinstance(last, cst.SimpleStatementLine):
            return False
        last_small = last.body[-1]
    return isinstance(last_small, cst.Return | cst.Raise | cst.Continue | cst.Break)


def same_target(a: cst.BaseAssignTargetExpression, b: cst.BaseAssignTargetExpression) -> bool:
    """Two assignment targets that are the same plain name, attribute or subscript."""
    if not isinstance(a, cst.Name | cst.Attribute | cst.Subscript):
        return False
    return cst.Module(body=[]).code_for_node(a) == cst.Module(body=[]).code_for_node(b)


def simple_if(stmt: cst.BaseStatement) -> cst.If | None:
    """``stmt`` as an ``if`` with no ``elif``/``else`` and no comment anywhere, else None."""
    if isinstance(stmt, cst.If) and stmt.orelse is None and not has_comment(stmt):
        return stmt
    return None


def if_else(stmt: cst.BaseStatement) -> tuple[cst.If, cst.BaseSuite] | None:
    """``stmt`` as ``if ...: ... else: ...`` (no ``elif``, no comment anywhere), else None."""
    if isinstance(stmt, cst.If) and isinstance(stmt.orelse, cst.Else) and not has_comment(stmt):
        return stmt, stmt.orelse.body
    return None


def bool_literal(node: cst.BaseExpression | None) -> bool | None:
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    return None


def as_bool(
    test: cst.BaseExpression, positive: bool, facts: ModuleFacts
) -> cst.BaseExpression | None:
    """An expression equal to ``bool(test)`` (``not test`` when not ``positive``), or None."""
    if not positive:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            if not test.lpar:
                return as_bool(test.expression, True, facts)
        return cst.UnaryOperation(operator=cst.Not(), expression=wrap_if(test, *LOOSE_FOR_NOT))
    if is_provably_bool(test, facts):
        return wrap_if(test, *LOOSE_FOR_TERNARY)
    if builtin_is_free(facts, "bool"):
        if not isinstance(test, cst.Tuple | cst.GeneratorExp):
            test = test.with_changes(lpar=[], rpar=[])
        return cst.Call(func=cst.Name("bool"), args=[cst.Arg(value=test)])
    return None


def line(small: cst.BaseSmallStatement, like: cst.BaseStatement) -> cst.SimpleStatementLine:
    """A statement line holding ``small``, with the blank lines that stood before ``like``."""
    leading = like.leading_lines if isinstance(like, cst.SimpleStatementLine | cst.If) else ()
    return cst.SimpleStatementLine(body=[small], leading_lines=leading)


def fits_line(stmt: cst.BaseSmallStatement, depth: int, line_length: int) -> bool:
    """Whether ``stmt``, written on one line at ``depth`` (4 spaces a level), fits the line length.

    Measured on ``ast.unparse``, so the answer depends on the code's meaning, not on how it happens
    to be formatted: the same block decides the same way before and after black.
    """
    code = cst.Module(body=[]).code_for_node(stmt)
    try:
        text = ast.unparse(pyast.parse(code))
    except (SyntaxError, ValueError, RecursionError):
        return False
    return "\n" not in text and 4 * depth + len(text) <= line_length


class _Finder(cst.CSTVisitor):
    def __init__(self, kinds: tuple[type[cst.CSTNode], ...]) -> None:
        super().__init__()
        self.kinds = kinds
        self.found = False

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.kinds):
            self.found = True
        return not self.found


def contains(node: cst.CSTNode, *kinds: type[cst.CSTNode]) -> bool:
    finder = _Finder(kinds)
    node.visit(finder)
    return finder.found


def conditional(
    test: cst.BaseExpression, then: cst.BaseExpression, otherwise: cst.BaseExpression
) -> cst.IfExp | None:
    """``then if test else otherwise``, parenthesized as needed; None for nested conditionals,
    lambdas and ``yield`` (hard to read, or needing care)."""
    if any(contains(part, cst.IfExp, cst.Lambda, cst.Yield) for part in (test, then, otherwise)):
        return None
    return cst.IfExp(
        test=wrap_if(test, *LOOSE_FOR_TERNARY),
        body=wrap_if(then, *LOOSE_FOR_TERNARY),
        orelse=wrap_if(otherwise, *LOOSE_FOR_TERNARY),
    )


def is_string_statement(stmt: cst.BaseStatement) -> bool:
    """A line that starts with a bare string: at the top of a body it is the docstring."""
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, cst.BaseString)
    )
