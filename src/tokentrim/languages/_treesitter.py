"""Comment stripping over tree-sitter: the core every non-Python family shares.

A block goes through:

1. **parse** with the family's grammars; the first that gives a tree without error or missing
   nodes wins. None does: the block is ``skipped``.
2. **decide** for every comment node (the tree says what is a comment: ``//`` in a string, a
   template literal, a regex literal or a heredoc is not one): keep it (directives and pragmas, the
   shebang, a licence header, a doc comment unless ``docstrings`` says otherwise, anything the
   family's rules protect), cut it to its summary (a doc comment at ``docstrings=summary``), or
   remove it.
3. **rewrite** the text with the layout rules of :mod:`._layout`: nothing else is reformatted.
4. **safety net**: the result must parse without errors, its tree without comments must be the
   original's (every node's kind in order, every leaf's text), and a second pass over it must
   change nothing. Otherwise the block keeps its original text and is ``failed`` with the reason.

Nothing here raises on bad input: :meth:`TreeSitterCleaner.clean` turns every problem into an
outcome.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import threading
from collections.abc import Iterator, Sequence
from typing import ClassVar

import tree_sitter

from tokentrim.languages import Cleaner, CleanOutcome
from tokentrim.languages._doc import body, summary_block, summary_lines
from tokentrim.languages._layout import rewrite
from tokentrim.languages._registry import INSTALL_HINT
from tokentrim.settings import Settings

__all__ = ["Block", "Comment", "TreeSitterCleaner", "doc_mode"]

# Parsing is linear, but a block this large is not a reply to trim interactively.
MAX_BLOCK_BYTES = 1_000_000

# Kept in every language: editor modelines, licence markers, minifier "keep this" markers, and
# generated-file markers that tools look for.
_UNIVERSAL_KEEP = re.compile(
    r"^(?:vim?|ex):|-\*-.*-\*-|SPDX-License-Identifier|@license\b|@preserve\b|\bDO NOT EDIT\b",
    re.IGNORECASE,
)
_LICENCE = re.compile(r"copyright|\(c\)\s*\d|©|\blicen[cs]ed?\b|all rights reserved", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Comment:
    """One comment (or a unit such as JSX ``{/* … */}``) in UTF-8 byte offsets."""

    index: int
    node: tree_sitter.Node
    start: int
    end: int  # a trailing newline the grammar put in the node is not part of the span
    text: str
    row: int
    end_row: int
    own_line: bool  # only whitespace before it on its first line and after it on its last
    code_after: bool  # code follows it on its last line


@dataclasses.dataclass
class Block:
    """What the family's rules look at: the source, its tree and its comments."""

    source: bytes
    tree: tree_sitter.Tree
    comments: list[Comment]
    doc_mode: str  # "keep", "summary" or "strip"
    first_code_byte: int  # offset of the first byte that is neither whitespace nor a comment

    def group(self, index: int) -> list[Comment]:
        """The run of own-line comments on consecutive lines that holds comment ``index``."""
        comments = self.comments
        first = last = index
        while first > 0 and _adjacent(comments[first - 1], comments[first]):
            first -= 1
        while last + 1 < len(comments) and _adjacent(comments[last], comments[last + 1]):
            last += 1
        return comments[first : last + 1]


def _adjacent(a: Comment, b: Comment) -> bool:
    return a.own_line and b.own_line and b.row == a.end_row + 1


def doc_mode(settings: Settings) -> str:
    """What to do with doc comments: the ``docstrings`` rule's own switch, as for Python."""
    from tokentrim.rules import enabled_rules

    if not any(rule.id == "docstrings" for rule in enabled_rules(settings)):
        return "keep"
    mode = settings.effective_docstrings
    return mode if mode != "keep" else "summary"  # enabled explicitly: summaries


class _NetFailed(Exception):
    pass


