"""``unused-imports``: remove module-level imports whose name the block never uses.

Why this is ``aggressive``: a reply's code block is often a fragment that the reader pastes next to
other code, and an import that looks unused here may serve that code.

Policy (conservative where the block cannot tell):

* a name counts as used when it appears anywhere outside the import statements: as a name, an
  attribute, a keyword, or as a word inside any string (string annotations, ``__all__``, doctests,
  ``getattr(module, "name")``);
* never removed: ``from __future__``, star imports, explicit re-exports (``import x as x``,
  ``from m import x as x``), imports nested in ``try``/``if``/functions, and modules imported for
  their side effects (``readline``, ``mpl_toolkits.mplot3d``, ``this``, ...). Any other
  ``import x`` is assumed to have no side effect worth keeping — removing an unused import only
  skips the module's import-time code;
* the rule does not fire in a block that reads names dynamically (``globals()``, ``eval``, ...) or
  that is nothing but imports (a list of imports to paste is its own point).
"""

from __future__ import annotations

import re

import libcst as cst

from tokentrim.rules import CodeRule, register
from tokentrim.rules._cst import is_string_statement
from tokentrim.rules._facts import DYNAMIC_NAMES
from tokentrim.settings import Settings

_SIDE_EFFECT_MODULES = (
    "readline",
    "rlcompleter",
    "this",
    "antigravity",
    "site",
    "sitecustomize",
    "usercustomize",
    "__hello__",
    "__phello__",
    "mpl_toolkits.mplot3d",
    "encodings",
    "seaborn",
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@register
class UnusedImports(CodeRule):
    id = "unused-imports"
    level = "aggressive"
    trigger = "unused-import"
    description = "Remove module-level imports the block never uses."
    before = "import os\nimport sys\n\nprint(sys.argv)\n"
    after = "import sys\n\nprint(sys.argv)\n"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.used: set[str] = set()
        self.active = False

    def visit_Module(self, node: cst.Module) -> bool:
        if not any(
            isinstance(stmt, cst.SimpleStatementLine)
            and any(isinstance(s, cst.Import | cst.ImportFrom) for s in stmt.body)
            for stmt in node.body
        ):
            return False  # no module-level import: nothing to remove, no need to look for uses
        finder = _Uses()
        node.visit(finder)
        self.used = finder.names
        self.active = finder.has_code and not (finder.names & DYNAMIC_NAMES)
        return False

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.active:
            return updated_node
        body: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        fired = self.fired
        for stmt in updated_node.body:
            if carried:
                stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
                carried = []
            if not isinstance(stmt, cst.SimpleStatementLine):
                body.append(stmt)
                continue
            small = [s for s in (self._prune(s) for s in stmt.body) if s is not None]
            if small == list(stmt.body):
                body.append(stmt)
            elif small:
                last = small[-1]
                if last is not stmt.body[-1]:
                    small[-1] = last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                body.append(stmt.with_changes(body=small))
            else:
                carried = [line for line in stmt.leading_lines if line.comment is not None]
        first_removed = not body or body[0] is not updated_node.body[0]
        if body and first_removed and is_string_statement(body[0]):
            self.fired = fired  # a string would become the module docstring
            return updated_node
        return updated_node.with_changes(body=body)

    def _prune(self, small: cst.BaseSmallStatement) -> cst.BaseSmallStatement | None:
        if isinstance(small, cst.Import):
            module_of = {id(a): _name(a.name) for a in small.names}
        elif isinstance(small, cst.ImportFrom):
            if isinstance(small.names, cst.ImportStar) or small.relative or small.module is None:
                return small
            module = _name(small.module)
            if module == "__future__":
                return small
            module_of = {id(a): f"{module}.{_name(a.name)}" for a in small.names}
        else:
            return small
        names = small.names
        assert not isinstance(names, cst.ImportStar)
        keep = [a for a in names if self._keeps(a, module_of[id(a)])]
        if len(keep) == len(names):
            return small
        self.fired += len(names) - len(keep)
        if not keep:
            return None
        keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return small.with_changes(names=keep)

    def _keeps(self, alias: cst.ImportAlias, module: str) -> bool:
        full = _name(alias.name)
        if alias.asname is not None:
            bound = _name(alias.asname.name)
            if bound == full.rpartition(".")[2]:
                return True  # `import x as x`: an explicit re-export
        else:
            bound = full.partition(".")[0]
        if any(module == m or module.startswith(m + ".") for m in _SIDE_EFFECT_MODULES):
            return True
        return bound in self.used


class _Uses(cst.CSTVisitor):
    """Every name and string word outside import statements; whether there is non-import code."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.has_code = False

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            if not (
                isinstance(stmt, cst.SimpleStatementLine)
                and all(isinstance(s, cst.Import | cst.ImportFrom) for s in stmt.body)
            ):
                self.has_code = True

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.names.update(_WORD.findall(node.value))

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.names.update(_WORD.findall(node.value))


def _name(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_name(node.value)}.{node.attr.value}"
    return ""
