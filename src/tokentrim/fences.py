"""Find fenced code blocks in markdown exactly where a CommonMark parser finds them.

The rest of the pipeline rewrites Python code blocks and must leave every other byte alone, so
this module does two things only: it locates fenced code blocks (with their info string and
content as CommonMark defines them) and it puts text back together losslessly::

    segments = split(reply)                       # ["prose", CodeBlock, "prose", ...]
    join(segments) == reply                       # always
    join([(s, new_code(s)) if isinstance(s, CodeBlock) else s for s in segments])

``IncrementalScanner`` does the same for a reply that arrives in chunks (a streamed completion):
prose is released as soon as it cannot belong to a code block, a code block once it is complete.

Container blocks matter because a fence can live inside them: block quotes (``> ```py``), list
items (``1. ```py`` with content indented under the item) and any nesting of the two. The
scanner implements the container part of the CommonMark block algorithm line by line, in the
variant markdown-it(-py) uses, which is the reference our tests compare against on generated
markdown. Where markdown-it deviates from the spec text (continuation ``>`` lines indented four
or more spaces stay in the quote, lazy lines are tested for interruption relative to the
innermost list item, whitespace-only lines inside a fence keep their relative indentation, a
final line of only spaces is no line, nesting deeper than 20 levels is dropped) we follow
markdown-it, so that a block we rewrite is the block a renderer shows.

Known limitations (all outside what LLM replies contain in practice):

* a link reference definition is recognised only when it fits on one line; multi-line ones are
  treated as paragraphs, which may change how a later lazy line or indented line is read;
* ``CodeBlock.info`` keeps backslash escapes and entity references as written, like
  markdown-it's ``token.info``; ``code`` keeps NUL characters, which renderers replace with
  U+FFFD.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tokentrim.caching import per_call

__all__ = [
    "CodeBlock",
    "CodeEvent",
    "Event",
    "IncrementalScanner",
    "ProseEvent",
    "can_render",
    "find_code_blocks",
    "join",
    "normalize_lang",
    "render_block",
    "split",
]


@dataclass(frozen=True)
class CodeBlock:
    """One fenced code block, with everything needed to rebuild its text.

    ``start``/``end`` are character offsets into the scanned text; ``text[start:end]`` is the
    whole block from the start of the opening fence line (container markers such as ``> `` or
    ``1. `` included) to just after the closing fence line and its line ending. An unclosed
    block ends where its container ends (or at the end of the text).

    ``code`` is the content as CommonMark defines it: container markers and up to ``indent``
    columns of fence indentation removed, lines joined with ``"\\n"`` whatever the original line
    endings were. It ends with ``"\\n"`` unless the block is unclosed at the very end of a text
    without a final newline.

    The rest serves ``render_block``: ``fence`` is the opening run (``"```"``, ``"~~~~"``),
    ``indent`` the fence's indentation inside its container (0-3 columns), ``prefix`` what a
    new content line is prefixed with (quote markers, list indentation, fence indentation),
    ``line_ending`` the ending for new lines, and ``opening_line`` + ``content_lines`` +
    ``closing_line`` (``""`` when not ``closed``) are the original lines with their endings.
    """

    info: str
    lang: str
    code: str
    start: int
    end: int
    closed: bool
    fence: str
    indent: int
    prefix: str
    line_ending: str
    opening_line: str
    content_lines: tuple[str, ...]
    closing_line: str

    @property
    def text(self) -> str:
        """The original text of the block (``source[start:end]``)."""
        return self.opening_line + "".join(self.content_lines) + self.closing_line


@dataclass(frozen=True)
class ProseEvent:
    """Text that is not part of any fenced code block."""

    text: str

    @property
    def raw(self) -> str:
        return self.text


@dataclass(frozen=True)
class CodeEvent:
    """A complete fenced code block; ``raw`` is its original text."""

    block: CodeBlock
    raw: str


Event = ProseEvent | CodeEvent
Segment = str | CodeBlock | tuple[CodeBlock, str]


def find_code_blocks(text: str) -> list[CodeBlock]:
    """Every fenced code block of ``text``, in document order.

    Within one ``trim()`` call (:func:`tokentrim.caching.one_call`) a text is scanned once,
    however many text rules, the pipeline and the cost report ask.
    """
    shared = per_call("fences.code_blocks")
    if shared is None:
        return _scan(text)
    found = shared.get(text)
    if found is None:
        found = shared[text] = _scan(text)
    return list(found)


def _scan(text: str) -> list[CodeBlock]:
    machine = _Machine()
    blocks: list[CodeBlock] = []
    pos = 0
    for match in _EOL.finditer(text):
        block = machine.line(text[pos : match.start()], match.group(), pos)
        if block is not None:
            blocks.append(block)
        pos = match.end()
    # markdown-it does not count a last line of only spaces/tabs without a line ending.
    if pos < len(text) and text[pos:].strip(" \t"):
        block = machine.line(text[pos:], "", pos)
        if block is not None:
            blocks.append(block)
    block = machine.finish()
    if block is not None:
        blocks.append(block)
    return blocks


def split(text: str) -> list[str | CodeBlock]:
    """The text cut into prose strings (never empty) and code blocks, in order; see ``join``."""
    segments: list[str | CodeBlock] = []
    pos = 0
    for block in find_code_blocks(text):
        if block.start > pos:
            segments.append(text[pos : block.start])
        segments.append(block)
        pos = block.end
    if pos < len(text):
        segments.append(text[pos:])
    return segments


def join(segments: Iterable[Segment]) -> str:
    """Concatenate segments; a ``(block, new_code)`` pair renders the block with new code."""
    parts: list[str] = []
    for segment in segments:
        if isinstance(segment, str):
            parts.append(segment)
        elif isinstance(segment, CodeBlock):
            parts.append(segment.text)
        else:
            block, new_code = segment
            parts.append(render_block(block, new_code))
    return "".join(parts)


def render_block(block: CodeBlock, new_code: str) -> str:
    """The text of ``block`` with its content replaced by ``new_code``.

    The opening and closing fence lines are kept byte for byte. A new line that equals the old
    line at the same position reuses the original text of that line; other lines get the
    block's container prefix (quote markers, list indentation, fence indentation) and line
    ending, so the result parses back to ``new_code`` in the same place of the document. In
    texts that mix "\\r" with "\\n" endings a line may get another ending than the block's, so
    that a "\\r" never runs into a following "\\n".
    Raises ``ValueError`` when a line of ``new_code`` would close the fence early; check with
    ``can_render`` first.
    """
    if not can_render(block, new_code):
        raise ValueError("new code contains a line that would close the code fence")
    new_lines, ends_with_newline = _code_lines(new_code)
    old_lines, _ = _code_lines(block.code)
    originals = block.content_lines
    lines = [_split_eol(block.opening_line)]
    if new_lines and not lines[0][1]:
        lines[0][1] = block.line_ending
    for index, line in enumerate(new_lines):
        if index < len(originals) and index < len(old_lines) and old_lines[index] == line:
            lines.append(_split_eol(originals[index]))
            if not lines[-1][1]:
                lines[-1][1] = block.line_ending
        else:
            body = (block.prefix + line) if line else block.prefix.rstrip(" ")
            lines.append([body, block.line_ending])
    if new_lines and not (ends_with_newline or block.closed or _final_eol(block.text)):
        lines[-1][1] = ""  # an unclosed block at the very end of a text without final newline
    if block.closing_line:
        lines.append(_split_eol(block.closing_line))
    # A "\r" ending followed by "\n" would read as one "\r\n": never let endings merge, with
    # the text after the block (which may start with "\n" unless the block ended with "\r")
    # or with the ending of an empty line that follows.
    final = _final_eol(block.text)
    if lines[-1][1] == "\r" and final and final != "\r":
        lines[-1][1] = final
    parts: list[str] = []
    after_cr = False
    for body, eol in lines:
        if not body and after_cr and eol == "\n":
            eol = "\r\n"
        parts.append(body + eol)
        if body or eol:
            after_cr = eol == "\r"
    return "".join(parts)


def can_render(block: CodeBlock, new_code: str) -> bool:
    """Whether ``render_block(block, new_code)`` keeps every line of ``new_code`` inside the fence."""
    marker = block.fence[0]
    old_lines, _ = _code_lines(block.code)
    for index, line in enumerate(_code_lines(new_code)[0]):
        stripped = line.lstrip(" \t")
        if not stripped.startswith(block.fence) or stripped.rstrip(" \t").strip(marker):
            continue
        if index < len(old_lines) and old_lines[index] == line:
            continue  # rendered from its original text, which did not close the fence
        # Count a tab as one column, the least it can be, so that any doubt rejects the line.
        if block.indent + len(line) - len(stripped) < 4:
            return False
    return True


def normalize_lang(info: str) -> str:
    """The language named by an info string, lowercased; the Python spellings become "python".

    ``"Python3"``, ``"py"``, ``"{.python .numberLines}"``, ``'python title="x.py"'`` all give
    ``"python"``; ``"JS"`` gives ``"js"``; an empty info string gives ``""``.
    """
    words = info.strip().split()
    if not words:
        return ""
    word = words[0]
    if word.startswith("{"):
        # Pandoc attributes: the first class names the language ("{#id .python .numberLines}").
        inner = info.strip()[1:].split("}", 1)[0].split()
        classes = [w for w in inner if w.startswith(".")]
        word = (classes or inner or [""])[0]
    word = _LANG_CUT.split(word.lstrip(".="), 1)[0].lower()
    return "python" if _PYTHON_NAMES.fullmatch(word) else word


class IncrementalScanner:
    """Find code blocks in text that arrives in chunks, releasing prose as early as possible.

    ``feed`` and ``close`` return events whose raw texts concatenate to the input, and the code
    blocks they carry equal ``find_code_blocks`` of the whole input. A complete line that is not
    part of a code block is released at once; an incomplete line is held only while it could
    still become an opening fence (container markers and fence characters so far), or while a
    code block is open. Work is linear in the input: state is kept per line, never rescanned.
    """

    def __init__(self) -> None:
        self._machine = _Machine()
        self._offset = 0
        self._line: list[str] = []
        self._released = 0  # characters of the current line already released as prose
        self._pending_cr = False
        self._probe = _OpenerProbe()
        self._prose: list[str] = []
        self._events: list[Event] = []

    def feed(self, chunk: str) -> list[Event]:
        start = 0
        end = len(chunk)
        if self._pending_cr and chunk:
            self._pending_cr = False
            if chunk[0] == "\n":
                start = 1
                self._end_line("\r\n")
            else:
                self._end_line("\r")
        while start < end:
            match = _EOL_CHAR.search(chunk, start)
            if match is None:
                self._extend(chunk[start:])
                break
            at = match.start()
            if at > start:
                self._extend(chunk[start:at])
            if chunk[at] == "\n":
                self._end_line("\n")
                start = at + 1
            elif at + 1 == end:
                self._pending_cr = True  # "\r" may be the first half of "\r\n"
                start = end
            elif chunk[at + 1] == "\n":
                self._end_line("\r\n")
                start = at + 2
            else:
                self._end_line("\r")
                start = at + 1
        return self._take_events()

    def close(self) -> list[Event]:
        if self._pending_cr:
            self._pending_cr = False
            self._end_line("\r")
        if self._line:
            text = "".join(self._line)
            if text.strip(" \t"):
                self._end_line("")
            else:
                # Not a line for markdown-it: prose after whatever block is still open.
                self._emit_block(self._machine.finish())
                self._prose.append(text[self._released :])
                self._reset_line()
        self._emit_block(self._machine.finish())
        return self._take_events()

    def _extend(self, piece: str) -> None:
        self._line.append(piece)
        if self._released:
            self._prose.append(piece)
            self._released += len(piece)
        elif not self._machine.in_fence and self._probe.rules_out_fence(piece):
            text = "".join(self._line)
            self._line = [text]
            self._prose.append(text)
            self._released = len(text)

    def _end_line(self, eol: str) -> None:
        text = "".join(self._line)
        block = self._machine.line(text, eol, self._offset)
        if block is not None:
            self._emit_block(block)
        if not self._machine.last_line_in_block:
            self._prose.append(text[self._released :] + eol)
        elif self._released:
            raise AssertionError("a line released as prose became part of a code block")
        self._offset += len(text) + len(eol)
        self._reset_line()

    def _reset_line(self) -> None:
        self._line = []
        self._released = 0
        self._probe = _OpenerProbe()

    def _emit_block(self, block: CodeBlock | None) -> None:
        if block is None:
            return
        self._flush_prose()
        self._events.append(CodeEvent(block, block.text))

    def _flush_prose(self) -> None:
        if self._prose:
            text = "".join(self._prose)
            self._prose = []
            if text:
                self._events.append(ProseEvent(text))

    def _take_events(self) -> list[Event]:
        self._flush_prose()
        events, self._events = self._events, []
        return events


# --------------------------------------------------------------------------------------------
# Helpers for the public functions.

_EOL = re.compile(r"\r\n|\r|\n")
_EOL_CHAR = re.compile(r"[\r\n]")
_LANG_CUT = re.compile(r"[{},;:(\[=]")
_PYTHON_NAMES = re.compile(r"(?:py|python)(?:3(?:\.\d+)?)?")


def _code_lines(code: str) -> tuple[list[str], bool]:
    """The lines of ``code`` and whether it ends with a line break ("" has no lines)."""
    if not code:
        return [], False
    lines = _EOL.split(code)
    if lines[-1] == "":
        lines.pop()
        return lines, True
    return lines, False


def _split_eol(line: str) -> list[str]:
    body = line.rstrip("\r\n")
    return [body, line[len(body) :]]


def _final_eol(text: str) -> str:
    if text.endswith("\r\n"):
        return "\r\n"
    return text[-1:] if text.endswith(("\n", "\r")) else ""


class _OpenerProbe:
    """Decides, one character at a time, that a line cannot be an opening fence.

    It accepts any prefix of ``(spaces | ">" | list marker + space)* fence-run``, a superset of
    every opening fence line in any container; anything else is certainly not one. Each
    character is looked at once, so a long undecided line costs linear time.
    """

    __slots__ = ("count", "run_char", "state")

    def __init__(self) -> None:
        # 0 prefix, 1 after a bullet, 2 digits, 3 after "." or ")", 4 fence run, 5 maybe a fence
        self.state = 0
        self.count = 0
        self.run_char = ""

    def rules_out_fence(self, piece: str) -> bool:
        state = self.state
        if state == 5:
            return False  # already held as a possible fence: hold the whole line
        count = self.count
        for char in piece:
            if state == 0:
                if char in " \t>":
                    continue
                if char in "-+*":
                    state = 1
                elif "0" <= char <= "9":
                    state, count = 2, 1
                elif char in "`~":
                    state, count, self.run_char = 4, 1, char
                else:
                    return True
            elif state == 1 or state == 3:
                if char not in " \t":
                    return True
                state = 0
            elif state == 2:
                if "0" <= char <= "9":
                    count += 1
                    if count > 9:
                        return True
                elif char in ".)":
                    state = 3
                else:
                    return True
            elif char == self.run_char:
                count += 1
                if count >= 3:
                    self.state = 5
                    return False
            else:
                return True
        self.state, self.count = state, count
        return False


# --------------------------------------------------------------------------------------------
# The block machine: markdown-it's block rules, restated as a line-at-a-time state machine.
#
# markdown-it keeps, per line and per block-quote level, a "view" of the line: where the
# content starts after the quote markers (bmark), how many whitespace characters follow
# (tshift), how many columns they are wide (scount, -1 for a lazy continuation line) and the
# virtual column of bmark used to expand tabs (bscount). List items do not change the view;
# they set the indentation ("blk") their content lines need. We keep the same numbers so that
# tab and indentation edge cases come out as markdown-it computes them.

View = tuple[int, int, int, int]  # bmark, tshift, scount, bscount

_ROOT, _QUOTE, _LIST = 0, 1, 2
_NONE, _PARA, _CODE, _HTML, _FENCE = 0, 1, 2, 3, 4
_MAX_NESTING = 20


class _Frame:
    """An open container: the document, a block quote, or a list with its current item."""

    __slots__ = (
        "awaiting",
        "blank_start",
        "blk",
        "dead",
        "html_type",
        "kind",
        "last_line_empty",
        "leaf",
        "level",
        "list_indent",
        "marker",
        "ordered",
        "parent_blk",
        "qdepth",
    )

    def __init__(self, kind: int, parent: _Frame | None) -> None:
        self.kind = kind
        self.leaf = _NONE
        self.html_type = 0
        self.dead = False
        self.last_line_empty = False
        self.blank_start = False
        self.awaiting = False
        self.ordered = False
        self.marker = ""
        if parent is None:
            self.blk, self.list_indent, self.level, self.qdepth, self.parent_blk = 0, -1, 0, 0, 0
            return
        self.parent_blk = parent.blk
        if kind == _QUOTE:
            self.blk = 0
            self.list_indent = parent.list_indent
            self.level = parent.level + 1
            self.qdepth = parent.qdepth + 1
        else:
            self.blk = parent.blk
            self.list_indent = parent.blk
            self.level = parent.level + 2
            self.qdepth = parent.qdepth


class _OpenFence:
    __slots__ = (
        "code",
        "indent",
        "info",
        "length",
        "line_ending",
        "lines",
        "marker",
        "opening",
        "prefix",
        "start",
        "strip",
    )

    def __init__(self, start: int, opening: str, marker: str, length: int) -> None:
        self.start = start
        self.opening = opening
        self.marker = marker
        self.length = length
        self.info = ""
        self.strip = 0
        self.indent = 0
        self.prefix = ""
        self.line_ending = "\n"
        self.lines: list[str] = []
        self.code: list[str] = []

    def block(self, closing: str) -> CodeBlock:
        content = "".join(self.lines)
        return CodeBlock(
            info=self.info,
            lang=normalize_lang(self.info),
            code="".join(self.code),
            start=self.start,
            end=self.start + len(self.opening) + len(content) + len(closing),
            closed=bool(closing),
            fence=self.marker * self.length,
            indent=self.indent,
            prefix=self.prefix,
            line_ending=self.line_ending,
            opening_line=self.opening,
            content_lines=tuple(self.lines),
            closing_line=closing,
        )


class _Machine:
    """Feed it lines in order; it returns each code block when the block is complete."""

    def __init__(self) -> None:
        self.stack: list[_Frame] = [_Frame(_ROOT, None)]
        self.views: list[View] = [(0, 0, 0, 0)]
        self.fence: _OpenFence | None = None
        self.last_line_in_block = False

    @property
    def in_fence(self) -> bool:
        return self.fence is not None

    def finish(self) -> CodeBlock | None:
        """End of text: an open fence ends unclosed."""
        del self.stack[1:]
        self.stack[0].leaf = _NONE
        return self._finish_fence()

    def line(self, text: str, eol: str, offset: int) -> CodeBlock | None:
        """Process one line (without its ending); return the code block it completed, if any.

        Afterwards ``last_line_in_block`` tells whether the line belongs to a code block (an
        opening, content or closing line) rather than to prose.
        """
        self.last_line_in_block = False
        self.views[0] = _root_view(text)
        finished = self._match_quotes(text) if len(self.stack) > 1 else None
        frame = self.stack[-1]
        view = self.views[frame.qdepth]
        leaf = frame.leaf
        if leaf == _FENCE:
            outcome = self._fence_line(text, eol, frame, view)
            if outcome is not False:
                self.last_line_in_block = True
                return outcome if isinstance(outcome, CodeBlock) else None
            finished = self._finish_fence()
        elif leaf == _PARA:
            if _paragraph_continues(text, view, frame):
                return finished
        elif leaf == _CODE:
            if view[0] + view[1] >= len(text) or view[2] - frame.blk >= 4:
                return finished
        elif leaf == _HTML:
            if _html_continues(text, view, frame):
                return finished
        frame.leaf = _NONE
        self._new_blocks(text, eol, offset)
        return finished

    # -- block quotes ------------------------------------------------------------------------

    def _match_quotes(self, text: str) -> CodeBlock | None:
        """Decide, outermost first, which open block quotes the line continues.

        Like markdown-it's blockquote rule, a quote is judged in the context of its parent: a
        ">" line (not outdented below the enclosing list item) continues it, an empty line or
        any line after an empty quote line ends it, a line that starts another block ends it,
        and anything else is a lazy continuation line (scount -1 inside).
        """
        stack = self.stack
        views = self.views
        view = views[0]
        n = len(text)
        for index in range(1, len(stack)):
            quote = stack[index]
            if quote.kind != _QUOTE:
                continue
            parent = stack[index - 1]
            first = view[0] + view[1]
            if first >= n:
                return self._cut(index)
            if text[first] == ">" and view[2] >= parent.blk:
                view = _quote_view(text, view)
                quote.last_line_empty = view[0] + view[1] >= n
            elif quote.last_line_empty or _interrupts(
                text, view, parent.blk, parent.list_indent, False
            ):
                return self._cut(index)
            else:
                view = (view[0], view[1], -1, view[3])
            views[quote.qdepth] = view
        return None

    def _cut(self, index: int) -> CodeBlock | None:
        """Close the containers from ``index`` on; the current line starts after them."""
        del self.stack[index:]
        self.stack[-1].leaf = _NONE
        return self._finish_fence()

    # -- fences ------------------------------------------------------------------------------

    def _fence_line(self, text: str, eol: str, frame: _Frame, view: View) -> bool | CodeBlock:
        """Content line (True), closing line (the finished block) or not in the fence (False)."""
        fence = self.fence
        assert fence is not None
        n = len(text)
        first = view[0] + view[1]
        scount = view[2]
        if first < n and scount < frame.blk:
            return False
        if first >= n and not eol:
            return False  # markdown-it stops at the end of the source (a bare ">" last line)
        if first < n and text[first] == fence.marker and scount - frame.blk < 4:
            end = first
            while end < n and text[end] == fence.marker:
                end += 1
            if end - first >= fence.length and not text[end:].strip(" \t"):
                self.fence = None
                frame.leaf = _NONE
                return fence.block(text + eol)
        fence.lines.append(text + eol)
        piece = _strip_columns(text, view, fence.strip)
        fence.code.append(piece + "\n" if eol else piece)
        return True

    def _finish_fence(self) -> CodeBlock | None:
        """End the open fence, if any, unclosed before the current line."""
        fence, self.fence = self.fence, None
        return fence.block("") if fence is not None else None

    def _open_fence(
        self, text: str, eol: str, offset: int, frame: _Frame, view: View, first: int, end: int
    ) -> None:
        fence = _OpenFence(offset, text + eol, text[first], end - first)
        fence.info = text[end:].strip(" \t")
        fence.strip = view[2]
        fence.indent = view[2] - frame.blk
        fence.line_ending = eol or "\n"
        parts = [" " * f.parent_blk + "> " for f in self.stack if f.kind == _QUOTE]
        parts.append(" " * view[2])
        fence.prefix = "".join(parts)
        frame.leaf = _FENCE
        self.fence = fence
        self.last_line_in_block = True

    # -- starting blocks ---------------------------------------------------------------------

    def _new_blocks(self, text: str, eol: str, offset: int) -> None:
        """markdown-it's tokenize loop: hand the line to the innermost container that takes it."""
        stack = self.stack
        views = self.views
        n = len(text)
        while True:
            frame = stack[-1]
            view = views[frame.qdepth]
            if frame.dead:
                return
            if frame.kind == _LIST and frame.awaiting:
                if not self._next_item(text, eol, offset, frame, view):
                    stack.pop()
                    continue
                return
            if view[0] + view[1] >= n:
                if frame.blank_start:
                    # An item that starts with a blank line ends at a second blank line.
                    frame.blank_start = False
                    frame.awaiting = True
                return
            if frame.kind == _LIST:
                frame.blank_start = False
                if view[2] < frame.blk:
                    if not self._next_item(text, eol, offset, frame, view):
                        stack.pop()
                        continue
                    return
            elif frame.kind == _QUOTE and view[2] < 0:
                stack.pop()
                continue
            self._enter(text, eol, offset, frame, view)
            return

    def _enter(self, text: str, eol: str, offset: int, frame: _Frame, view: View) -> None:
        """Start a block for a non-empty line inside ``frame`` (markdown-it's rule chain)."""
        if view[0] + view[1] >= len(text):
            return
        if frame.level >= _MAX_NESTING:
            frame.dead = True  # markdown-it skips everything this deep
            return
        first = view[0] + view[1]
        scount = view[2]
        if scount - frame.blk >= 4:
            frame.leaf = _CODE
            return
        char = text[first]
        if char == "`" or char == "~":
            end = _fence_run(text, first)
            if end:
                self._open_fence(text, eol, offset, frame, view, first, end)
                return
        elif char == ">":
            quote = _Frame(_QUOTE, frame)
            self.stack.append(quote)
            inner = _quote_view(text, view)
            if quote.qdepth == len(self.views):
                self.views.append(inner)
            else:
                self.views[quote.qdepth] = inner
            quote.last_line_empty = inner[0] + inner[1] >= len(text)
            self._enter(text, eol, offset, quote, inner)
            return
        if char in "*-_" and _is_thematic_break(text, first):
            return
        if char in "*-+" or "0" <= char <= "9":
            after = _ordered_marker(text, first)
            ordered = after >= 0
            if not ordered:
                after = _bullet_marker(text, first)
            if after >= 0:
                items = _Frame(_LIST, frame)
                items.ordered = ordered
                items.marker = text[after - 1]
                self.stack.append(items)
                self._start_item(text, eol, offset, items, view, after)
                return
        if char == "[" and _is_reference(text, first):
            return
        if char == "<":
            kind = _html_block_start(text[first:])
            if kind:
                if not _HTML_END[kind].search(text[first:]):
                    frame.leaf = _HTML
                    frame.html_type = kind
                return
        if char == "#" and _is_heading(text, first):
            return
        frame.leaf = _PARA

    def _next_item(self, text: str, eol: str, offset: int, items: _Frame, view: View) -> bool:
        """markdown-it's list loop: does the line start the next item of this list?"""
        n = len(text)
        first = view[0] + view[1]
        scount = view[2]
        blk = items.parent_blk
        if scount < blk or scount - blk >= 4 or first >= n:
            return False
        char = text[first]
        if char == ">" or ((char == "`" or char == "~") and _fence_run(text, first)):
            return False
        if char in "*-_" and _is_thematic_break(text, first):
            return False
        after = _ordered_marker(text, first) if items.ordered else _bullet_marker(text, first)
        if after < 0 or text[after - 1] != items.marker:
            return False
        self._start_item(text, eol, offset, items, view, after)
        return True

    def _start_item(
        self, text: str, eol: str, offset: int, items: _Frame, view: View, after: int
    ) -> None:
        bmark, tshift, scount, bscount = view
        n = len(text)
        initial = column = scount + after - (bmark + tshift)
        pos = after
        while pos < n:
            char = text[pos]
            if char == " ":
                column += 1
            elif char == "\t":
                column += 4 - (column + bscount) % 4
            else:
                break
            pos += 1
        # One space of padding when the item is empty or starts with indented code.
        padding = 1 if pos >= n else column - initial
        if padding > 4:
            padding = 1
        items.blk = initial + padding
        items.leaf = _NONE
        items.awaiting = False
        items.blank_start = pos >= n
        self._enter(text, eol, offset, items, (bmark, pos - bmark, column, bscount))


