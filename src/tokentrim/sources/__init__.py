"""Readers and writers for saved LLM outputs: text files, JSONL of API objects, llm's logs.db.

Reading — every reply, whatever the file::

    from tokentrim.sources import iter_replies

    for reply in iter_replies(["replies/", "batch_output.jsonl", "logs.db", "-"], on_error=warn):
        reply.text, reply.model, reply.usage, reply.origin, reply.kind

``Reply(text, model, usage, origin, kind)``: ``origin`` is ``"path"``, ``"path:LINE"`` or
``"logs.db#ID"``; ``usage`` is the provider's :class:`~tokentrim.usage.Usage` when the input
carries it, else None. ``kind`` is one of:

=================== ==========================================================================
``text``            a markdown/text file (or stdin that is not JSONL): the whole file is the reply
``openai-chat``     ``chat.completion`` objects; every choice's ``message.content`` (a string or
                    a list of ``{"type": "text"}`` parts)
``openai-batch``    Batch API output lines ``{id, custom_id, response: {status_code, body}, error}``
                    whose body is a chat completion or a Responses object (failed lines: skipped)
``openai-responses`` Responses API objects (``"object": "response"``): ``output_text`` parts of the
                    ``message`` items; a top-level ``output_text`` is kept equal to their join
``anthropic``       Messages (``"type": "message"``): the ``text`` content blocks
``anthropic-batch`` Message Batch results ``{custom_id, result: {type: "succeeded", message}}``
``field``           any other record with a reply string at ``field`` (dotted: ``data.reply``,
                    ``choices.0.text``); without ``field`` one of ``response``, ``completion``,
                    ``output``, ``answer``, ``reply``, ``text``, ``content`` when exactly one holds
                    a string; ``model`` and ``usage`` (or top-level ``prompt_tokens``/
                    ``completion_tokens``/``input_tokens``/``output_tokens``) from the record
``llm-logs``        simonw/llm ``logs.db``, opened read-only: the ``turns``/``messages``/``parts``
                    tables (llm 0.32+), the ``responses`` table (llm 0.5–0.31) and the very old
                    ``log``/``logs`` table (llm 0.1–0.4), whichever hold rows
=================== ==========================================================================

``open_input(name) -> Input`` is the one pipeline the CLI's commands share: it sniffs a path (or
``-``) into ``Input(name, kind, path)``, whose ``read_text()`` decodes (a BOM is not part of the
text; ``Input.read_text`` says whether there was one), ``open_bytes()`` streams and ``replies()``
yields. ``expand(paths, include=..., on_error=...)`` turns paths and directories into inputs.
``walk(root, include=(), on_error=None)`` lists the files a directory contributes (for a CLI that
expands paths itself). Detection is per file (:func:`detect_kind` → ``"text"``, ``"jsonl"`` or
``"llm-logs"``) and, inside JSONL, per line; a ``field`` that names an API object (``{"response": {chat.completion…}}``) reads it as
that kind. Bad input never raises a traceback: ``on_error(origin, message)`` gets one line and
reading goes on (without ``on_error``, :class:`~tokentrim.errors.InputError` is raised).

Rewriting JSONL — reply strings only, streaming, everything else byte-for-byte::

    from tokentrim import trim
    from tokentrim.sources import Reply, rewrite_jsonl_file

    def clean_reply(text: str, reply: Reply) -> str:
        return trim(text, model=reply.model, settings=settings).text

    stats = rewrite_jsonl_file(path, clean_reply, field=field, on_error=warn)  # -i/--in-place
    stats = rewrite_jsonl_file(path, clean_reply, dry_run=True)  # --check: stats.changed > 0
    rewrite_jsonl(sys.stdin.buffer, sys.stdout.buffer, clean_reply)  # stdin to stdout

``rewrite_jsonl(src, dst, transform, *, field=None, name=None, on_error=None) -> RewriteStats``
calls ``transform(text, reply)`` once per reply string (each choice, each text part) with the whole
record's :class:`Reply`; a changed line keeps its key order, spacing, escapes and CRLF/LF, and
unchanged, blank, reply-less and malformed lines are copied byte-for-byte.
``RewriteStats(lines, records, changed, skipped, malformed)`` says what happened.

Not supported: rewriting ``logs.db`` in place (llm 0.32+ stores messages content-addressed — a
message's hash covers its text and its parent's hash — so editing a reply means re-hashing every
later message of the thread; reading is read-only), pretty-printed ``.json`` files, streamed
``chat.completion.chunk`` lines, and legacy ``text_completion`` objects.
"""

from __future__ import annotations

from tokentrim.sources.files import DEFAULT_INCLUDE, detect_kind, rewrite_jsonl_file, walk
from tokentrim.sources.inputs import Input, expand, iter_replies, open_input
from tokentrim.sources.jsonl import RewriteStats, rewrite_jsonl
from tokentrim.sources.records import COMMON_REPLY_FIELDS, Reply

__all__ = [
    "COMMON_REPLY_FIELDS",
    "DEFAULT_INCLUDE",
    "Input",
    "Reply",
    "RewriteStats",
    "detect_kind",
    "expand",
    "iter_replies",
    "open_input",
    "rewrite_jsonl",
    "rewrite_jsonl_file",
    "walk",
]
