"""Python source → ``ModuleInfo``: signatures, docstring summaries, ``__all__``, constants, imports.

Pure: a string in, a value out; ``ExtractError`` when the source does not parse. Signatures are
taken from libcst's exact source of each decorator, parameter and annotation, put on one line, with
defaults longer than ``LONG_DEFAULT`` characters elided as ``...``. Functions nested in functions are
part of their enclosing function (their references count for it); classes nested in classes are
symbols of their own. ``@overload`` stubs and property setters/deleters give way to the one
definition a reader looks for (the implementation, the getter).
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Sequence

import libcst as cst

from tokentrim import pyast
from tokentrim.digest.model import Import, Kind, ModuleInfo, Symbol, unique
from tokentrim.digest.terms import words

__all__ = ["ExtractError", "LONG_DEFAULT", "extract", "summary_line"]

LONG_DEFAULT = 24
SUMMARY_CHARS = 160
TEXT_CHARS = 1500

_CONSTANT = re.compile(r"^_*[A-Z][A-Z0-9_]+$")  # two characters at least: not a TypeVar T
_WHITESPACE = re.compile(r"\s+")
_PARAM = re.compile(r"[(,]\s*\**([A-Za-z_][A-Za-z0-9_]*)")


class ExtractError(ValueError):
    """The source does not parse as Python (the message says where)."""


def extract(source: str) -> ModuleInfo:
    """The digest's view of one Python module; raises ``ExtractError`` if it does not parse."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise ExtractError(f"does not parse (line {exc.raw_line}): {exc.message}") from None
    except (RecursionError, MemoryError) as exc:
        raise ExtractError(f"does not parse: {type(exc).__name__}") from None
    collector = _Collector(module)
    module.visit(collector)
    lines = _definition_lines(source)
    symbols = tuple(
        # The docstring's text has served once it is terms: the cache keeps only those.
        dataclasses.replace(
            symbol, line=lines.get(symbol.qualname, 0), terms=_terms(symbol), text=""
        )
        for symbol in _prefer_definitions(collector.symbols)
    )
    doc = module.get_docstring(clean=True) or ""
    all_names, constants = _module_names(module)
    return ModuleInfo(
        doc=summary_line(doc),
        all=all_names,
        constants=constants,
        imports=tuple(collector.imports),
        symbols=symbols,
        names=unique(collector.module_names),
        attrs=unique(collector.module_attrs),
        terms=tuple(words(" ".join([doc[:TEXT_CHARS], *constants]))),
    )


def _terms(symbol: Symbol) -> tuple[str, ...]:
    # The name counts twice: it is what a symbol is about; the docstring says it in prose.
    params = " ".join(_PARAM.findall(symbol.signature.rsplit("\n", 1)[-1]))
    name = symbol.name
    return tuple(words(" ".join([name, name, symbol.parent, params, symbol.text])))


