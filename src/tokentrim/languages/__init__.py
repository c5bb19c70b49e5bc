"""One cleaner per language family, behind one protocol and one outcome type.

``trim()`` asks :func:`cleaner_for` for the block's language and calls its ``clean`` (or, for a
:class:`BatchCleaner`, ``clean_batch`` once with all the reply's blocks of that language); a
language without a cleaner (or whose optional grammar is not installed) leaves the block
``skipped``.
Python is built in (libcst + black). The other families (JavaScript/TypeScript, Go, Rust, Java,
Kotlin, C/C++, C#, Swift, Ruby, PHP, shell) strip comments over tree-sitter grammars, an extra
(``tokentrim[languages]``); each is registered here under its canonical name, and
:func:`canonical_language` maps a fence's language (``js``, ``golang``, ``c++``, ``sh``...) to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from tokentrim.settings import Settings

__all__ = [
    "BatchCleaner",
    "CleanOutcome",
    "Cleaner",
    "Status",
    "canonical_language",
    "cleaner_for",
    "register_cleaner",
]

Status = Literal["changed", "unchanged", "skipped", "failed"]


@dataclasses.dataclass(frozen=True)
class CleanOutcome:
    """What a cleaner did to one block: the new code (the original unless ``changed``)."""

    code: str
    status: Status
    reason: str = ""
    rules: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


class Cleaner(Protocol):
    """Cleans one block of one language; never raises on bad input."""

    language: str

    def clean(self, code: str, settings: Settings) -> CleanOutcome: ...


class BatchCleaner(Cleaner, Protocol):
    """A cleaner that cleans the blocks of one reply together (Python: one formatter run per
    pass for all of them); each outcome is what ``clean`` gives that block."""

    def clean_batch(
        self, codes: Sequence[str], settings: Settings
    ) -> tuple[list[CleanOutcome], list[str]]:
        """One outcome per block, in order, and the warnings about the batch as a whole."""
        ...


_FACTORIES: dict[str, Callable[[], Cleaner | str]] = {}
_CLEANERS: dict[str, Cleaner | str] = {}


def register_cleaner(language: str, factory: Callable[[], Cleaner | str]) -> None:
    """Register ``factory`` for ``language``: it returns the cleaner, or why there is none
    (an optional grammar that is not installed). Called once, on first use."""
    _FACTORIES[language] = factory
    _CLEANERS.pop(language, None)


def cleaner_for(language: str) -> Cleaner | str | None:
    """The cleaner for a normalised language name, a reason when it cannot be had, or None."""
    if language in _CLEANERS:
        return _CLEANERS[language]
    factory = _FACTORIES.get(language)
    if factory is None:
        return None
    cleaner = _CLEANERS[language] = factory()
    return cleaner


def canonical_language(lang: str) -> str:
    """The canonical name of a normalised fence language (``"js"`` → ``"javascript"``,
    ``"c++"`` → ``"cpp"``); a name without an alias is returned as it is."""
    return _ALIASES.get(lang, lang)


_ALIASES: dict[str, str] = {
    alias: canonical
    for canonical, aliases in {
        "javascript": ("js", "mjs", "cjs", "jsx", "node", "nodejs", "es6", "ecmascript"),
        "typescript": ("ts", "mts", "cts"),
        "tsx": ("typescriptreact",),
        "go": ("golang",),
        "rust": ("rs",),
        "java": (),
        "kotlin": ("kt", "kts"),
        "c": ("h",),
        "cpp": ("c++", "cc", "cxx", "hpp", "hh", "hxx", "h++", "cplusplus"),
        "csharp": ("cs", "c#", "c-sharp"),
        "swift": (),
        "ruby": ("rb", "jruby"),
        "php": ("php7", "php8"),
        "bash": ("sh", "shell", "zsh", "ksh", "shellscript"),
    }.items()
    for alias in aliases
}


def _python() -> Cleaner:
    from tokentrim.languages.python import PythonCleaner

    return PythonCleaner()


register_cleaner("python", _python)


def _tree_sitter(language: str) -> Callable[[], Cleaner | str]:
    def factory() -> Cleaner | str:
        from tokentrim.languages._registry import load_cleaner

        return load_cleaner(language)

    return factory


for _language in (
    "javascript",
    "typescript",
    "tsx",
    "go",
    "rust",
    "java",
    "kotlin",
    "c",
    "cpp",
    "csharp",
    "swift",
    "ruby",
    "php",
    "bash",
):
    register_cleaner(_language, _tree_sitter(_language))
del _language
