"""The shape of the package: modules import on their own, no import cycle, sorted ``__all__``
that names what exists, and no module grows past what a reader takes in at once."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import tokentrim

SRC = Path(tokentrim.__file__).resolve().parent
MAX_LINES = 550  # "about 500"; fences.py, the CommonMark scanner, is the one exception
LONG_ALLOWED = {"tokentrim.fences"}
# Parts whose dependencies are extras: they must import cleanly when the extra is installed,
# and are imported here only then.
OPTIONAL = {"tokentrim.server": "starlette", "tokentrim.integrations.litellm": "litellm"}


def _modules() -> list[str]:
    names = ["tokentrim"]
    for info in pkgutil.walk_packages([str(SRC)], prefix="tokentrim."):
        names.append(info.name)
    return sorted(names)


def _path(module: str) -> Path:
    parts = module.split(".")[1:]
    package = SRC.joinpath(*parts, "__init__.py")
    return package if package.exists() else SRC.joinpath(*parts[:-1], parts[-1] + ".py")


def _installed(module: str) -> bool:
    for prefix, requirement in OPTIONAL.items():
        if module == prefix or module.startswith(prefix + "."):
            return importlib.util.find_spec(requirement) is not None
    return True


# __main__ runs the CLI when imported: it is not a library module.
MODULES = [m for m in _modules() if _installed(m) and m != "tokentrim.__main__"]


# A fresh interpreter per module, cheaply: one process loads the third-party libraries (which
# cannot hide an import cycle of ours), then forks a child per module that imports only it.
_FORK_EACH = """
import os, sys, traceback
for heavy in ("libcst", "black", "tiktoken", "click", "rich", "genai_prices", "numpy"):
    try:
        __import__(heavy)
    except ImportError:
        pass
assert not any(name.startswith("tokentrim") for name in sys.modules)
failures = 0
for module in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            __import__(module)
        except BaseException:
            print(module + ": " + traceback.format_exc().strip().splitlines()[-1], flush=True)
            os._exit(1)
        os._exit(0)
    failures += os.waitpid(pid, 0)[1] != 0
sys.exit(1 if failures else 0)
"""


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FORK_EACH, *MODULES], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]


def _imports(module: str) -> set[str]:
    """The tokentrim modules ``module`` imports anywhere (lazy imports too), except for typing."""
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    is_package = _path(module).name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    typing_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for stmt in branch.body
        for node in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    known = set(_modules())
    return {name for name in found if name in known and name != module}


def test_no_import_cycle() -> None:
    """A package's own __init__ importing its submodules is not a cycle (Python's own rule:
    the parent always loads first); any other loop is."""
    graph = {
        module: {
            target
            for target in _imports(module)
            if not target.startswith(module + ".")  # package → its own submodule
        }
        for module in _modules()
    }
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append(" → ".join([*stack[stack.index(target) :], target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == []


@pytest.mark.parametrize("module", MODULES)
def test_all_is_sorted_and_names_what_exists(module: str) -> None:
    imported = importlib.import_module(module)
    names = getattr(imported, "__all__", None)
    if names is None:
        return
    assert list(names) == sorted(names), f"{module}.__all__ is not sorted"
    assert len(set(names)) == len(names)
    missing = [name for name in names if not hasattr(imported, name)]
    assert missing == []


def test_no_module_is_too_long_to_read() -> None:
    long = {
        module: lines
        for module in _modules()
        if module not in LONG_ALLOWED
        and (lines := len(_path(module).read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
