"""Ruby.

Kept: magic comments (``# frozen_string_literal: true``, ``# encoding:``, ``# warn_indent:``,
``# shareable_constant_value:``, ``# typed:``), RuboCop, SimpleCov, RDoc and type-annotation
comments (``# rubocop:disable``, ``# :nocov:``, ``# :nodoc:``, ``#:`` RBS, ``# @type`` Steep).
``=begin``/``=end`` blocks are comments too. A ``#`` in a string or a heredoc is not a comment
(the tree says so). Ruby has no doc-comment syntax of its own: every comment is a comment.
"""

from __future__ import annotations

import re

from tokentrim.languages._treesitter import TreeSitterCleaner

__all__ = ["RubyCleaner"]

_DIRECTIVES = re.compile(
    r"^(?:frozen_string_literal:|(?:en)?coding[:=]|warn_indent:|warn_past_scope:|"
    r"shareable_constant_value:|typed:|rubocop:|:nocov:|:nodoc:|:stopdoc:|:startdoc:|:enddoc:|"
    r":yields:|:call-seq:|steep:|rbs_inline:|@rbs\b|@type\s|:|reek:|standard:|sorbet)",
    re.IGNORECASE,
)


class RubyCleaner(TreeSitterCleaner):
    language = "ruby"
    title = "Ruby"
    grammars = (("tree_sitter_ruby", "language"),)
    markers = (b"#", b"=begin")
    directives = _DIRECTIVES
