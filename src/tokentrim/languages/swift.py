"""Swift.

Kept: ``// swiftlint:…``, ``// swift-format-ignore``, ``// sourcery:`` and ``// periphery:``
switches. Doc comments are ``///`` and ``/** … */``. Block comments nest; operators are spaced by
whitespace in Swift (``a +b`` is not ``a + b``), and a removed comment leaves the whitespace it
stood for.
"""

from __future__ import annotations

import re

from tokentrim.languages._treesitter import TreeSitterCleaner

__all__ = ["SwiftCleaner"]

_DIRECTIVES = re.compile(
    r"^(?:swiftlint:|swift-format-ignore|sourcery:|periphery:|swiftformat:)", re.IGNORECASE
)


class SwiftCleaner(TreeSitterCleaner):
    language = "swift"
    title = "Swift"
    grammars = (("tree_sitter_swift", "language"),)
    comment_types = frozenset({"comment", "multiline_comment"})
    directives = _DIRECTIVES
    doc_prefixes = ("///", "/**")