# --------------------------------------------------------------------------------------------
# Line-level tests, each the silent form of a markdown-it block rule.


def _root_view(text: str) -> View:
    if not text or (text[0] != " " and text[0] != "\t"):
        return (0, 0, 0, 0)
    pos = column = 0
    for char in text:
        if char == " ":
            column += 1
        elif char == "\t":
            column += 4 - column % 4
        else:
            break
        pos += 1
    return (0, pos, column, 0)


def _quote_view(text: str, view: View) -> View:
    """The view inside a block quote whose ">" is the first non-space character of ``view``."""
    bmark, tshift, scount, bscount = view
    n = len(text)
    pos = bmark + tshift + 1
    initial = column = scount + 1
    adjust_tab = 0
    space_after = 0
    if pos < n:
        char = text[pos]
        if char == " ":
            pos += 1
            initial += 1
            column += 1
            space_after = 1
        elif char == "\t":
            space_after = 1
            if (bscount + column) % 4 == 3:
                pos += 1
                initial += 1
                column += 1
            else:
                adjust_tab = 1  # the optional space is one column of the tab
    start = pos
    while pos < n:
        char = text[pos]
        if char == " ":
            column += 1
        elif char == "\t":
            column += 4 - (column + bscount + adjust_tab) % 4
        else:
            break
        pos += 1
    # markdown-it derives the tab origin from the outer indentation only (not the outer
    # origin); copy that so tabs inside nested quotes expand the way it expands them.
    return (start, pos - start, column - initial, scount + 1 + space_after)


