"""Go.

Kept: compiler and tool directives (``//go:build``, ``//go:generate``, ``//go:embed``,
``//go:noinline``…, ``// +build``, ``//export``, ``//line``, ``//extern``, ``//sys``), linter
switches (``//nolint``, ``// #nosec``, ``//lint:ignore``, ``//revive:``), the cgo preamble (the
comments right above ``import "C"``: they are C code), and an example's ``// Output:`` comment
with the lines below it (``go test`` checks them). Doc comments are the comments right above a
top-level declaration or the package clause, with no blank line between.
"""

from __future__ import annotations

import re

import tree_sitter

from tokentrim.languages._treesitter import Block, Comment, TreeSitterCleaner

__all__ = ["GoCleaner"]

_DIRECTIVES = re.compile(
    r"^(?:go:\w|\+build\b|export\s|line\s|extern\s|sys(?:nb)?\s|nolint\b|#?nosec\b|lint:|"
    r"revive:|exhaustive:|gocritic:|nocheck:|(?:unordered\s+)?output:|#cgo\b)",
    re.IGNORECASE,
)
_OUTPUT = re.compile(r"^(?:unordered\s+)?output:", re.IGNORECASE)
_DECLARATIONS = frozenset(
    {
        "package_clause",
        "function_declaration",
        "method_declaration",
        "type_declaration",
        "const_declaration",
        "var_declaration",
    }
)


class GoCleaner(TreeSitterCleaner):
    language = "go"
    title = "Go"
    grammars = (("tree_sitter_go", "language"),)
    directives = _DIRECTIVES

    def kept(self, block: Block) -> set[int]:
        kept = super().kept(block)
        for comment in block.comments:
            if _OUTPUT.match(comment.text.lstrip("/* \t")):
                group = block.group(comment.index)
                kept.update(m.index for m in group if m.index >= comment.index)
        for node in block.tree.root_node.children:
            if node.type == "import_declaration" and b'"C"' in (node.text or b""):
                kept.update(m.index for m in _run_above(block, node.start_point[0]))
        return kept

    def doc_kind(self, comment: Comment, block: Block) -> str | None:
        if not comment.own_line or comment.node.parent != block.tree.root_node:
            return None
        run = block.group(comment.index)
        below = _next_code_sibling(run[-1])
        if below is None or below.type not in _DECLARATIONS:
            return None
        if below.start_point[0] != run[-1].end_row + 1:
            return None
        return "/*" if comment.text.startswith("/*") else "//"


def _run_above(block: Block, row: int) -> list[Comment]:
    """The comments ending on the line above ``row``, with their group."""
    for comment in block.comments:
        if comment.end_row == row - 1 and comment.own_line:
            return block.group(comment.index)
    return []


def _next_code_sibling(comment: Comment) -> tree_sitter.Node | None:
    node = comment.node.next_sibling
    while node is not None and node.type == "comment":
        node = node.next_sibling
    return node
