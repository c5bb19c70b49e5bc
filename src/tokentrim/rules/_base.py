"""Base classes of the ``standard`` rules.

:class:`StandardRule`: a cheap text check skips blocks where a rule has nothing to do, and
annotations are never rewritten (under ``from __future__ import annotations`` their text is their
value). :class:`BodyRule` rewrites statement sequences; :class:`ReturnPairRule` and
:class:`AssignPairRule` merge an ``if``/``else`` of two returns or two assignments.
"""

from __future__ import annotations

import re
from typing import ClassVar

import libcst as cst

from tokentrim.rules import CodeRule
from tokentrim.rules._cst import (
    has_comment,
    if_else,
    line,
    only_small_statement,
    same_target,
    simple_if,
    single_small_statement,
)
from tokentrim.rules._facts import ModuleFacts, Scopes, module_code, module_facts, scopes

__all__ = ["AssignPairRule", "BodyRule", "ReturnPairRule", "StandardRule"]


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
                self.scopes = scopes(node)
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
