"""Shell scripts (bash, sh, zsh, ksh), over the bash grammar.

Kept: the shebang and ``# shellcheck …`` directives. A ``#`` inside a word (``a#b``), a
parameter expansion (``${#x}``, ``$#``), a string or a heredoc is not a comment: the tree says so.
A zsh or ksh script the bash grammar cannot read is skipped.
"""

from __future__ import annotations

import re

from tokentrim.languages._treesitter import TreeSitterCleaner

__all__ = ["ShellCleaner"]

_DIRECTIVES = re.compile(r"^(?:shellcheck\s|shfmt:|bats\s|@(?:test|bats)\b)", re.IGNORECASE)


class ShellCleaner(TreeSitterCleaner):
    language = "bash"
    title = "shell"
    grammars = (("tree_sitter_bash", "language"),)
    markers = (b"#",)
    directives = _DIRECTIVES