def _strip_columns(text: str, view: View, columns: int) -> str:
    """Remove up to ``columns`` columns of indentation from the start of the view."""
    bmark, tshift, _, bscount = view
    pos = bmark
    n = len(text)
    width = 0
    while pos < n and width < columns:
        char = text[pos]
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - (width + bscount) % 4
        elif pos - bmark < tshift:
            width += 1
        else:
            break
        pos += 1
    if width > columns:
        return " " * (width - columns) + text[pos:]  # the rest of a partly removed tab
    return text[pos:]


def _paragraph_continues(text: str, view: View, frame: _Frame) -> bool:
    first = view[0] + view[1]
    if first >= len(text):
        return False
    scount = view[2]
    if scount - frame.blk > 3:
        return True
    if scount >= frame.blk and text[first] in "-=" and _is_setext_underline(text, first):
        frame.leaf = _NONE  # the paragraph became a heading; this line is its underline
        return True
    if scount < 0:
        return True
    return not _interrupts(text, view, frame.blk, frame.list_indent, True)


def _html_continues(text: str, view: View, frame: _Frame) -> bool:
    first = view[0] + view[1]
    empty = first >= len(text)
    if view[2] < frame.blk and (frame.html_type >= 6 or not empty):
        frame.leaf = _NONE
        return False
    rest = text[first:]
    if _HTML_END[frame.html_type].search(rest):
        frame.leaf = _NONE
        return bool(rest)
    return True