class TreeSitterCleaner:
    """A :class:`~tokentrim.languages.Cleaner` over one family's tree-sitter grammars.

    A family sets the class attributes and overrides the hooks below ``clean``.
    """

    language: str
    title: ClassVar[str]  # for messages: "Go", "C#"
    # (module, function) of each grammar, tried in order; the package is the module's PyPI name.
    grammars: ClassVar[tuple[tuple[str, str], ...]]
    comment_types: ClassVar[frozenset[str]] = frozenset({"comment"})
    # Substrings without which a block has no comment at all (a cheap early exit).
    markers: ClassVar[tuple[bytes, ...]] = (b"//", b"/*")
    # Matched against a comment's body (its text without markers, see _doc.body).
    directives: ClassVar[re.Pattern[str] | None] = None
    # A comment starting with one of these is a doc comment (the longest match names its kind).
    doc_prefixes: ClassVar[tuple[str, ...]] = ()
    # Comment starts that are not doc comments although a doc prefix matches them.
    not_doc_prefixes: ClassVar[tuple[str, ...]] = ("////", "/**/", "/***")

    @classmethod
    def load(cls) -> Cleaner | str:
        languages = []
        for module_name, function in cls.grammars:
            package = module_name.replace("_", "-")
            try:
                module = importlib.import_module(module_name)
                languages.append(tree_sitter.Language(getattr(module, function)()))
            except ImportError:
                return (
                    f"tree-sitter grammar for {cls.title} is not installed ({package}): "
                    f"{INSTALL_HINT}"
                )
            except (ValueError, AttributeError, TypeError) as exc:
                return f"tree-sitter grammar for {cls.title} ({package}) cannot be loaded: {exc}"
        return cls(languages)

    def __init__(self, languages: Sequence[tree_sitter.Language]) -> None:
        self._languages = tuple(languages)
        # A tree-sitter parser is not safe to share between threads (a proxy cleans replies on
        # several): each thread gets its own, made on first use. No lock on the trimming path.
        self._local = threading.local()

    def parsers(self) -> list[tree_sitter.Parser]:
        """This thread's parsers, one per grammar, in the order of ``grammars``."""
        parsers: list[tree_sitter.Parser] | None = getattr(self._local, "parsers", None)
        if parsers is None:
            parsers = self._local.parsers = [tree_sitter.Parser(lang) for lang in self._languages]
        return parsers

    def clean(self, code: str, settings: Settings) -> CleanOutcome:
        """Strip one block's comments; never raises on bad input."""
        try:
            source = code.encode("utf-8")
        except UnicodeEncodeError:
            return CleanOutcome(code, "skipped", "not valid Unicode (lone surrogates)")
        if len(source) > MAX_BLOCK_BYTES:
            return CleanOutcome(
                code, "skipped", f"block of {len(source):,} bytes is over the limit"
            )
        if not any(marker in source for marker in self.markers):
            return CleanOutcome(code, "unchanged")
        try:
            return self._clean(code, source, settings)
        except _NetFailed as exc:
            return CleanOutcome(code, "failed", str(exc))
        except (RecursionError, MemoryError):
            return CleanOutcome(code, "skipped", "code nested too deeply for the parser")
        except Exception as exc:  # noqa: BLE001 - a bug here must not lose the block
            return CleanOutcome(code, "failed", f"internal error: {type(exc).__name__}: {exc}")

    def _clean(self, code: str, source: bytes, settings: Settings) -> CleanOutcome:
        parsed = self._parse(source)
        if parsed is None:
            return CleanOutcome(code, "skipped", self._parse_error(source))
        parser, tree = parsed
        mode = doc_mode(settings)
        new, doc_changed = self._one_pass(source, tree, mode)
        if new == source:
            return CleanOutcome(code, "unchanged")
        if not new.strip():
            return CleanOutcome(code, "unchanged", "nothing but comments: kept as it was")
        new_tree = parser.parse(new)
        if new_tree.root_node.has_error:
            line = _first_error_line(new_tree.root_node)
            raise _NetFailed(f"the result does not parse as {self.title} (line {line})")
        before = self._signature(tree.root_node, source)
        after = self._signature(new_tree.root_node, new)
        if before != after:
            raise _NetFailed(
                f"stripping changed the code's tokens: {_first_difference(before, after)}"
            )
        again, _ = self._one_pass(new, new_tree, mode)
        if again != new:
            raise _NetFailed("a second pass changed the result (not idempotent)")
        try:
            text = new.decode("utf-8")
        except UnicodeDecodeError:
            raise _NetFailed("the result is not valid UTF-8") from None
        return CleanOutcome(text, "changed", rules=("docstrings",) if doc_changed else ())

    def _parse(self, source: bytes) -> tuple[tree_sitter.Parser, tree_sitter.Tree] | None:
        for parser in self.parsers_for(source):
            tree = parser.parse(source)
            if not tree.root_node.has_error:
                return parser, tree
        return None

    def _parse_error(self, source: bytes) -> str:
        tree = self.parsers_for(source)[0].parse(source)
        return f"does not parse as {self.title} (error at line {_first_error_line(tree.root_node)})"

    def _one_pass(self, source: bytes, tree: tree_sitter.Tree, mode: str) -> tuple[bytes, bool]:
        """The source with its comments handled, and whether a doc comment changed."""
        comments = self.collect(tree.root_node, source)
        if not comments:
            return source, False
        block = Block(source, tree, comments, mode, _first_code_byte(source, comments))
        kept = self.kept(block)
        removals: list[tuple[int, int]] = []
        replacements: list[tuple[int, int, bytes]] = []
        doc_changed = False
        done: set[int] = set()
        for comment in comments:
            if comment.index in done or comment.index in kept:
                continue
            if comment.code_after and comment.end_row > comment.row:
                # A multi-line comment with code after it: taking it out would pull that code up
                # a line (and a newline in a comment ends a statement in JS and Go).
                continue
            doc = self.doc_kind(comment, block)
            if doc is None:
                removals.append((comment.start, comment.end))
                continue
            if mode == "keep" or doc == "keep":
                continue
            members = self._doc_run(comment, doc, block, kept)
            done.update(member.index for member in members)
            if mode == "strip":
                removals.extend((member.start, member.end) for member in members)
                doc_changed = True
                continue
            summary = (
                summary_block(comment.text)
                if doc.startswith("/*")
                else summary_lines([m.text for m in members], doc)
            )
            if summary is None:
                continue
            if summary != comment.text or len(members) > 1:
                replacements.append((comment.start, comment.end, summary.encode("utf-8")))
                removals.extend((m.start, m.end) for m in members[1:])
                doc_changed = True
        if not removals and not replacements:
            return source, False
        return rewrite(source, removals, replacements), doc_changed

    def _doc_run(self, first: Comment, doc: str, block: Block, kept: set[int]) -> list[Comment]:
        """A line doc comment and the ones of the same kind on the lines below it."""
        if doc.startswith("/*"):
            return [first]
        members = [first]
        for comment in block.comments[first.index + 1 :]:
            previous = members[-1]
            if not (
                _adjacent(previous, comment)
                and comment.index not in kept
                and self.doc_kind(comment, block) == doc
            ):
                break
            members.append(comment)
        return members

    # ------------------------------------------------------------------ hooks for families

    def parsers_for(self, source: bytes) -> Sequence[tree_sitter.Parser]:
        """The parsers to try, in order."""
        return self.parsers()

    def collect(self, root: tree_sitter.Node, source: bytes) -> list[Comment]:
        """Every comment node, in source order (comments are not looked into)."""
        found: list[Comment] = []
        for node in _walk(root, self.is_comment):
            start, end = node.start_byte, node.end_byte
            while end > start and source[end - 1] in b"\r\n":
                end -= 1
            line_start = source.rfind(b"\n", 0, start) + 1
            line_end = source.find(b"\n", end)
            if line_end == -1:
                line_end = len(source)
            before = source[line_start:start]
            after = source[end:line_end]
            found.append(
                Comment(
                    index=len(found),
                    node=node,
                    start=start,
                    end=end,
                    text=source[start:end].decode("utf-8", "replace"),
                    row=node.start_point[0],
                    end_row=node.start_point[0] + source.count(b"\n", start, end),
                    own_line=not before.strip() and not after.strip(),
                    code_after=bool(after.strip()),
                )
            )
        return found

    def is_comment(self, node: tree_sitter.Node) -> bool:
        return node.type in self.comment_types

    def kept(self, block: Block) -> set[int]:
        """Indexes of the comments that stay: directives, shebang, licence header, groups."""
        kept: set[int] = set()
        for comment in block.comments:
            if comment.index in kept:
                continue
            text = comment.text
            if comment.start == 0 and text.startswith("#!"):
                kept.add(comment.index)
                continue
            inner = body(text)
            if _UNIVERSAL_KEEP.search(inner) or (
                self.directives is not None and self.directives.search(inner)
            ):
                kept.add(comment.index)
            elif comment.start < block.first_code_byte and _LICENCE.search(inner):
                kept.update(member.index for member in block.group(comment.index))
        return kept

    def doc_kind(self, comment: Comment, block: Block) -> str | None:
        """The doc prefix (``///``, ``/**``...) when ``comment`` is a doc comment, else None;
        ``"keep"`` for a doc comment that must stay whatever ``docstrings`` says."""
        text = comment.text
        if text.startswith(self.not_doc_prefixes):
            return None
        matches = [prefix for prefix in self.doc_prefixes if text.startswith(prefix)]
        return max(matches, key=len) if matches else None

    def leaf_text(self, node: tree_sitter.Node, source: bytes) -> bytes:
        """A leaf's text as the signature compares it."""
        return source[node.start_byte : node.end_byte]

    def _signature(self, root: tree_sitter.Node, source: bytes) -> list[tuple[str, bytes | None]]:
        """Every non-comment node's kind in order, with the text of the leaves."""
        signature: list[tuple[str, bytes | None]] = []
        cursor = root.walk()
        while True:
            node = cursor.node
            assert node is not None
            if self.is_comment(node):
                pass
            elif node.child_count == 0:
                signature.append((node.type, self.leaf_text(node, source)))
            else:
                signature.append((node.type, None))
                if cursor.goto_first_child():
                    continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return signature


