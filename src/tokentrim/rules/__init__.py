"""Simplification rules: one rule per module, a registry in an explicit order.

A rule is either a **code rule** (a libcst transformer run on every Python block that parsed) or a
**text rule** (run on the whole reply before fences are split, e.g. ``<think>`` removal). Each has a
stable kebab-case ``id``, a one-line ``description``, a ``level`` and a ``before``/``after`` example.

The pipeline calls :func:`apply_code_rules` and :func:`apply_text_rules`; ``tokentrim rules`` lists
:func:`all_rules`. Rules that cannot prove a rewrite safe keep the node (and may add a warning).
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
from collections.abc import Iterable
from typing import ClassVar

import libcst as cst

from tokentrim import pyast
from tokentrim.errors import UnknownRuleError
from tokentrim.rules._batch import batchable, run_batch
from tokentrim.rules._facts import module_code, remember_code
from tokentrim.rules._screen import code_features, features_of, reformatted_features
from tokentrim.settings import LEVELS, Settings

__all__ = [
    "CodeRule",
    "ORDER",
    "TextRule",
    "all_rules",
    "apply_code_rules",
    "apply_text_rules",
    "enabled_rules",
    "may_fire",
    "register",
    "screen",
    "shapes_for",
]


class _RuleInfo:
    id: ClassVar[str]
    level: ClassVar[str]
    description: ClassVar[str]
    before: ClassVar[str] = ""
    after: ClassVar[str] = ""

    @classmethod
    def wanted(cls, settings: Settings) -> bool:
        """Whether the settings turn this rule on, apart from enable/disable."""
        return LEVELS.index(settings.level) >= LEVELS.index(cls.level)


class CodeRule(_RuleInfo, cst.CSTTransformer):
    """A libcst transformer. Count rewrites in ``self.fired``; add notes to ``self.warnings``.

    ``requires``: shapes (see :func:`code_features`) without which the rule cannot fire; a block
    that lacks one is not walked at all. A necessary condition only: the rule still checks.

    ``trigger``: the precise shape (see :mod:`._screen`) without which the rule cannot change the
    block as it is, or None when ``requires`` is already that precise. A round of the rules runs
    only when some rule's trigger holds; then every rule ``requires`` admits takes part.
    """

    requires: ClassVar[frozenset[str]] = frozenset()
    trigger: ClassVar[str | None] = None

    @classmethod
    def triggered(cls, features: frozenset[str], settings: Settings) -> bool:
        """Whether the block's ``features`` allow this rule to change it under ``settings``."""
        return cls.requires <= features and (cls.trigger is None or cls.trigger in features)

    @classmethod
    def shapes(cls) -> frozenset[str]:
        """Every shape :meth:`triggered` reads (the pre-screen looks for no costly one else)."""
        return cls.requires | ({cls.trigger} if cls.trigger else set())

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.fired = 0
        self.warnings: list[str] = []

    def apply(self, module: cst.Module) -> cst.Module:
        """This rule alone over ``module``, with the metadata it declares (exceptions surface)."""
        if self.METADATA_DEPENDENCIES:
            return cst.MetadataWrapper(module, unsafe_skip_copy=True).visit(self)
        return module.visit(self)


