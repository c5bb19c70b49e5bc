"""Which module holds each tree-sitter family, loaded on the first block of that language."""

from __future__ import annotations

import importlib

from tokentrim.languages import Cleaner

__all__ = ["FAMILIES", "load_cleaner"]

# canonical language -> (module under tokentrim.languages, cleaner class)
FAMILIES: dict[str, tuple[str, str]] = {
    "javascript": ("javascript", "JavaScriptCleaner"),
    "typescript": ("javascript", "TypeScriptCleaner"),
    "tsx": ("javascript", "TsxCleaner"),
    "go": ("go", "GoCleaner"),
    "rust": ("rust", "RustCleaner"),
    "java": ("java", "JavaCleaner"),
    "kotlin": ("java", "KotlinCleaner"),
    "c": ("c_family", "CCleaner"),
    "cpp": ("c_family", "CppCleaner"),
    "csharp": ("c_family", "CSharpCleaner"),
    "swift": ("swift", "SwiftCleaner"),
    "ruby": ("ruby", "RubyCleaner"),
    "php": ("php", "PhpCleaner"),
    "bash": ("shell", "ShellCleaner"),
}

INSTALL_HINT = "pip install 'tokentrim[languages]'"


def load_cleaner(language: str) -> Cleaner | str:
    """The cleaner for a canonical language, or why there is none (a grammar not installed)."""
    module_name, class_name = FAMILIES[language]
    try:
        import tree_sitter  # noqa: F401 - only to tell a missing core apart from a missing grammar
    except ImportError:
        return f"tree-sitter is not installed: {INSTALL_HINT}"
    module = importlib.import_module(f"tokentrim.languages.{module_name}")
    loaded: Cleaner | str = getattr(module, class_name).load()
    return loaded