def _walk(root: tree_sitter.Node, stop: object) -> Iterator[tree_sitter.Node]:
    """Nodes for which ``stop(node)`` is true, in source order, not descending into them."""
    assert callable(stop)
    cursor = root.walk()
    while True:
        node = cursor.node
        assert node is not None
        if stop(node):
            yield node
        elif cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def _first_code_byte(source: bytes, comments: Sequence[Comment]) -> int:
    at = 0
    for comment in comments:
        if source[at : comment.start].strip():
            break
        at = comment.end
    while at < len(source) and source[at : at + 1].isspace():
        at += 1
    return at


def _first_error_line(root: tree_sitter.Node) -> int:
    cursor = root.walk()
    while True:
        node = cursor.node
        assert node is not None
        if node.is_error or node.is_missing:
            return node.start_point[0] + 1
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return root.start_point[0] + 1


def _first_difference(
    before: Sequence[tuple[str, bytes | None]], after: Sequence[tuple[str, bytes | None]]
) -> str:
    for index, (old, new) in enumerate(zip(before, after, strict=False)):
        if old != new:
            return f"{_show(old)} became {_show(new)} (node {index})"
    return f"{len(before)} nodes became {len(after)}"


def _show(item: tuple[str, bytes | None]) -> str:
    kind, text = item
    return kind if text is None else f"{kind} {text.decode('utf-8', 'replace')[:40]!r}"
