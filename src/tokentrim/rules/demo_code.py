"""``demo-code``: drop ``if __name__ == "__main__":`` blocks and example usage after the definitions.

Fires only in a block that defines something (a top-level ``def``/``class``). What goes:

* ``if __name__ == "__main__":`` blocks, unless the block is a bare entry point (``main()``,
  ``sys.exit(main())``, ``asyncio.run(main())``) or one that reads the command line or stdin
  (``sys.argv``, argparse, click, ``input()``): that is how the program runs, not a demo;
* top-level statements after the last definition that only exercise the definitions: every call in
  them goes to a definition of the block, to a value made by the example itself, to a side-effect-free
  builtin or ``print``, or to a pure library function (``math.sqrt``, ``time.perf_counter``).

What stays: imports (always), statements that read input, files, the clock-free outside world or
mutate anything defined before them, names that kept code uses, and calls into definitions that
change module state (a ``global``, a module-level container mutated, a class attribute changed) —
dropping those would change how the definitions behave afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import libcst as cst
from libcst.metadata import GlobalScope, Scope

from tokentrim.rules import CodeRule, register
from tokentrim.rules._cst import is_string_statement
from tokentrim.rules._facts import DYNAMIC_NAMES, scope_of

_PURE_BUILTINS = frozenset(
    "abs all any ascii bin bool bytearray bytes callable chr complex dict divmod enumerate filter "
    "float format frozenset hash hex id int isinstance issubclass iter len list map max min next "
    "object oct ord pow print range repr reversed round set slice sorted str sum tuple type zip "
    "pprint".split()
)
_PURE_MODULES = frozenset({"math", "cmath", "statistics", "operator", "itertools", "string"})
_PURE_FUNCTIONS = frozenset(
    {
        "time.time",
        "time.perf_counter",
        "time.monotonic",
        "time.process_time",
        "json.dumps",
        "json.loads",
        "pprint.pprint",
        "pprint.pformat",
        "functools.reduce",
        "textwrap.dedent",
        "collections.Counter",
        "collections.defaultdict",
        "collections.deque",
        "copy.deepcopy",
        "copy.copy",
        "re.match",
        "re.search",
        "re.findall",
        "re.sub",
        "re.fullmatch",
        "re.split",
    }
)
# The scope of each node of the module (libcst's ScopeProvider), keyed by the module's own nodes.
_ScopeOf = Mapping[cst.CSTNode, Scope | None]
_MUTATORS = frozenset(
    "append extend insert pop popitem remove clear update setdefault add discard sort reverse "
    "write writelines put put_nowait appendleft extendleft popleft rotate".split()
)


@register
class DemoCode(CodeRule):
    id = "demo-code"
    level = "aggressive"
    trigger = "demo-shape"
    description = (
        "Drop `if __name__ == '__main__':` blocks and example usage after the definitions."
    )
    before = "def double(x):\n    return 2 * x\n\n\n# Example usage\nprint(double(21))\n"
    after = "def double(x):\n    return 2 * x\n"

    def visit_Module(self, node: cst.Module) -> bool:
        return False  # everything happens on leaving the module, from its top-level statements

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not _shape_kept(original_node.body, updated_node.body):
            # Rules before this one (in the same walk) merged or split top-level statements: the
            # positions judged below would not be the statements dropped. Next round.
            return updated_node
        drop = self._droppable(original_node)
        if not drop:
            return updated_node
        self.fired += len(drop)
        body = [stmt for i, stmt in enumerate(updated_node.body) if i not in drop]
        return updated_node.with_changes(body=body)

    def _droppable(self, module: cst.Module) -> set[int]:
        body: Sequence[cst.BaseStatement] = module.body
        defs = [i for i, s in enumerate(body) if isinstance(s, cst.FunctionDef | cst.ClassDef)]
        if not defs:
            return set()
        if defs[-1] == len(body) - 1 and not any(_is_main_guard(s) for s in body):
            return set()  # nothing after the definitions, no main guard: nothing to judge
        scope = scope_of(module)
        facts = []
        for stmt in body:
            facts.append(_Facts(scope))
            stmt.visit(facts[-1])
        if set().union(*(f.loaded for f in facts)) & DYNAMIC_NAMES:
            return set()
        defined = {body[i].name.value for i in defs}  # type: ignore[attr-defined]
        stateful = self._stateful(body, defs, scope)
        drop = {
            i
            for i, s in enumerate(body)
            if _is_main_guard(s) and not _is_entry(s, defined) and not _is_interface(s)
        }
        eligible: set[int] = set()
        made: set[str] = set()  # names bound by example statements so far
        for i in range(defs[-1] + 1, len(body)):
            if _is_main_guard(body[i]):
                continue  # dropped above, or an entry point that stays
            if facts[i].example_of(defined, made, stateful):
                eligible.add(i)
                made |= facts[i].bound
        # Keep an example statement that binds a name kept code uses, or uses a name that kept code
        # after the definitions binds; repeat until nothing moves.
        changed = True
        while changed:
            changed = False
            kept = [i for i in range(len(body)) if i not in drop and i not in eligible]
            kept_names = set().union(*(facts[i].loaded | facts[i].bound for i in kept))
            tail_binds = set().union(*(facts[i].bound for i in kept if i > defs[-1]))
            for i in sorted(eligible):
                if facts[i].bound & kept_names or facts[i].loaded & tail_binds:
                    eligible.discard(i)
                    changed = True
        drop |= eligible
        first_kept = next((s for i, s in enumerate(body) if i not in drop), None)
        if 0 in drop and first_kept is not None and is_string_statement(first_kept):
            drop.discard(0)  # the string would become the module docstring
        return drop

    def _stateful(
        self, body: Sequence[cst.BaseStatement], defs: list[int], scope: _ScopeOf
    ) -> set[str]:
        """Definitions whose calls can change module state (directly or through another one)."""
        direct: dict[str, bool] = {}
        loads: dict[str, set[str]] = {}
        for i in defs:
            node = body[i]
            assert isinstance(node, cst.FunctionDef | cst.ClassDef)
            finder = _StateChanges(scope, node.name.value)
            node.visit(finder)
            direct[node.name.value] = finder.found
            loads[node.name.value] = finder.loaded
        stateful = {name for name, found in direct.items() if found}
        changed = True
        while changed:
            changed = False
            for name, used in loads.items():
                if name not in stateful and used & stateful:
                    stateful.add(name)
                    changed = True
        return stateful


class _Facts(cst.CSTVisitor):
    """Module-level names a statement uses and binds, its callees, and what it must not contain."""

    def __init__(self, scope: _ScopeOf) -> None:
        super().__init__()
        self.scope = scope
        self.loaded: set[str] = set()
        self.bound: set[str] = set()  # module-level names it binds
        self.local: set[str] = set()  # every name it binds, comprehension variables included
        self.calls: list[str | None] = []  # dotted callee, "" for a fresh value, None if unknown
        self.mutated: list[str | None] = []  # roots of attribute/subscript targets
        self.forbidden = False

    def example_of(self, defined: set[str], made: set[str], stateful: set[str]) -> bool:
        if self.forbidden or self.bound & defined or any(n.startswith("__") for n in self.bound):
            return False
        local = made | self.local
        for root in self.mutated:
            if root not in local:
                return False
        for callee in self.calls:
            if callee is None:
                return False
            head, _, rest = callee.partition(".")
            if callee == "" or head in local:
                continue
            if head in defined and head not in stateful:
                continue
            if not rest and head in _PURE_BUILTINS:
                continue
            if head in _PURE_MODULES or ".".join(callee.split(".")[:2]) in _PURE_FUNCTIONS:
                continue
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        if _resolves_global(self.scope, node, module_level=True):
            self.loaded.add(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(_dotted(node.func))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(node.target)

    def _bind(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.local.add(target.value)
            if _resolves_global(self.scope, target, module_level=True):
                self.bound.add(target.value)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._bind(element.value)
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value)
        elif isinstance(target, cst.Attribute | cst.Subscript):
            root = _dotted(target)
            self.mutated.append(root.partition(".")[0] if root else None)
        else:
            self.forbidden = True

    def visit_Import(self, node: cst.Import) -> None:
        self.forbidden = True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.forbidden = True

    def visit_Global(self, node: cst.Global) -> None:
        self.forbidden = True

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.forbidden = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.forbidden = True

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.forbidden = True

    def visit_Await(self, node: cst.Await) -> None:
        self.forbidden = True

    def visit_Yield(self, node: cst.Yield) -> None:
        self.forbidden = True


class _StateChanges(cst.CSTVisitor):
    """Does a definition change state outside its own locals (module globals, class attributes)?"""

    def __init__(self, scope: _ScopeOf, own_name: str) -> None:
        super().__init__()
        self.scope = scope
        self.own_name = own_name
        self.found = False
        self.loaded: set[str] = set()
        self.class_level = 0

    def visit_Name(self, node: cst.Name) -> None:
        self.loaded.add(node.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.found = True

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.found = True

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        # A mutable class attribute is shared by every instance: changing it is module state.
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    value = getattr(small, "value", None)
                    if isinstance(small, cst.Assign | cst.AnnAssign) and not _immutable(value):
                        self.found = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS:
            self._target(func.value)

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._target(element.value)
            return
        while isinstance(target, cst.Attribute | cst.Subscript | cst.StarredElement):
            target = target.value
        if not isinstance(target, cst.Name):
            if isinstance(target, cst.Call):
                self.found = True  # type(self).x = ..., get_registry()[k] = ...
            return
        if target.value in ("cls", self.own_name) or self._is_global(target):
            self.found = True

    def _is_global(self, name: cst.Name) -> bool:
        # Module-level code inside a definition (decorators, defaults) runs once, not per call.
        return _resolves_global(self.scope, name, module_level=False)


def _shape_kept(
    original: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]
) -> bool:
    """The same number and kinds of top-level statements, position by position."""
    return len(original) == len(updated) and all(
        type(a) is type(b) for a, b in zip(original, updated, strict=True)
    )


def _resolves_global(scope_of: _ScopeOf, name: cst.Name, *, module_level: bool) -> bool:
    """Does this name refer to a module-level (or builtin) binding?"""
    scope = scope_of.get(name)
    if scope is None:
        return False
    if isinstance(scope, GlobalScope):
        return module_level
    assignments = scope[name.value]
    return not assignments or any(isinstance(a.scope, GlobalScope) for a in assignments)


def _immutable(value: cst.BaseExpression | None) -> bool:
    if value is None:
        return True
    if isinstance(value, cst.BaseNumber | cst.BaseString | cst.Name | cst.Ellipsis):
        return True
    if isinstance(value, cst.UnaryOperation | cst.BinaryOperation):
        return True
    if isinstance(value, cst.Tuple):
        return all(_immutable(e.value) for e in value.elements)
    return False


def _dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a name chain; ``""`` for a fresh value (a literal or a call); else None."""
    parts: list[str] = []
    while True:
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Subscript):
            parts.clear()
            node = node.value
        elif isinstance(node, cst.Name):
            parts.append(node.value)
            return ".".join(reversed(parts))
        elif isinstance(
            node,
            cst.Call
            | cst.BaseString
            | cst.BaseNumber
            | cst.List
            | cst.Dict
            | cst.Set
            | cst.Tuple
            | cst.ListComp
            | cst.DictComp
            | cst.SetComp,
        ):
            return ""
        else:
            return None


