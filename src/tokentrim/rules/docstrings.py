"""``docstrings``: cut docstrings to their summary line (``docstrings=summary``) or drop them (``strip``).

Docstrings of the module, classes and functions are rewritten; other strings are left alone. A body
that would become empty gets ``pass``. The rule does not fire in a block that reads docstrings at run
time: ``__doc__``, ``help(...)``, or an import of a library that turns docstrings into behaviour
(click/typer help, docopt, PLY grammars, doctest, ``inspect.getdoc``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

from tokentrim.rules import CodeRule, register
from tokentrim.rules._cst import is_string_statement
from tokentrim.rules._facts import module_code
from tokentrim.settings import Settings
from tokentrim.words import first_sentence

# Libraries whose behaviour depends on docstrings; importing any of them keeps every docstring.
_DOC_CONSUMERS = frozenset(
    {
        "argh",
        "click",
        "docopt",
        "doctest",
        "fire",
        "inspect",
        "invoke",
        "plac",
        "ply",
        "pydoc",
        "typer",
        "sly",
    }
)
_SECTION = re.compile(
    r"(>>>|\.\. |:param|:return|:raises|@param|(Args|Arguments|Parameters|Returns?|Raises|Yields?|"
    r"Examples?|Notes?|Attributes|Example usage|Usage|Params)\s*:?\s*$)",
    re.IGNORECASE,
)
_Owner = TypeVar("_Owner", cst.FunctionDef, cst.ClassDef)


@register
class Docstrings(CodeRule):
    id = "docstrings"
    level = "aggressive"
    trigger = "docstring"
    description = "Cut docstrings to their summary line (docstrings=summary) or drop them (strip)."
    before = 'def area(r):\n    """Return the area.\n\n    Args:\n        r: radius.\n    """\n    return 3.14 * r * r\n'
    after = 'def area(r):\n    """Return the area."""\n    return 3.14 * r * r\n'

    @classmethod
    def wanted(cls, settings: Settings) -> bool:
        return settings.effective_docstrings != "keep"

    @classmethod
    def triggered(cls, features: frozenset[str], settings: Settings) -> bool:
        # Summaries change only a docstring longer than its summary (`_screen` asks
        # `summary_literal` about each); stripping changes any.
        strip = settings.effective_docstrings == "strip"
        return ("docstring" if strip else "docstring-summary") in features

    @classmethod
    def shapes(cls) -> frozenset[str]:
        return frozenset({"docstring", "docstring-summary"})

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        mode = settings.effective_docstrings
        # Enabled explicitly (--enable docstrings) while the setting says "keep": summaries.
        self.mode = mode if mode != "keep" else "summary"
        self.blocked = False

    # Docstrings belong to modules, classes and functions: nothing inside a simple statement or
    # an expression can hold one.
    prune = (cst.SimpleStatementLine, cst.BaseExpression)

    def visit_Module(self, node: cst.Module) -> bool:
        code = module_code(node)
        if "__doc__" in code or "help" in code or any(name in code for name in _DOC_CONSUMERS):
            finder = _DocReaders()  # only a block that spells one of them can read docstrings
            node.visit(finder)
            self.blocked = finder.found
        return not self.blocked

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if self.blocked:
            return updated_node
        body = self._rewrite(updated_node.body, is_module=True)
        return updated_node if body is None else updated_node.with_changes(body=body)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        return self._leave_suite_owner(updated_node)

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        return self._leave_suite_owner(updated_node)

    def _leave_suite_owner(self, node: _Owner) -> _Owner:
        if self.blocked or not isinstance(node.body, cst.IndentedBlock):
            return node
        body = self._rewrite(node.body.body, is_module=False)
        if body is None:
            return node
        return node.with_changes(body=node.body.with_changes(body=body))

    def _rewrite(
        self, body: Sequence[cst.BaseStatement], *, is_module: bool
    ) -> list[cst.BaseStatement] | None:
        """The body with its docstring rewritten, or None when there is nothing to do."""
        string = _docstring(body)
        if string is None:
            return None
        first = body[0]
        assert isinstance(first, cst.SimpleStatementLine)
        rest = list(body[1:])
        if self.mode == "strip":
            if rest and is_string_statement(rest[0]) or not rest and is_module:
                # The next string would become the docstring; or the block is only a docstring.
                return None
            self.fired += 1
            if rest:
                moved = [line for line in first.leading_lines if line.comment is not None]
                following = rest[0]
                if isinstance(following, cst.SimpleStatementLine | cst.BaseCompoundStatement):
                    leading = [*moved, *following.leading_lines]
                    rest[0] = following.with_changes(leading_lines=leading)
                return rest
            return [first.with_changes(body=[cst.Pass()])]
        summary = summary_literal(string)
        if summary is None or summary == string.value:
            return None
        self.fired += 1
        expr = first.body[0]
        assert isinstance(expr, cst.Expr)
        new_expr = expr.with_changes(value=string.with_changes(value=summary))
        return [first.with_changes(body=[new_expr]), *rest]


def summary_literal(string: cst.SimpleString) -> str | None:
    """The docstring literal reduced to its first sentence, or None when that is not safe."""
    quote = string.quote
    body = string.value[len(string.prefix) + len(quote) : -len(quote)]
    if "\\\n" in body or "b" in string.prefix.lower():
        return None
    paragraph: list[str] = []
    for line in body.split("\n"):
        text = line.strip()
        if not text:
            if paragraph:
                break
            continue
        if _SECTION.match(text):
            break
        paragraph.append(text)
    if not paragraph:
        return None
    summary = first_sentence(" ".join(paragraph))
    if summary.endswith(("\\", quote[0])):
        return None
    return f"{string.prefix}{quote}{summary}{quote}"


def _docstring(body: Sequence[cst.BaseStatement]) -> cst.SimpleString | None:
    if not body:
        return None
    first = body[0]
    if not isinstance(first, cst.SimpleStatementLine) or len(first.body) != 1:
        return None
    expr = first.body[0]
    if isinstance(expr, cst.Expr) and isinstance(expr.value, cst.SimpleString):
        return expr.value
    return None


class _DocReaders(cst.CSTVisitor):
    """Finds code that reads docstrings at run time."""

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "__doc__":
            self.found = True

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "help":
            self.found = True

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._module(alias.name)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None:
            self._module(node.module)

    def _module(self, name: cst.Attribute | cst.Name) -> None:
        root = name
        while isinstance(root, cst.Attribute):
            root = root.value  # type: ignore[assignment]
        if isinstance(root, cst.Name) and root.value in _DOC_CONSUMERS:
            self.found = True
