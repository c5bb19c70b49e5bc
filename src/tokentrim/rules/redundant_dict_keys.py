"""``redundant-dict-keys``: ``k in d.keys()`` → ``k in d``; ``for k in d.keys()`` → ``for k in d``
(also in comprehensions); ``sorted(d.keys())``/``list(d.keys())`` → ``sorted(d)``/``list(d)``.

Only where ``d`` is provably a dict: a plain name whose every binding that the use can see (libcst
scope analysis, following ``global``/``nonlocal``) is ``d = {...}``, ``d = {k: v for ...}`` or
``d = dict(...)`` with ``dict`` the builtin. A parameter, an import, a ``for`` target, unpacking,
``d |= ...``, a walrus target, star imports or dynamic namespace access: no fire. ``sorted``/``list``
must be the builtins. Membership, iteration order and "changed size during iteration" errors are
the same for a dict and its keys view.
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import register
from tokentrim.rules._base import StandardRule
from tokentrim.rules._cst import has_comment
from tokentrim.rules._facts import is_builtin_call, name_bindings


@register
class RedundantDictKeys(StandardRule):
    id = "redundant-dict-keys"
    level = "standard"
    description = "Drop `.keys()` in `k in d.keys()` and `for k in d.keys()` when `d` is a dict."
    before = "counts = {}\nfor word in words:\n    if word not in counts.keys():\n        counts[word] = 0\n"
    after = (
        "counts = {}\nfor word in words:\n    if word not in counts:\n        counts[word] = 0\n"
    )
    hint = re.compile(r"\.\s*keys\b")
    requires = frozenset({"keys"})

    needs_scopes = True

    def leave_Comparison(
        self, original_node: cst.Comparison, updated_node: cst.Comparison
    ) -> cst.Comparison:
        # One comparison only: in a chain (`a in d.keys() in x`) the view is also a left operand.
        if len(updated_node.comparisons) != 1:
            return updated_node
        target = updated_node.comparisons[0]
        if not isinstance(target.operator, cst.In | cst.NotIn):
            return updated_node
        mapping = self._dict_of(original_node.comparisons[0].comparator, target.comparator)
        if mapping is None:
            return updated_node
        return updated_node.with_changes(comparisons=[target.with_changes(comparator=mapping)])

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        mapping = self._dict_of(original_node.iter, updated_node.iter)
        return updated_node if mapping is None else updated_node.with_changes(iter=mapping)

    def leave_CompFor(self, original_node: cst.CompFor, updated_node: cst.CompFor) -> cst.CompFor:
        mapping = self._dict_of(original_node.iter, updated_node.iter)
        return updated_node if mapping is None else updated_node.with_changes(iter=mapping)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        args = updated_node.args
        if (
            not args
            or args[0].keyword is not None
            or not is_builtin_call(updated_node, self.facts, "sorted", "list")
            or any(arg.keyword is None for arg in args[1:])
        ):
            return updated_node
        original_arg = original_node.args[0].value
        mapping = self._dict_of(original_arg, args[0].value)
        if mapping is None:
            return updated_node
        return updated_node.with_changes(args=[args[0].with_changes(value=mapping), *args[1:]])

    def _dict_of(
        self, original: cst.BaseExpression, updated: cst.BaseExpression
    ) -> cst.BaseExpression | None:
        """``d`` when ``updated`` is ``d.keys()`` with ``d`` provably a dict, else None."""
        if not (
            isinstance(original, cst.Call)
            and not original.args
            and isinstance(original.func, cst.Attribute)
            and original.func.attr.value == "keys"
            and isinstance(original.func.value, cst.Name)
            and not original.func.value.lpar
            and isinstance(updated, cst.Call)
            and not has_comment(updated)
        ):
            return None
        name = original.func.value
        bindings = name_bindings(self.scopes, name, self.facts)
        if not bindings or not all(
            binding.kind == "assign"
            and binding.value is not None
            and (
                isinstance(binding.value, cst.Dict | cst.DictComp)
                or is_builtin_call(binding.value, self.facts, "dict")
            )
            for binding in bindings
        ):
            return None
        self.fired += 1
        return cst.Name(name.value, lpar=updated.lpar, rpar=updated.rpar)