def _interrupts(text: str, view: View, blk: int, list_indent: int, in_paragraph: bool) -> bool:
    """Whether the line starts a block that ends a paragraph or a lazy block quote line."""
    first = view[0] + view[1]
    if first >= len(text):
        return False
    scount = view[2]
    if scount - blk >= 4:
        return False
    char = text[first]
    if char == "`" or char == "~":
        return bool(_fence_run(text, first))
    if char == ">":
        return True
    if char in "*-_" and _is_thematic_break(text, first):
        return True
    if char in "*-+" or "0" <= char <= "9":
        if list_indent >= 0 and scount - list_indent >= 4 and scount < blk:
            return False  # too far right of the enclosing list: a lazy continuation
        restricted = in_paragraph and scount >= blk
        after = _ordered_marker(text, first)
        if after >= 0:
            if restricted and int(text[first : after - 1]) != 1:
                return False
        else:
            after = _bullet_marker(text, first)
            if after < 0:
                return False
        return not (restricted and not text[after:].strip(" \t"))
    if char == "<":
        return 0 < _html_block_start(text[first:]) < 7
    if char == "#":
        return _is_heading(text, first)
    return False


def _fence_run(text: str, first: int) -> int:
    """End of the opening fence run at ``first``, or 0 when the line is no opening fence."""
    n = len(text)
    if first + 3 > n:
        return 0
    marker = text[first]
    end = first + 1
    while end < n and text[end] == marker:
        end += 1
    if end - first < 3:
        return 0
    if marker == "`" and "`" in text[end:]:
        return 0
    return end