def _is_main_guard(stmt: cst.BaseStatement) -> bool:
    if not isinstance(stmt, cst.If) or stmt.orelse is not None:
        return False
    test = stmt.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    if not isinstance(test.comparisons[0].operator, cst.Equal):
        return False
    sides = [test.left, test.comparisons[0].comparator]
    names = [s for s in sides if isinstance(s, cst.Name) and s.value == "__name__"]
    strings = [
        s for s in sides if isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__"
    ]
    return len(names) == 1 and len(strings) == 1


# A main block that reads the command line or stdin is how the script is used, not a demo.
_INTERFACE = re.compile(
    r"\b(sys\.argv|sys\.stdin|argparse|ArgumentParser|getopt|fileinput|click|typer|input\s*\()"
)


def _is_interface(stmt: cst.BaseStatement) -> bool:
    return _INTERFACE.search(cst.Module(body=[]).code_for_node(stmt)) is not None


def _is_entry(stmt: cst.BaseStatement, defined: set[str]) -> bool:
    """``main()``, ``sys.exit(main())``, ``asyncio.run(main())``, ``raise SystemExit(main())``."""
    assert isinstance(stmt, cst.If)
    lines = stmt.body.body
    if len(lines) != 1 or not isinstance(lines[0], cst.SimpleStatementLine):
        return False
    small = lines[0].body
    if len(small) != 1:
        return False
    node = small[0]
    value = (
        node.value
        if isinstance(node, cst.Expr)
        else node.exc
        if isinstance(node, cst.Raise)
        else None
    )
    while isinstance(value, cst.Call):
        callee = _dotted(value.func)
        if callee in defined and not value.args:
            return True
        if callee not in ("sys.exit", "exit", "SystemExit", "asyncio.run") or len(value.args) != 1:
            return False
        value = value.args[0].value
    return False
