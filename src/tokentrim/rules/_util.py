"""What a ``standard`` rule must prove before it rewrites: shared, conservative predicates.

Every predicate answers "provably yes" or "don't know"; a rule fires only on "provably yes".

- :func:`module_facts` / :func:`builtin_is_free`: a builtin name (``bool``, ``range``, ``list``...)
  still means the builtin. The block is the whole module: the name must not be bound *anywhere* in
  it (assignment, import, def, class, parameter, ``global``/``nonlocal``, ``del``, ``except ...
  as``, ``for`` target, walrus, ``match`` capture, type parameter), there must be no star import,
  and no dynamic access to namespaces (``globals``, ``locals``, ``vars``, ``exec``, ``eval``,
  ``__import__``, ``builtins``, ``__builtins__``, ``setattr``, ``__dict__``, ``sys.modules``).
- :func:`is_provably_bool`: an expression whose value is always exactly ``True`` or ``False``.
- :func:`has_comment`: a rewrite that would drop or move a comment (pragmas survive comment
  stripping) does not fire.
- :func:`name_bindings`: every binding a name can refer to, via libcst's scope analysis (which follows
  ``global``/``nonlocal``), so a rule can prove a variable's type.

:class:`StandardRule` is the base of the ``standard`` rules: a cheap text check skips blocks where a
rule has nothing to do, and annotations are never rewritten (under ``from __future__ import
annotations`` their text is their value).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
import threading
from typing import ClassVar

import libcst as cst
from libcst.metadata import ParentNodeProvider, ScopeProvider

from tokentrim.rules import CodeRule

# Names through which code can rebind builtins or globals behind the parser's back.
# fmt: off
_DYNAMIC_NAMES = frozenset({
    "globals", "locals", "vars", "exec", "eval", "__import__", "builtins", "__builtins__",
    "setattr", "importlib",
})
# fmt: on
_DYNAMIC_ATTRS = frozenset({"__dict__", "__builtins__", "modules"})
# Builtins that always return an exact bool, whatever their arguments are.
_BOOL_BUILTINS = frozenset(
    {"bool", "isinstance", "issubclass", "callable", "hasattr", "any", "all"}
)


@dataclasses.dataclass(frozen=True)
class ModuleFacts:
    """Names bound anywhere in a module, and whether it can rebind names dynamically."""

    bound: frozenset[str]
    star_import: bool
    dynamic: bool
    walrus_targets: frozenset[str] = frozenset()


def module_facts(module: cst.Module) -> ModuleFacts:
    return _facts_for_code(module_code(module))


def module_code(module: cst.Module) -> str:
    """``module.code``, remembered: every rule of a round asks for the same module's code."""
    with _CODE_LOCK:
        cached = _CODE_CACHE.get(id(module))
    if cached is not None and cached[0] is module:
        return cached[1]
    code = module.code
    with _CODE_LOCK:
        while len(_CODE_CACHE) >= 8:
            _CODE_CACHE.pop(next(iter(_CODE_CACHE)))
        _CODE_CACHE[id(module)] = (module, code)  # the strong reference keeps the id unique
    return code


_CODE_CACHE: dict[int, tuple[cst.Module, str]] = {}
_CODE_LOCK = threading.Lock()


@functools.lru_cache(maxsize=32)
def _facts_for_code(code: str) -> ModuleFacts:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ModuleFacts(frozenset(), star_import=False, dynamic=True)
    bound: set[str] = set()
    walrus: set[str] = set()
    star = dynamic = False
    for node in ast.walk(tree):
        if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            walrus.add(node.target.id)
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                bound.add(node.id)
            if node.id in _DYNAMIC_NAMES:
                dynamic = True
        elif isinstance(node, ast.Attribute) and node.attr in _DYNAMIC_ATTRS:
            dynamic = True
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    star = True
                else:
                    bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
        else:
            # defs, classes, except-as, match captures, type parameters: all have a str `name`.
            for field in ("name", "rest"):
                value = getattr(node, field, None)
                if isinstance(value, str):
                    bound.add(value)
    return ModuleFacts(frozenset(bound), star, dynamic, frozenset(walrus))


def builtin_is_free(facts: ModuleFacts, name: str) -> bool:
    """Whether ``name`` provably refers to the builtin of that name everywhere in the module."""
    return not facts.dynamic and not facts.star_import and name not in facts.bound