def _is_thematic_break(text: str, first: int) -> bool:
    marker = text[first]
    count = 0
    for char in text[first:]:
        if char == marker:
            count += 1
        elif char != " " and char != "\t":
            return False
    return count >= 3


def _is_setext_underline(text: str, first: int) -> bool:
    rest = text[first:].rstrip(" \t")
    return not rest.strip(rest[0])


def _is_heading(text: str, first: int) -> bool:
    n = len(text)
    pos = first + 1
    level = 1
    while pos < n and text[pos] == "#" and level <= 6:
        level += 1
        pos += 1
    return level <= 6 and (pos >= n or text[pos] == " " or text[pos] == "\t")


def _bullet_marker(text: str, first: int) -> int:
    if text[first] not in "*-+":
        return -1
    pos = first + 1
    if pos < len(text) and text[pos] != " " and text[pos] != "\t":
        return -1
    return pos


def _ordered_marker(text: str, first: int) -> int:
    n = len(text)
    if first + 1 >= n or not "0" <= text[first] <= "9":
        return -1
    pos = first + 1
    while True:
        if pos >= n:
            return -1
        char = text[pos]
        pos += 1
        if "0" <= char <= "9":
            if pos - first >= 10:
                return -1
            continue
        if char == "." or char == ")":
            break
        return -1
    if pos < n and text[pos] != " " and text[pos] != "\t":
        return -1
    return pos


