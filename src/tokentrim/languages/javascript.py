"""JavaScript (with JSX), TypeScript and TSX.

Kept: linter, type-checker, coverage and bundler directives (``// eslint-disable…``,
``// @ts-ignore``, ``/// <reference …/>``, ``// prettier-ignore``, ``/* istanbul ignore */``,
``/* webpackChunkName: … */``, ``/*#__PURE__*/``, ``//# sourceMappingURL=…``, ``/** @jsx h */``…),
in JavaScript, JSDoc that carries types a checker reads (``@type``, ``@typedef``, ``@callback``,
``@template``, ``@satisfies``, ``@import``), and ``/*! … */``, which minifiers preserve. Doc comments are
``/** … */``. A JSX comment ``{/* … */}`` on a line of its own goes with its braces, except
between two texts: JSX joins text lines with a space, so taking it out there would change the
rendered string; one that shares its line stays (the spaces around it may be a text child).
"""

from __future__ import annotations

import re
from typing import ClassVar

import tree_sitter

from tokentrim.languages._treesitter import Block, TreeSitterCleaner

__all__ = ["JavaScriptCleaner", "TsxCleaner", "TypeScriptCleaner"]

_DIRECTIVES = re.compile(
    r"^(?:eslint|globals?\s|exported\s|jshint|jslint|jscs:|tslint:|prettier-ignore|"
    r"(?:istanbul|c8|v8|node:coverage)\s+(?:ignore|disable|enable)|biome-ignore|deno-lint-ignore|"
    r"deno-fmt-ignore|deno-coverage-ignore|oxlint-|@ts-|@flow\b|@noflow\b|@jsx|@refresh\b|"
    r"[#@]\s*source(?:Mapping)?URL=|webpack[A-Z]\w*\s*:|@vite-ignore|turbopackIgnore|"
    r"[#@]__(?:PURE|NO_SIDE_EFFECTS|INLINE|KEY)__|@(?:jest|vitest)-environment|<reference\b|"
    r"<amd-(?:module|dependency)\b|stylelint-|cspell:|spell-checker:|@vue/component|"
    r"svelte-ignore|@format\b|@noformat\b)"
    r"|\bwebpack(?:ChunkName|Prefetch|Preload|Mode|Ignore|Exports|Include|Exclude)\s*:",
)
# JSDoc tags that type JavaScript for a checker (`// @ts-check`, `checkJs`): types, not prose.
# TypeScript's own types are in the code, so a .ts block does not keep these.
_JSDOC_TYPES = re.compile(r"@(?:type|typedef|callback|template|satisfies|import|enum|overload)\b")
_JS_DIRECTIVES = re.compile(f"{_DIRECTIVES.pattern}|{_JSDOC_TYPES.pattern}")


class JavaScriptCleaner(TreeSitterCleaner):
    language = "javascript"
    title = "JavaScript"
    # A TypeScript block labelled js still gets its comments stripped: same comment syntax.
    grammars: ClassVar[tuple[tuple[str, str], ...]] = (
        ("tree_sitter_javascript", "language"),
        ("tree_sitter_typescript", "language_typescript"),
        ("tree_sitter_typescript", "language_tsx"),
    )
    comment_types = frozenset({"comment", "html_comment"})
    directives = _JS_DIRECTIVES
    doc_prefixes = ("/**",)
    not_doc_prefixes = ("/**/", "/***")

    def is_comment(self, node: tree_sitter.Node) -> bool:
        if node.type in self.comment_types:
            return True
        return node.type == "jsx_expression" and _only_comments(node)

    def kept(self, block: Block) -> set[int]:
        kept = super().kept(block)
        for comment in block.comments:
            if comment.text.startswith("/*!"):
                kept.add(comment.index)
            elif comment.node.type == "jsx_expression" and not (
                comment.own_line and _jsx_removable(comment.node)
            ):
                kept.add(comment.index)
        return kept

    def leaf_text(self, node: tree_sitter.Node, source: bytes) -> bytes:
        text = source[node.start_byte : node.end_byte]
        if node.type == "jsx_text":
            return _jsx_string(text)
        return text


class TypeScriptCleaner(JavaScriptCleaner):
    language = "typescript"
    title = "TypeScript"
    directives = _DIRECTIVES
    grammars = (
        ("tree_sitter_typescript", "language_typescript"),
        ("tree_sitter_typescript", "language_tsx"),
    )


class TsxCleaner(JavaScriptCleaner):
    language = "tsx"
    title = "TSX"
    grammars = (("tree_sitter_typescript", "language_tsx"),)
    directives = _DIRECTIVES


def _only_comments(node: tree_sitter.Node) -> bool:
    named = node.named_children
    return bool(named) and all(child.type == "comment" for child in named)


def _jsx_removable(node: tree_sitter.Node) -> bool:
    """Not between two JSX texts with words in them."""
    return not all(
        sibling is not None and sibling.type == "jsx_text" and (sibling.text or b"").strip()
        for sibling in (node.prev_sibling, node.next_sibling)
    )


def _jsx_string(text: bytes) -> bytes:
    """The string JSX makes of a text child (Babel's rule): whitespace next to a line break is
    dropped, lines that become empty go, the others are joined by one space."""
    lines = text.replace(b"\r\n", b"\n").split(b"\n")
    kept = []
    for index, line in enumerate(lines):
        if index > 0:
            line = line.lstrip(b" \t")
        if index < len(lines) - 1:
            line = line.rstrip(b" \t")
        if line:
            kept.append(line)
    return b" ".join(kept)
