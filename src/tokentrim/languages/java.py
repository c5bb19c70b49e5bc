"""Java and Kotlin.

Kept: IDE and linter switches (``//noinspection``, ``// CHECKSTYLE:OFF``, ``// NOSONAR``,
``// @formatter:off``, ``//$NON-NLS-1$``, ``// language=SQL``, ``// ktlint-disable``…). A Java
comment with a ``\\u`` escape in it is kept: javac decodes unicode escapes before it finds
comments, so ``// \\u000a code()`` is code. Doc comments are ``/** … */`` (Javadoc, KDoc).
"""

from __future__ import annotations

import re

from tokentrim.languages._treesitter import Block, TreeSitterCleaner

__all__ = ["JavaCleaner", "KotlinCleaner"]

_DIRECTIVES = re.compile(
    r"^(?:noinspection\b|CHECKSTYLE\s*:|NOSONAR\b|@formatter:|\$NON-NLS|language\s*=|"
    r"ktlint-(?:disable|enable)|detekt:|spotless:|suppress\b|NOPMD\b|PMD\b|errorprone:)"
    r"|NOSONAR|NOPMD|\$NON-NLS-\d+\$",
    re.IGNORECASE,
)


class JavaCleaner(TreeSitterCleaner):
    language = "java"
    title = "Java"
    grammars = (("tree_sitter_java", "language"),)
    comment_types = frozenset({"line_comment", "block_comment"})
    directives = _DIRECTIVES
    doc_prefixes = ("/**",)

    def kept(self, block: Block) -> set[int]:
        kept = super().kept(block)
        kept.update(c.index for c in block.comments if "\\u" in c.text)
        return kept


class KotlinCleaner(TreeSitterCleaner):
    language = "kotlin"
    title = "Kotlin"
    grammars = (("tree_sitter_kotlin", "language"),)
    comment_types = frozenset({"line_comment", "block_comment"})
    directives = _DIRECTIVES
    doc_prefixes = ("/**",)