_REFERENCE = re.compile(
    r"""\[((?:[^\\\[\]]|\\.)*)\]:[ \t]*"""
    r"""(<(?:[^\\<>]|\\.)*>|(?!<)(?:[^\\ \x00-\x1f\x7f]|\\[^ ])+)"""
    r"""([ \t]+(?:"(?:[^\\"]|\\.)*"|'(?:[^\\']|\\.)*'|\((?:[^\\()]|\\.)*\)))?[ \t]*""",
    re.DOTALL,
)
_BAD_PROTOCOL = re.compile(r"(?:vbscript|javascript|file|data):", re.IGNORECASE)
_GOOD_DATA = re.compile(r"data:image/(?:gif|png|jpeg|webp);", re.IGNORECASE)


def _is_reference(text: str, first: int) -> bool:
    """A link reference definition on a single line (markdown-it's reference rule)."""
    match = _REFERENCE.fullmatch(text, first)
    if match is None or not match.group(1).strip():
        return False
    destination = match.group(2)
    if destination.startswith("<"):
        destination = destination[1:-1]
    else:
        depth = 0
        for char in destination.replace("\\(", "").replace("\\)", ""):
            depth += (char == "(") - (char == ")")
            if depth < 0:
                return False  # markdown-it stops the destination at an unbalanced ")"
        if depth:
            return False
    url = destination.strip().lower()
    return not (_BAD_PROTOCOL.match(url) and not _GOOD_DATA.match(url))