def is_builtin_call(node: cst.BaseExpression, facts: ModuleFacts, *names: str) -> bool:
    """``node`` is a call of one of the builtins ``names`` (unshadowed), without ``*``/``**``."""
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in names
        and builtin_is_free(facts, node.func.value)
        and all(arg.star == "" for arg in node.args)
    )


def is_provably_bool(node: cst.BaseExpression, facts: ModuleFacts) -> bool:
    """The value is always exactly ``True`` or ``False``.

    ``==``/``<`` and friends are *not* enough: ``__eq__`` may return anything (numpy arrays do).
    ``is``/``in`` (and their negations), ``not``, ``True``/``False``, unshadowed ``bool()``,
    ``isinstance()``... and ``and``/``or`` of such expressions are.
    """
    if isinstance(node, cst.Name):
        return node.value in ("True", "False")
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.operator, cst.Not)
    if isinstance(node, cst.Comparison):
        return all(
            isinstance(target.operator, cst.Is | cst.IsNot | cst.In | cst.NotIn)
            for target in node.comparisons
        )
    if isinstance(node, cst.BooleanOperation):
        return is_provably_bool(node.left, facts) and is_provably_bool(node.right, facts)
    if isinstance(node, cst.Call):
        return is_builtin_call(node, facts, *_BOOL_BUILTINS)
    return False


def has_comment(*nodes: cst.CSTNode | None) -> bool:
    finder = _CommentFinder()
    for node in nodes:
        if node is not None:
            node.visit(finder)
    return finder.found


class _CommentFinder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found = True


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


@dataclasses.dataclass(frozen=True)
class Binding:
    """One place a name gets a value: ``kind`` is "assign" (``x = value``), "augassign" (``x op=
    value``), "for" (``for x in value``) or "other" (parameter, import, unpacking, walrus...)."""

    kind: str
    value: cst.BaseExpression | None = None
    operator: cst.BaseAugOp | None = None


class Scopes:
    """libcst scope and parent metadata of one module, keyed by its own (original) nodes."""

    def __init__(self, module: cst.Module) -> None:
        wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
        self.scope = wrapper.resolve(ScopeProvider)
        self.parent = wrapper.resolve(ParentNodeProvider)


def name_bindings(scopes: Scopes, name: cst.Name, facts: ModuleFacts) -> list[Binding] | None:
    """Every binding the (original) ``name`` node may refer to, or None when that is unknown.

    Uses libcst's scope analysis, which follows ``global``/``nonlocal`` declarations in nested
    functions. Unknown: a block with star imports or dynamic namespace access, and a name that is
    a walrus target anywhere (libcst puts a walrus inside a comprehension in the wrong scope).
    """
    if facts.dynamic or facts.star_import or name.value in facts.walrus_targets:
        return None
    scope = scopes.scope.get(name)
    if scope is None or name.value not in scope:
        return None
    bindings: list[Binding] = []
    for assignment in scope[name.value]:
        node = getattr(assignment, "node", None)
        if not isinstance(node, cst.Name):
            bindings.append(Binding("other"))
            continue
        parent = scopes.parent.get(node)
        grand = scopes.parent.get(parent) if parent is not None else None
        if isinstance(parent, cst.AssignTarget) and isinstance(grand, cst.Assign):
            if len(grand.targets) == 1:
                bindings.append(Binding("assign", grand.value))
            else:
                bindings.append(Binding("other"))
        elif isinstance(parent, cst.AugAssign) and parent.target is node:
            bindings.append(Binding("augassign", parent.value, parent.operator))
        elif isinstance(parent, cst.AnnAssign) and parent.target is node and parent.value:
            bindings.append(Binding("assign", parent.value))
        elif isinstance(parent, cst.For) and parent.target is node:
            bindings.append(Binding("for", parent.iter))
        else:
            bindings.append(Binding("other"))
    return bindings or None