def summary_line(docstring: str) -> str:
    """The docstring's first paragraph on one line, cut near ``SUMMARY_CHARS`` at a sentence end."""
    paragraph = docstring.strip().split("\n\n", 1)[0]
    line = _WHITESPACE.sub(" ", paragraph).strip()
    if len(line) <= SUMMARY_CHARS:
        return line
    cut = line.rfind(". ", 0, SUMMARY_CHARS)
    return line[: cut + 1] if cut > 0 else line[: SUMMARY_CHARS - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------- visitor


@dataclasses.dataclass
class _Open:
    qualname: str
    kind: Kind
    signature: str
    doc: str
    text: str
    is_function: bool
    overload: bool = False
    accessor: bool = False  # a property's @x.setter / @x.deleter
    names: list[str] = dataclasses.field(default_factory=list)
    attrs: list[str] = dataclasses.field(default_factory=list)


class _Collector(cst.CSTVisitor):
    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self.stack: list[_Open] = []
        self.owners: list[cst.CSTNode] = []
        self.done: list[tuple[int, _Open]] = []
        self.order = 0
        self.imports: list[Import] = []
        self.module_names: list[str] = []
        self.module_attrs: list[str] = []

    @property
    def symbols(self) -> list[tuple[_Open, Symbol]]:
        return [
            (
                item,
                Symbol(
                    qualname=item.qualname,
                    kind=item.kind,
                    signature=item.signature,
                    doc=item.doc,
                    text=item.text,
                    names=unique([n for n in item.names if n != item.qualname.rpartition(".")[2]]),
                    attrs=unique(item.attrs),
                ),
            )
            for _, item in sorted(self.done, key=lambda pair: pair[0])
        ]

    def _pop(self, node: cst.CSTNode) -> None:
        # Only the node that pushed an entry pops it (nested defs and classes in functions don't).
        if self.owners and self.owners[-1] is node:
            self.owners.pop()
            self.stack.pop()

    def _in_function(self) -> bool:
        return bool(self.stack) and self.stack[-1].is_function

    def _push(self, item: _Open, node: cst.CSTNode) -> None:
        self.stack.append(item)
        self.owners.append(node)
        self.done.append((self.order, item))
        self.order += 1

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if self._in_function():
            return True
        parent = self.stack[-1].qualname + "." if self.stack else ""
        doc = node.get_docstring(clean=True) or ""
        fields = _class_fields(node)
        self._push(
            _Open(
                qualname=parent + node.name.value,
                kind="class",
                signature=_class_signature(self.module, node),
                doc=summary_line(doc),
                text=" ".join([doc[:TEXT_CHARS], *fields]).strip(),
                is_function=False,
            ),
            node,
        )
        return True

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._pop(original_node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if self._in_function():
            self.stack[-1].names.append(node.name.value)
            return True
        in_class = bool(self.stack)
        parent = self.stack[-1].qualname + "." if in_class else ""
        decorators = [_code(self.module, d.decorator) for d in node.decorators]
        doc = node.get_docstring(clean=True) or ""
        self._push(
            _Open(
                qualname=parent + node.name.value,
                kind="method" if in_class else "function",
                signature=_function_signature(self.module, node, decorators),
                doc=summary_line(doc),
                text=doc[:TEXT_CHARS],
                is_function=True,
                overload=any(d.rpartition(".")[2] == "overload" for d in decorators),
                accessor=any(d.endswith((".setter", ".deleter")) for d in decorators),
            ),
            node,
        )
        return True

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._pop(original_node)

    def visit_Name(self, node: cst.Name) -> None:
        (self.stack[-1].names if self.stack else self.module_names).append(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        (self.stack[-1].attrs if self.stack else self.module_attrs).append(node.attr.value)
        node.value.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            dotted = _code(self.module, alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.imports.append(Import(local=alias.asname.name.value, module=dotted))
            else:
                self.imports.append(Import(local=dotted.split(".")[0], module=dotted.split(".")[0]))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        module = "" if node.module is None else _code(self.module, node.module)
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            self.imports.append(Import(local="*", module=module, name="*", level=level))
            return False
        for alias in node.names:
            name = _code(self.module, alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.imports.append(Import(local=local, module=module, name=name, level=level))
        return False


def _prefer_definitions(pairs: Sequence[tuple[_Open, Symbol]]) -> list[Symbol]:
    """One symbol per qualname: the implementation over its ``@overload`` stubs, the getter over
    its setter; at the place the first one stood (source order)."""
    chosen: dict[str, tuple[_Open, Symbol]] = {}
    for item, symbol in pairs:
        held = chosen.get(item.qualname)
        if held is None:
            chosen[item.qualname] = (item, symbol)
            continue
        if item.accessor:
            continue
        if held[0].overload and not item.overload:
            # Keep the stubs' docstring if the implementation has none.
            doc = symbol.doc or held[1].doc
            text = symbol.text or held[1].text
            chosen[item.qualname] = (item, dataclasses.replace(symbol, doc=doc, text=text))
    return [symbol for _, symbol in chosen.values()]


# ---------------------------------------------------------------------------------------- signatures


def _function_signature(module: cst.Module, node: cst.FunctionDef, decorators: list[str]) -> str:
    params = _parameters(module, node.params)
    returns = "" if node.returns is None else f" -> {_code(module, node.returns.annotation)}"
    keyword = "async def" if node.asynchronous is not None else "def"
    head = f"{keyword} {node.name.value}({params}){returns}:"
    return "\n".join([*(f"@{d}" for d in decorators), head])


def _parameters(module: cst.Module, params: cst.Parameters) -> str:
    parts = [_param(module, p) for p in params.posonly_params]
    if params.posonly_params or isinstance(params.posonly_ind, cst.ParamSlash):
        parts.append("/")
    parts.extend(_param(module, p) for p in params.params)
    if isinstance(params.star_arg, cst.Param):
        parts.append(_param(module, params.star_arg, "*"))
    elif isinstance(params.star_arg, cst.ParamStar) or params.kwonly_params:
        parts.append("*")
    parts.extend(_param(module, p) for p in params.kwonly_params)
    if params.star_kwarg is not None:
        parts.append(_param(module, params.star_kwarg, "**"))
    return ", ".join(parts)


def _param(module: cst.Module, param: cst.Param, star: str = "") -> str:
    text = star + param.name.value
    if param.annotation is not None:
        text += f": {_code(module, param.annotation.annotation)}"
    if param.default is not None:
        default = _code(module, param.default)
        if len(default) > LONG_DEFAULT:
            default = "..."
        text += f" = {default}" if param.annotation is not None else f"={default}"
    return text


def _class_signature(module: cst.Module, node: cst.ClassDef) -> str:
    decorators = [f"@{_code(module, d.decorator)}" for d in node.decorators]
    args = [_code(module, arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for arg in node.bases]
    args += [
        _code(module, arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for arg in node.keywords
    ]
    bases = f"({', '.join(args)})" if args else ""
    return "\n".join([*decorators, f"class {node.name.value}{bases}:"])


def _code(module: cst.Module, node: cst.CSTNode) -> str:
    text = module.code_for_node(node).strip()
    if "\n" in text:
        if "#" in text:
            text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        text = _WHITESPACE.sub(" ", text)
        text = text.replace("( ", "(").replace("[ ", "[").replace(" ]", "]").replace(" )", ")")
        text = text.replace(",]", "]").replace(",)", ")")
    return text


def _class_fields(node: cst.ClassDef) -> list[str]:
    """Names assigned in the class body (dataclass fields, class constants): ranking text only."""
    names: list[str] = []
    if not isinstance(node.body, cst.IndentedBlock):
        return names
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                names.append(small.target.value)
            elif isinstance(small, cst.Assign):
                names.extend(
                    t.target.value for t in small.targets if isinstance(t.target, cst.Name)
                )
    return names


# ---------------------------------------------------------------------------------------- module level


def _module_names(module: cst.Module) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """``__all__`` (None when the module has none) and the module-level constants' names."""
    all_names: list[str] | None = None
    constants: list[str] = []
    for statement in _top_level(module.body):
        for small in statement.body:
            targets: list[cst.BaseExpression] = []
            value: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
                value = small.value
            elif isinstance(small, cst.AnnAssign):
                targets, value = [small.target], small.value
            elif isinstance(small, cst.AugAssign):
                targets, value = [small.target], small.value
            for target in targets:
                if not isinstance(target, cst.Name):
                    continue
                if target.value == "__all__" and value is not None:
                    listed = _string_list(value)
                    if listed is not None:
                        base = all_names if isinstance(small, cst.AugAssign) and all_names else []
                        all_names = [*base, *listed]
                elif _CONSTANT.match(target.value):
                    constants.append(target.value)
    return (None if all_names is None else unique(all_names)), unique(constants)


def _top_level(body: Sequence[cst.CSTNode]) -> list[cst.SimpleStatementLine]:
    """Module-level statement lines, including those under a top-level ``if``/``try``."""
    lines: list[cst.SimpleStatementLine] = []
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            lines.append(statement)
        elif isinstance(statement, cst.If | cst.Try) and isinstance(
            statement.body, cst.IndentedBlock
        ):
            lines.extend(s for s in statement.body.body if isinstance(s, cst.SimpleStatementLine))
    return lines


def _string_list(value: cst.BaseExpression) -> list[str] | None:
    if not isinstance(value, cst.List | cst.Tuple):
        return None
    names: list[str] = []
    for element in value.elements:
        if not isinstance(element.value, cst.SimpleString):
            return None
        evaluated = element.value.evaluated_value
        if not isinstance(evaluated, str):
            return None
        names.append(evaluated)
    return names


def _definition_lines(source: str) -> dict[str, int]:
    """qualname → line of its first definition; ``ast`` is ten times cheaper than libcst's
    position metadata for just this."""
    try:
        tree = pyast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    lines: dict[str, int] = {}

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                lines.setdefault(prefix + node.name, node.lineno)
                walk(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines.setdefault(prefix + node.name, node.lineno)

    walk(tree.body, "")
    return lines