_BLOCK_NAMES = (
    "address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details"
    "|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset"
    "|h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav"
    "|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th"
    "|thead|title|tr|track|ul"
)
_ATTRIBUTE = (
    r"""(?:\s+[a-zA-Z_:][a-zA-Z0-9:._-]*"""
    r"""(?:\s*=\s*(?:[^"'=<>`\x00-\x20]+|'[^']*'|"[^"]*"))?)"""
)
_OPEN_TAG = r"<[A-Za-z][A-Za-z0-9\-]*" + _ATTRIBUTE + r"*\s*/?>"
_CLOSE_TAG = r"</[A-Za-z][A-Za-z0-9\-]*\s*>"
_HTML_START = (
    (1, re.compile(r"<(?a:script|pre|style|textarea)(?=\s|>|$)", re.IGNORECASE)),
    (2, re.compile(r"<!--")),
    (3, re.compile(r"<\?")),
    (4, re.compile(r"<![A-Za-z]")),
    (5, re.compile(r"<!\[CDATA\[")),
    (6, re.compile(r"</?(?a:" + _BLOCK_NAMES + r")(?=\s|/?>|$)", re.IGNORECASE)),
    (7, re.compile(r"(?:" + _OPEN_TAG + "|" + _CLOSE_TAG + r")\s*$")),
)
_HTML_END = {
    1: re.compile(r"</(?a:script|pre|style|textarea)>", re.IGNORECASE),
    2: re.compile(r"-->"),
    3: re.compile(r"\?>"),
    4: re.compile(r">"),
    5: re.compile(r"\]\]>"),
    6: re.compile(r"^$"),
    7: re.compile(r"^$"),
}


def _html_block_start(rest: str) -> int:
    """The HTML block type (1-7) that ``rest`` starts, or 0."""
    for kind, pattern in _HTML_START:
        if pattern.match(rest):
            return kind
    return 0
