"""Rust.

Kept: ``// SAFETY:`` comments (with the comment lines below them: clippy's
``undocumented_unsafe_blocks`` looks for them above ``unsafe``), and compiletest and tidy markers.
Doc comments are ``///``, ``//!``, ``/** … */`` and ``/*! … */``; a crate or module that denies or
warns on ``missing_docs`` keeps all of them (removing one would break its build). Block comments
nest (``/* a /* b */ c */``): the grammar says where one ends.
"""

from __future__ import annotations

import re

from tokentrim.languages._treesitter import Block, Comment, TreeSitterCleaner

__all__ = ["RustCleaner"]

_DIRECTIVES = re.compile(r"^(?:SAFETY:|ignore-tidy|tidy-alphabetical|~|@ts-|rustfmt:|clippy:)")
_SAFETY = re.compile(r"^\s*SAFETY:", re.MULTILINE)
_MISSING_DOCS = re.compile(rb"#!?\[\s*(?:deny|warn|forbid)\s*\([^)]*missing_docs")


class RustCleaner(TreeSitterCleaner):
    language = "rust"
    title = "Rust"
    grammars = (("tree_sitter_rust", "language"),)
    comment_types = frozenset({"line_comment", "block_comment"})
    directives = _DIRECTIVES
    doc_prefixes = ("///", "//!", "/**", "/*!")

    def kept(self, block: Block) -> set[int]:
        kept = super().kept(block)
        for comment in block.comments:
            if _SAFETY.search(comment.text.lstrip("/*! \t")):
                group = block.group(comment.index)
                kept.update(m.index for m in group if m.index >= comment.index)
        return kept

    def doc_kind(self, comment: Comment, block: Block) -> str | None:
        kind = super().doc_kind(comment, block)
        if kind is not None and block.doc_mode != "keep" and _MISSING_DOCS.search(block.source):
            return "keep"  # a doc comment, but one the build needs
        return kind