class StandardRule(CodeRule):
    """Base of the ``standard`` rules: skips a block at once when ``hint`` (a regex) does not occur
    in its code, since then the rule has nothing to do there; sets ``self.facts`` otherwise, and
    ``self.scopes`` for a rule that ``needs_scopes`` (computed only when the hint matched)."""

    level = "standard"
    hint: ClassVar[re.Pattern[str] | None] = None
    needs_scopes: ClassVar[bool] = False
    # Node types the rule never rewrites inside: the transformer does not walk (and rebuild)
    # them. Most of a tree is expressions, so statement-level rules prune those.
    prune: ClassVar[tuple[type[cst.CSTNode], ...]] = ()
    facts: ModuleFacts
    scopes: Scopes
    skip = False

    def visit_Module(self, node: cst.Module) -> bool:
        code = module_code(node)
        self.skip = self.hint is not None and not self.hint.search(code)
        if not self.skip:
            self.facts = module_facts(node)
            if self.needs_scopes:
                self.scopes = Scopes(node)
        return not self.skip

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.prune and isinstance(node, self.prune):
            return False
        return super().on_visit(node)

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        # Under `from __future__ import annotations` an annotation's text is its value
        # (`__annotations__`): an equivalent but different expression would change it.
        return False


class BodyRule(StandardRule):
    """A rule that rewrites statement sequences (module and indented-block bodies).

    Subclasses implement :meth:`rewrite_body`, returning the new statements or None for no change
    (and counting their rewrites in ``self.fired``).
    """

    depth = 0  # indented blocks around the body being rewritten

    prune = (cst.SimpleStatementLine, cst.BaseExpression)

    def rewrite_body(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        raise NotImplementedError

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self.depth += 1

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = self.rewrite_body(list(updated_node.body))
        self.depth -= 1
        return updated_node if body is None else updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.skip:
            return updated_node
        body = self.rewrite_body(list(updated_node.body))
        return updated_node if body is None else updated_node.with_changes(body=body)


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
        text = ast.unparse(ast.parse(code))
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


class ReturnPairRule(BodyRule):
    """A rule that merges two returns: ``if c: return a else: return b``, or ``if c: return a``
    directly followed by ``return b``. Subclasses implement :meth:`combine`."""

    def combine(
        self, if_node: cst.If, then: cst.Return, otherwise: cst.Return
    ) -> cst.Return | None:
        raise NotImplementedError

    def rewrite_body(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        out: list[cst.BaseStatement] = []
        changed = False
        i = 0
        while i < len(body):
            stmt = body[i]
            pair = if_else(stmt)
            if pair is not None:
                new = self._merge(
                    pair[0], only_small_statement(pair[0].body), only_small_statement(pair[1])
                )
                if new is not None:
                    out.append(new)
                    changed, i = True, i + 1
                    continue
            guard = simple_if(stmt)
            if guard is not None and i + 1 < len(body) and not has_comment(body[i + 1]):
                new = self._merge(
                    guard, only_small_statement(guard.body), single_small_statement(body[i + 1])
                )
                if new is not None:
                    out.append(new)
                    changed, i = True, i + 2
                    continue
            out.append(stmt)
            i += 1
        return out if changed else None

    def _merge(
        self,
        if_node: cst.If,
        then: cst.BaseSmallStatement | None,
        otherwise: cst.BaseSmallStatement | None,
    ) -> cst.BaseStatement | None:
        if not (isinstance(then, cst.Return) and isinstance(otherwise, cst.Return)):
            return None
        new = self.combine(if_node, then, otherwise)
        if new is None:
            return None
        self.fired += 1
        return line(new, if_node)


class AssignPairRule(BodyRule):
    """A rule that merges ``if c: x = a else: x = b`` (one target, the same on both sides) into one
    assignment. Subclasses implement :meth:`combine`, returning the new value or None."""

    def combine(
        self, if_node: cst.If, then: cst.Assign, otherwise: cst.Assign
    ) -> cst.BaseExpression | None:
        raise NotImplementedError

    def rewrite_body(self, body: list[cst.BaseStatement]) -> list[cst.BaseStatement] | None:
        changed = False
        for i, stmt in enumerate(body):
            pair = if_else(stmt)
            if pair is None:
                continue
            then, otherwise = only_small_statement(pair[0].body), only_small_statement(pair[1])
            if not (
                isinstance(then, cst.Assign)
                and isinstance(otherwise, cst.Assign)
                and len(then.targets) == 1
                and len(otherwise.targets) == 1
                and same_target(then.targets[0].target, otherwise.targets[0].target)
            ):
                continue
            value = self.combine(pair[0], then, otherwise)
            if value is None:
                continue
            self.fired += 1
            changed = True
            body[i] = line(cst.Assign(targets=[then.targets[0]], value=value), stmt)
        return body if changed else None
