"""PHP.

A block with ``<?php`` (or ``<?=``) is read as a PHP file, with its HTML; one without, as bare PHP
code. Kept: ``// phpcs:…``, ``// @phpstan-…``, ``/** @var … */`` inline type hints, and any
docblock with an annotation a program reads (Doctrine's ``@ORM\\Column``, PHPUnit's
``@dataProvider``, ``@test``, static-analysis ``@template``, ``@extends``…): ``getDocComment()``
makes those behaviour. Doc comments are ``/** … */`` (PHPDoc).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import tree_sitter

from tokentrim.languages._treesitter import Block, Comment, TreeSitterCleaner

__all__ = ["PhpCleaner"]

_DIRECTIVES = re.compile(
    r"^(?:phpcs:|@phpcs|@phpstan-|@psalm-|@phan-|@codeCoverageIgnore|@noinspection|@var\s|"
    r"@infection-ignore|NOSONAR)",
    re.IGNORECASE,
)
# PHPDoc tags that only document: a docblock with any other tag is read by some program.
_DOC_ONLY_TAGS = frozenset(
    {
        "param",
        "return",
        "returns",
        "throws",
        "throw",
        "author",
        "since",
        "see",
        "link",
        "deprecated",
        "example",
        "todo",
        "version",
        "package",
        "subpackage",
        "internal",
        "copyright",
        "license",
        "category",
        "access",
        "api",
        "inheritdoc",
        "var",
        "type",
    }
)
_TAG = re.compile(r"(?<![\w{])@([A-Za-z][\w\\-]*)")


class PhpCleaner(TreeSitterCleaner):
    language = "php"
    title = "PHP"
    grammars = (("tree_sitter_php", "language_php_only"), ("tree_sitter_php", "language_php"))
    markers = (b"//", b"/*", b"#")
    directives = _DIRECTIVES
    doc_prefixes = ("/**",)

    def parsers_for(self, source: bytes) -> Sequence[tree_sitter.Parser]:
        parsers = self.parsers()
        return parsers[1:] if b"<?" in source else parsers[:1]

    def doc_kind(self, comment: Comment, block: Block) -> str | None:
        kind = super().doc_kind(comment, block)
        if kind is not None and block.doc_mode != "keep":
            tags = {tag.lower() for tag in _TAG.findall(comment.text)}
            if tags - _DOC_ONLY_TAGS:
                return "keep"
        return kind
