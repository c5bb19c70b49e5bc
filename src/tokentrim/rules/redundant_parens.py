"""``redundant-parens``: drop parentheses that change nothing, e.g. ``return (a, b)`` or
``(total % count) >= (count // 2)``.

Proof, not precedence tables: the rule removes the candidate parentheses and keeps the result only
if the block's ``ast.dump`` is identical (when all at once fail, each is tried alone). Identical
AST, identical behaviour. For readability, candidates are only parentheses around a name, call,
attribute, subscript, literal or display; around a whole value (of ``return``, ``=``, an argument,
an element, a condition, a ``for`` iterable); and around arithmetic that is an operand of a
comparison. Parentheses that span lines (black adds those to split long lines), hold a comment, or
wrap ``yield``/``await``/``lambda``/walrus stay.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize

import libcst as cst

from tokentrim import pyast
from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment
from tokentrim.rules._facts import module_code, remember_code

# fmt: off
_ATOMS = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.BaseString, cst.Integer, cst.Float,
    cst.Imaginary, cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp,
    cst.Ellipsis,
)
# Parents whose child expression is a whole value: parentheses there never group anything.
_WHOLE_VALUE_SLOTS = (
    cst.Return, cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Arg, cst.Element, cst.DictElement,
    cst.Index, cst.If, cst.While, cst.For, cst.CompFor, cst.CompIf, cst.Assert, cst.AssignTarget,
)
# fmt: on
_NEVER = (cst.Yield, cst.Await, cst.Lambda, cst.NamedExpr, cst.GeneratorExp)
# Trying each candidate alone costs one parse per candidate: bounded.
_MAX_SINGLE_TRIES = 60


@register
class RedundantParens(StandardRule):
    id = "redundant-parens"
    level = "standard"
    trigger = "paren"
    description = "Drop parentheses that do not change the syntax tree."
    before = (
        "def split(n):\n    if (n % 2) == 0:\n        return (n // 2, n // 2)\n    return (n)\n"
    )
    after = "def split(n):\n    if n % 2 == 0:\n        return n // 2, n // 2\n    return n\n"

    def visit_Module(self, node: cst.Module) -> bool:
        super().visit_Module(node)
        return False  # the work is done on leaving the module, over the rewritten tree

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.skip:
            return updated_node
        code = module_code(updated_node)
        if not _may_group(code):
            return updated_node
        finder = _Candidates()
        updated_node.visit(finder)
        if not finder.found:
            return updated_node
        try:
            reference = pyast.parse(code)
        except (SyntaxError, ValueError, RecursionError):
            return updated_node
        candidates = finder.found
        # A tuple that is a call's argument always changes the tree without its parentheses (one
        # argument becomes several): trying it, alone or with the others, can only fail.
        doomed = finder.tuple_args
        result = None if doomed else _same_tree(updated_node, set(candidates), reference)
        if result is not None and len(candidates) > 1:
            # Fire only when some candidate also passes alone: what the pre-screen tests
            # (`_screen_tokens.removable_paren`), so that its "no" is a proof the rule has nothing to do.
            if not any(_same_tree(updated_node, {c}, reference) for c in candidates):
                return updated_node
        if result is None:
            ok = {
                node_id
                for node_id in candidates[:_MAX_SINGLE_TRIES]
                if node_id not in doomed
                and _same_tree(updated_node, {node_id}, reference) is not None
            }
            result = _same_tree(updated_node, ok, reference) if ok else None
            if result is None:
                return updated_node
            candidates = list(ok)
        new, new_code = result
        if new_code == code:
            return updated_node  # parentheses libcst keeps twice over (the text is the same)
        self.fired += len(candidates)
        return remember_code(new, new_code)


def _may_group(code: str) -> bool:
    """Whether any ``(`` in the code can be a grouping parenthesis: one that does not follow a
    name, a closing bracket or a string (those open calls, parameters and bases). A cheap token
    scan that spares the tree walk in blocks with nothing but calls."""
    previous: tokenize.TokenInfo | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type in _INSIGNIFICANT:
                continue
            if token.type == tokenize.STRING and "(" in token.string:
                prefix = token.string[: token.string.index(token.string[-1])]
                if "f" in prefix.lower():
                    return True  # before Python 3.12 an f-string's expressions are one token
            if token.string == "(" and token.type == tokenize.OP:
                if previous is None or not (
                    previous.type == tokenize.NAME
                    and not keyword.iskeyword(previous.string)
                    and not keyword.issoftkeyword(previous.string)
                    or previous.type == tokenize.STRING
                    or previous.string in (")", "]")
                ):
                    return True
            previous = token
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return True
    return False


_INSIGNIFICANT = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)


def _same_tree(
    module: cst.Module, targets: set[int], reference: ast.Module
) -> tuple[cst.Module, str] | None:
    """``module`` without the parentheses of ``targets`` (and its code) if its AST stays
    ``reference``."""
    new = module.visit(_Unparen(targets))
    code = new.code
    try:
        same = pyast.same(pyast.parse(code), reference)
    except (SyntaxError, ValueError, RecursionError):
        return None
    return (new, code) if same else None


class _Unparen(cst.CSTTransformer):
    def __init__(self, targets: set[int]) -> None:
        super().__init__()
        self.targets = targets

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode:
        if id(original_node) in self.targets:
            try:
                return updated_node.with_changes(lpar=[], rpar=[])
            except cst.CSTValidationError:  # e.g. `()`: libcst knows these parens are needed
                return updated_node
        return updated_node


class _Candidates(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[cst.CSTNode] = []
        self.found: list[int] = []
        self.tuple_args: set[int] = set()
        self._module = cst.Module(body=[])

    def on_visit(self, node: cst.CSTNode) -> bool:
        parent = self.stack[-1] if self.stack else None
        self.stack.append(node)
        if isinstance(node, cst.BaseExpression) and node.lpar and self._wanted(node, parent):
            self.found.append(id(node))
            if isinstance(node, cst.Tuple) and isinstance(parent, cst.Arg):
                self.tuple_args.add(id(node))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()

    def _wanted(self, node: cst.BaseExpression, parent: cst.CSTNode | None) -> bool:
        if isinstance(node, _NEVER) or has_comment(node):
            return False
        if "\n" in self._module.code_for_node(node):
            return False
        if isinstance(node, _ATOMS) or isinstance(parent, _WHOLE_VALUE_SLOTS):
            return True
        return isinstance(node, cst.BinaryOperation) and isinstance(
            parent, cst.Comparison | cst.ComparisonTarget
        )