class TextRule(_RuleInfo):
    """A rewrite of the whole reply text (before fences are split)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def apply(self, text: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


# The order rules run in. Every registered rule must appear here exactly once.
ORDER: list[str] = [
    # standard (keep behaviour for every input): clean statements, then expressions, then shape
    "redundant-pass",
    "fstring-no-placeholder",
    "range-zero-start",
    "literal-constructor",
    "redundant-collection-call",
    "redundant-dict-keys",
    "augmented-assign",
    "if-return-bool",
    "if-assign-bool",
    "ternary-return",
    "ternary-assign",
    "collapse-nested-if",
    "no-else-after-jump",
    "inline-return-temp",
    "trailing-return",
    "redundant-parens",
    # aggressive: text rules (whole reply; reasoning before filler), then code rules
    "think",
    "filler-prose",
    "removed-prose",
    "docstrings",
    "demo-code",
    "unused-imports",  # last: earlier rules may remove the only use of an import
]

_REGISTRY: dict[str, type[CodeRule] | type[TextRule]] = {}


def register(cls):  # type: ignore[no-untyped-def]
    """Class decorator: add a rule to the registry."""
    if cls.id in _REGISTRY:
        raise RuntimeError(f"duplicate rule id {cls.id!r}")
    _REGISTRY[cls.id] = cls
    return cls


_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True


def all_rules() -> list[type[CodeRule] | type[TextRule]]:
    """Every registered rule, in run order (rules missing from ORDER come last, by id)."""
    _load()
    position = {rule_id: i for i, rule_id in enumerate(ORDER)}
    return sorted(_REGISTRY.values(), key=lambda r: (position.get(r.id, len(ORDER)), r.id))


def check_rule_ids(ids: Iterable[str]) -> None:
    _load()
    unknown = sorted(set(ids) - set(_REGISTRY))
    if unknown:
        raise UnknownRuleError(f"unknown rule id(s): {', '.join(unknown)} (see `tokentrim rules`)")


@functools.lru_cache(maxsize=64)
def enabled_rules(settings: Settings) -> tuple[type[CodeRule] | type[TextRule], ...]:
    """The rules ``settings`` turn on, in run order (asked for on every block: cached)."""
    check_rule_ids(settings.enable | settings.disable)
    return tuple(
        rule
        for rule in all_rules()
        if rule.id not in settings.disable and (rule.id in settings.enable or rule.wanted(settings))
    )


def apply_text_rules(text: str, settings: Settings) -> tuple[str, list[str]]:
    """Run the enabled text rules; return the new text and the ids of rules that changed it."""
    fired: list[str] = []
    for rule in enabled_rules(settings):
        if issubclass(rule, TextRule):
            new = rule(settings).apply(text)
            if new != text:
                fired.append(rule.id)
                text = new
    return text, fired


@functools.lru_cache(maxsize=64)
def shapes_for(rules: tuple[type[CodeRule], ...]) -> frozenset[str]:
    """The shapes ``rules`` read: what their pre-screen needs to look for."""
    return frozenset().union(*(rule.shapes() for rule in rules))


def screen(
    rules: tuple[type[CodeRule], ...],
    code: str,
    tree: ast.Module,
    like: frozenset[str] | None = None,
) -> frozenset[str]:
    """The pre-screen's shapes of ``code`` (``tree`` is its parse) that ``rules`` read (see
    :mod:`._screen`). ``like``: what this gave for the block the formatter turned into ``code``
    (its result passed the formatter net); then only the shapes of the text are looked for."""
    wanted = shapes_for(rules)
    if like is None:
        return features_of(code, tree, wanted)
    return reformatted_features(like, tree, code, wanted)


def may_fire(rules: Iterable[type[CodeRule]], features: frozenset[str], settings: Settings) -> bool:
    """Whether one of ``rules`` could change a block with these :func:`screen` shapes: when not,
    the caller need not parse it with libcst for the rules at all."""
    return any(rule.triggered(features, settings) for rule in rules)


def apply_code_rules(
    module: cst.Module,
    settings: Settings,
    code: str | None = None,
    tree: ast.Module | None = None,
) -> tuple[cst.Module, list[str], list[str]]:
    """Run the enabled code rules in order on one parsed block.

    Returns the new module, the ids of rules that changed it, and warnings. ``code`` and ``tree``
    are ``module.code`` and its ``ast.parse`` when the caller has them already.

    Each round is one walk of the tree in which every rule has its turn (:mod:`._batch`), with
    scope metadata computed once and shared. A rule can open a chance for another (a dedented
    `else` leaves `if c: return a` and `return b` side by side): rounds repeat until one changes
    nothing, so that the result is a fixed point and a second call is a no-op (the pipeline's
    stability net checks exactly that). If a rule raises, or a round's output does not parse, the
    block is done again rule by rule, which undoes just the rule at fault and reports it.
    """
    current_code = module.code if code is None else code
    rules = [rule for rule in enabled_rules(settings) if issubclass(rule, CodeRule)]
    shapes = shapes_for(tuple(rules))
    try:
        features = features_of(
            current_code, tree if tree is not None else pyast.parse(current_code), shapes
        )
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        features = None  # no shortcut: every rule walks the block
    remember_code(module, current_code)
    if not all(batchable(rule) for rule in rules):
        return _one_rule_at_a_time(module, rules, settings, current_code, features)
    start = module
    fired: list[str] = []
    warnings: list[str] = []
    try:
        for _ in range(_MAX_BATCHED_ROUNDS):
            wanted = [r for r in rules if features is None or r.triggered(features, settings)]
            if not wanted:
                break
            transformers = [rule(settings) for rule in wanted]
            remember_code(module, current_code)
            new = run_batch(module, transformers)
            for transformer in transformers:
                warnings.extend(f"{transformer.id}: {w}" for w in transformer.warnings)
            changed = [t.id for t in transformers if t.fired]
            if new is module or not changed:
                break
            new_code = module_code(new)
            if new_code == current_code:
                break
            tree = pyast.parse(new_code)
            fired.extend(rule_id for rule_id in changed if rule_id not in fired)
            module, current_code = new, new_code
            features = code_features(tree, new_code, shapes)
        else:
            raise _NoFixedPoint
    except Exception:  # noqa: BLE001 - a rule's bug, deep nesting, a bad rewrite: one by one
        return _one_rule_at_a_time(start, rules, settings, start.code, None)
    return module, fired, list(dict.fromkeys(warnings))


class _NoFixedPoint(Exception):
    """The batched rounds did not settle: the rule-by-rule path decides, as it always did."""


def _one_rule_at_a_time(
    module: cst.Module,
    rules: list[type[CodeRule]],
    settings: Settings,
    current_code: str,
    features: frozenset[str] | None,
) -> tuple[cst.Module, list[str], list[str]]:
    """The rules one after another, each in its own walk: a rule that raises or whose output does
    not parse is undone (and reported) without costing the others."""
    shapes = shapes_for(tuple(rules))
    if features is None:
        try:
            features = code_features(pyast.parse(current_code), None, shapes)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            features = None
    fired: list[str] = []
    warnings: list[str] = []
    for _ in range(_MAX_ROUNDS):
        changed = False
        for rule in rules:
            if features is not None and not rule.requires <= features:
                continue
            transformer = rule(settings)
            try:
                new = transformer.apply(module)
            except RecursionError:
                warnings.append(f"{rule.id}: code nested too deeply, rule skipped")
                continue
            except Exception as exc:  # a bug in one rule must not cost the user the block
                warnings.append(f"{rule.id}: internal error ({type(exc).__name__}), rule skipped")
                continue
            warnings.extend(f"{rule.id}: {w}" for w in transformer.warnings)
            if new is module or not transformer.fired:
                continue
            code = new.code
            if code == current_code:
                continue
            try:
                tree = pyast.parse(code)
            except (SyntaxError, ValueError):
                warnings.append(f"{rule.id}: rewrite did not parse, undone")
                continue
            if rule.id not in fired:
                fired.append(rule.id)
            module, current_code, changed = new, code, True
            features = code_features(tree, None, shapes)
        if not changed:
            break
    return module, fired, list(dict.fromkeys(warnings))


# Rounds of the code rules per block; real code settles in one or two. A batched round defers
# what an earlier rule's rewrite of the same node hid, so it may need a few more.
_MAX_ROUNDS = 4
_MAX_BATCHED_ROUNDS = 8
