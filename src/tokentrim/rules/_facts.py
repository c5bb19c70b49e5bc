"""Facts about a whole block that a rule must prove before it rewrites: conservative predicates.

Every predicate answers "provably yes" or "don't know"; a rule fires only on "provably yes".

- :func:`module_facts` / :func:`builtin_is_free`: a builtin name (``bool``, ``range``, ``list``...)
  still means the builtin. The block is the whole module: the name must not be bound *anywhere* in
  it (assignment, import, def, class, parameter, ``global``/``nonlocal``, ``del``, ``except ...
  as``, ``for`` target, walrus, ``match`` capture, type parameter), there must be no star import,
  and no dynamic access to namespaces (any name of :data:`DYNAMIC_NAMES`, or an attribute of
  :data:`DYNAMIC_ATTRS` such as ``__dict__`` or ``sys.modules``).
- :func:`is_provably_bool`: an expression whose value is always exactly ``True`` or ``False``.
- :func:`name_bindings`: every binding a name can refer to, via libcst's scope analysis (which follows
  ``global``/``nonlocal``), so a rule can prove a variable's type.

:data:`DYNAMIC_NAMES` is the one list of names through which code can reach namespaces behind the
parser's back; every rule that must know "are names read or rebound dynamically here?" uses it.
"""

from __future__ import annotations

import ast
import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import TypeVar, cast

import libcst as cst
from libcst.metadata import ParentNodeProvider, Scope, ScopeProvider

from tokentrim import pyast
from tokentrim.caching import memoize

__all__ = [
    "Binding",
    "DYNAMIC_ATTRS",
    "DYNAMIC_NAMES",
    "ModuleFacts",
    "Scopes",
    "builtin_is_free",
    "is_builtin_call",
    "is_provably_bool",
    "module_code",
    "module_facts",
    "name_bindings",
    "remember_code",
    "scope_of",
    "scopes",
    "shared_wrapper",
]

_T = TypeVar("_T")

# Names through which code can read or rebind builtins, globals or locals behind the parser's back
# (module ``__getattr__`` answers attribute reads the parser cannot see).
# fmt: off
DYNAMIC_NAMES = frozenset({
    "globals", "locals", "vars", "exec", "eval", "__import__", "builtins", "__builtins__",
    "setattr", "importlib", "__getattr__",
})
# fmt: on
DYNAMIC_ATTRS = frozenset({"__dict__", "__builtins__", "modules"})
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
    return _remembered("code", module, _code)


def remember_code(module: cst.Module, code: str) -> cst.Module:
    """Record that ``code`` is ``module.code`` (its maker had to print it anyway); ``module``."""
    _store("code", module, code)
    return module


def shared_wrapper(module: cst.Module) -> cst.MetadataWrapper:
    """The one metadata wrapper of ``module`` (not a copy: metadata is keyed by its own nodes), so
    that every rule of a round shares what any of them resolved."""
    return _remembered("wrapper", module, _wrap)


def scope_of(module: cst.Module) -> Mapping[cst.CSTNode, Scope | None]:
    """The scope of each node of ``module`` (libcst's ScopeProvider) without parent metadata;
    shared with :func:`scopes` through the module's one wrapper."""
    return cast(Mapping[cst.CSTNode, Scope | None], shared_wrapper(module).resolve(ScopeProvider))


def scopes(module: cst.Module) -> Scopes:
    """Scope and parent metadata of ``module``, computed once however many rules ask."""
    return _remembered("scopes", module, Scopes)


def _code(module: cst.Module) -> str:
    return module.code


def _wrap(module: cst.Module) -> cst.MetadataWrapper:
    return cst.MetadataWrapper(module, unsafe_skip_copy=True)


def _remembered(kind: str, module: cst.Module, make: Callable[[cst.Module], _T]) -> _T:
    """``make(module)``, remembered for the last few modules (by identity, per ``kind``)."""
    key = (kind, id(module))
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None and cached[0] is module:
        return cast(_T, cached[1])
    value = make(module)
    _store(kind, module, value)
    return value


def _store(kind: str, module: cst.Module, value: object) -> None:
    with _CACHE_LOCK:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[(kind, id(module))] = (module, value)  # the strong reference keeps the id unique


_CACHE: dict[tuple[str, int], tuple[cst.Module, object]] = {}
_CACHE_SIZE = 24  # a round's module, a few kinds each, for a couple of threads
_CACHE_LOCK = threading.Lock()


@memoize("rules.facts", lambda code, facts: 3 * len(str(code)) + 1_000)
def _facts_for_code(code: str) -> ModuleFacts:
    try:
        tree = pyast.parse(code)
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
            if node.id in DYNAMIC_NAMES:
                dynamic = True
        elif isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRS:
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
        resolved = shared_wrapper(module).resolve_many([ScopeProvider, ParentNodeProvider])
        self.scope = cast(Mapping[cst.CSTNode, Scope | None], resolved[ScopeProvider])
        self.parent = cast(Mapping[cst.CSTNode, cst.CSTNode], resolved[ParentNodeProvider])


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
