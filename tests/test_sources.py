"""tokentrim.sources: reading and rewriting saved outputs.

Every API record here is built with the provider's own SDK type (``openai.types``,
``anthropic.types``) and written with ``model_dump_json()``; every ``logs.db`` is created by the
``llm`` package's own migrations and, for the current layout, written by llm's own logger.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anthropic.types import Message
from anthropic.types.messages import MessageBatchIndividualResponse
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from tokentrim.errors import InputError
from tokentrim.sources import (
    DEFAULT_INCLUDE,
    Reply,
    RewriteStats,
    detect_kind,
    iter_replies,
    rewrite_jsonl,
    rewrite_jsonl_file,
    walk,
)
from tokentrim.usage import Usage

CODE = "Here you go:\n\n```python\ndef add(a, b):\n    return a + b  # add them\n```\n"
CLEAN = CODE.replace("  # add them", "")


def strip_comment(text: str, reply: Reply) -> str:
    return text.replace("  # add them", "")


# -- real SDK objects ----------------------------------------------------------------------------


def chat_completion(*contents: str | None, model: str = "gpt-4o-mini-2024-07-18") -> ChatCompletion:
    return ChatCompletion(
        id="chatcmpl-abc",
        object="chat.completion",
        created=1_730_000_000,
        model=model,
        choices=[
            {
                "index": i,
                "finish_reason": "stop" if content is not None else "tool_calls",
                "message": {"role": "assistant", "content": content},
            }
            for i, content in enumerate(contents)
        ],
        usage={
            "prompt_tokens": 120,
            "completion_tokens": 45,
            "total_tokens": 165,
            "prompt_tokens_details": {"cached_tokens": 64},
        },
    )


def responses_object(*texts: str, model: str = "gpt-4.1-2025-04-14") -> Response:
    return Response(
        id="resp_abc",
        object="response",
        created_at=1_730_000_000.0,
        model=model,
        output=[
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "output_text", "text": text, "annotations": []} for text in texts
                ],
            },
        ],
        parallel_tool_calls=True,
        tool_choice="auto",
        tools=[],
        usage={
            "input_tokens": 300,
            "output_tokens": 80,
            "total_tokens": 380,
            "input_tokens_details": {"cached_tokens": 100, "cache_write_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 30},
        },
    )


def anthropic_message(
    *blocks: dict[str, Any], model: str = "claude-sonnet-4-5-20250929"
) -> Message:
    return Message(
        id="msg_01",
        type="message",
        role="assistant",
        model=model,
        content=list(blocks),
        stop_reason="end_turn",
        stop_sequence=None,
        usage={
            "input_tokens": 50,
            "output_tokens": 70,
            "cache_read_input_tokens": 1000,
            "cache_creation_input_tokens": 200,
        },
    )


def text_block(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "run", "input": {"cmd": "ls"}}
THINKING = {"type": "thinking", "thinking": "hmm # add them", "signature": "sig"}


def openai_batch_line(body: ChatCompletion | Response | None, error: dict | None = None) -> str:
    """One line of a Batch API output file, as documented (the SDK has no type for the envelope)."""
    response = (
        None
        if body is None
        else {"status_code": 200, "request_id": "req_1", "body": body.model_dump(mode="json")}
    )
    return json.dumps(
        {"id": "batch_req_1", "custom_id": "task-1", "response": response, "error": error},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def anthropic_batch_line(message: Message | None) -> str:
    result: dict[str, Any] = (
        {"type": "succeeded", "message": message.model_dump()}
        if message is not None
        else {
            "type": "errored",
            "error": {"type": "error", "error": {"type": "api_error", "message": "x"}},
        }
    )
    return MessageBatchIndividualResponse(custom_id="task-2", result=result).model_dump_json()


def usage_of(obj: ChatCompletion | Response | Message) -> Usage | None:
    assert obj.usage is not None
    return Usage.from_mapping(obj.usage.model_dump())


def write_lines(path: Path, lines: list[str], ending: str = "\n") -> Path:
    path.write_bytes("".join(line + ending for line in lines).encode("utf-8"))
    return path


class Errors(list[tuple[str, str]]):
    def __call__(self, origin: str, message: str) -> None:
        self.append((origin, message))


# -- reading JSONL -------------------------------------------------------------------------------


def test_reads_every_api_format_with_model_and_usage(tmp_path: Path) -> None:
    chat = chat_completion(CODE)
    two_choices = chat_completion("first", "second")
    tool_call_only = chat_completion(None)
    responses = responses_object("Intro. ", CODE)
    claude = anthropic_message(THINKING, text_block("Let me run it."), TOOL_USE, text_block(CODE))
    lines = [
        chat.model_dump_json(),
        two_choices.model_dump_json(),
        tool_call_only.model_dump_json(),
        responses.model_dump_json(),
        claude.model_dump_json(),
        openai_batch_line(chat),
        openai_batch_line(responses),
        anthropic_batch_line(claude),
    ]
    path = write_lines(tmp_path / "mixed.jsonl", lines)
    errors = Errors()

    replies = list(iter_replies([path], on_error=errors))

    assert errors == []
    assert [(r.kind, r.origin) for r in replies] == [
        ("openai-chat", f"{path}:1"),
        ("openai-chat", f"{path}:2"),
        ("openai-chat", f"{path}:3"),
        ("openai-responses", f"{path}:4"),
        ("anthropic", f"{path}:5"),
        ("openai-batch", f"{path}:6"),
        ("openai-batch", f"{path}:7"),
        ("anthropic-batch", f"{path}:8"),
    ]
    assert [r.text for r in replies] == [
        CODE,
        "first\n\nsecond",
        "",
        responses.output_text,  # the SDK's own join of the output_text parts
        "Let me run it." + CODE,
        CODE,
        responses.output_text,
        "Let me run it." + CODE,
    ]
    assert [r.model for r in replies] == [
        chat.model, chat.model, chat.model, responses.model, claude.model,
        chat.model, responses.model, claude.model,
    ]  # fmt: skip
    assert replies[0].usage == usage_of(chat) and replies[0].usage is not None
    assert replies[3].usage == usage_of(responses) and replies[3].usage is not None
    assert replies[4].usage == usage_of(claude) and replies[4].usage is not None
    assert replies[5].usage == replies[0].usage and replies[7].usage == replies[4].usage


def test_content_parts_list_reads_every_text_part(tmp_path: Path) -> None:
    # Some OpenAI-compatible providers answer with a list of content parts; the SDK type only
    # allows a string there, so this record starts from the SDK dump and swaps the content.
    record = chat_completion("placeholder").model_dump(mode="json")
    record["choices"][0]["message"]["content"] = [
        {"type": "thinking", "thinking": "no"},
        {"type": "text", "text": "A "},
        {"type": "text", "text": "B"},
    ]
    path = write_lines(tmp_path / "parts.jsonl", [json.dumps(record)])
    assert [r.text for r in iter_replies([path])] == ["A B"]


def test_failed_batch_lines_are_skipped_quietly(tmp_path: Path) -> None:
    error = {"code": "rate_limit_exceeded", "message": "slow down"}
    lines = [openai_batch_line(None, error), anthropic_batch_line(None)]
    errors = Errors()
    assert list(iter_replies([write_lines(tmp_path / "b.jsonl", lines)], on_error=errors)) == []
    assert errors == []


def test_records_with_a_reply_field(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 1, "model": "deepseek/deepseek-chat", "task_id": "t", "prompt": "p",
                    "response": CODE}),
        json.dumps({"id": 2, "answer": "plain", "usage": {"input_tokens": 3, "output_tokens": 4}}),
        json.dumps({"id": 3, "output": "a", "text": "b"}),
        json.dumps({"id": 4, "response": None}),
        json.dumps({"id": 5, "messages": []}),
        json.dumps({"id": 6, "response": chat_completion(CODE).model_dump(mode="json")}),
    ]  # fmt: skip
    path = write_lines(tmp_path / "records.jsonl", lines)
    errors = Errors()

    replies = list(iter_replies([path], on_error=errors))

    assert [(r.kind, r.model, r.text, r.origin) for r in replies] == [
        ("field", "deepseek/deepseek-chat", CODE, f"{path}:1"),
        ("field", None, "plain", f"{path}:2"),
        ("openai-chat", "gpt-4o-mini-2024-07-18", CODE, f"{path}:6"),
    ]
    assert replies[1].usage == Usage(input_tokens=3, output_tokens=4)
    assert [origin for origin, _ in errors] == [f"{path}:3", f"{path}:5"]
    assert "ambiguous reply field ('output', 'text'); pass --field NAME" in errors[0][1]
    assert "pass --field NAME" in errors[1][1]


def test_explicit_field_dotted_path(tmp_path: Path) -> None:
    lines = [
        json.dumps({"model": "m", "data": {"reply": "one", "text": "no"}, "output": "no"}),
        json.dumps({"model": "m", "data": {"other": 1}}),
        json.dumps({"model": "m", "data": {"reply": {"nested": True}}}),
        json.dumps({"choices": [{"text": "legacy completion"}]}),
    ]
    path = write_lines(tmp_path / "f.jsonl", lines)
    errors = Errors()
    assert [r.text for r in iter_replies([path], field="data.reply", on_error=errors)] == ["one"]
    assert errors == [
        (f"{path}:2", "no field 'data.reply'"),
        (f"{path}:3", "field 'data.reply' is an object, not a string"),
        (f"{path}:4", "no field 'data.reply'"),
    ]
    assert [r.text for r in iter_replies([path], field="choices.0.text", on_error=Errors())] == [
        "legacy completion"
    ]


# -- files, directories, stdin, errors -----------------------------------------------------------


def test_directory_walk_default_include(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.md").write_text("alpha", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\ufeffbeta", encoding="utf-8")  # a BOM is not reply text
    (tmp_path / "sub" / "c.markdown").write_text("gamma", encoding="utf-8")
    write_lines(tmp_path / "sub" / "d.jsonl", [chat_completion("delta").model_dump_json()])
    (tmp_path / ".git" / "e.md").write_text("hidden", encoding="utf-8")
    (tmp_path / ".f.md").write_text("hidden", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("not a reply", encoding="utf-8")
    (tmp_path / "script.py").write_text("print('not a reply')", encoding="utf-8")

    replies = list(iter_replies([tmp_path]))

    assert [(Path(r.origin.split(":")[0]).relative_to(tmp_path).as_posix(), r.kind, r.text)
            for r in replies] == [
        ("a.md", "text", "alpha"),
        ("b.txt", "text", "beta"),
        ("sub/c.markdown", "text", "gamma"),
        ("sub/d.jsonl", "openai-chat", "delta"),
    ]  # fmt: skip
    assert "*.db" in DEFAULT_INCLUDE
    assert [p.relative_to(tmp_path).as_posix() for p in walk(tmp_path)] == [
        "a.md", "b.txt", "sub/c.markdown", "sub/d.jsonl"
    ]  # fmt: skip


def test_public_names_are_sorted_and_importable() -> None:
    import tokentrim.sources as sources

    assert sources.__all__ == sorted(sources.__all__)
    assert all(hasattr(sources, name) for name in sources.__all__)


def test_include_globs_and_explicit_files(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "a.md").write_text("a", encoding="utf-8")
    (tmp_path / "x" / "b.out").write_text("b", encoding="utf-8")
    (tmp_path / "notes").write_text("explicit", encoding="utf-8")
    assert [r.text for r in iter_replies([tmp_path], include=["*.out"])] == ["b"]
    assert [r.text for r in iter_replies([tmp_path], include=["x/*"])] == ["b"]
    assert [r.text for r in iter_replies([tmp_path / "notes"])] == ["explicit"]


def test_missing_file_is_reported_and_reading_goes_on(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text("ok", encoding="utf-8")
    errors = Errors()
    replies = list(iter_replies([tmp_path / "nope.md", tmp_path / "ok.md"], on_error=errors))
    assert [r.text for r in replies] == ["ok"]
    assert errors == [(str(tmp_path / "nope.md"), "no such file or directory")]


def test_directory_with_a_binary_file(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "fake.db").write_text("not sqlite", encoding="utf-8")
    (tmp_path / "real.md").write_text("real", encoding="utf-8")
    errors = Errors()
    assert [r.text for r in iter_replies([tmp_path], on_error=errors)] == ["real"]
    assert errors == [
        (str(tmp_path / "fake.db"), "not an SQLite database"),
        (str(tmp_path / "image.txt"), "binary file"),
    ]


def test_non_utf8_text_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes("line one\ncaf\xe9\n".encode("latin-1"))
    errors = Errors()
    assert list(iter_replies([path], on_error=errors)) == []
    assert errors == [(str(path), "not UTF-8 (byte 0xe9 on line 2)")]


def test_malformed_json_lines_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    good = chat_completion("fine").model_dump_json()
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        b"\n".join([good.encode(), b'{"id": 1, "response": ', b"[1, 2]", b"caf\xe9", good.encode()])
    )
    errors = Errors()
    replies = list(iter_replies([path], on_error=errors))
    assert [r.origin for r in replies] == [f"{path}:1", f"{path}:5"]
    assert errors == [
        (f"{path}:2", "malformed JSON: Expecting value (column 23)"),
        (f"{path}:3", "not a JSON object but an array"),
        (f"{path}:4", "not UTF-8 (byte 0xe9 at column 4)"),
    ]


def test_without_on_error_bad_input_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.md: no such file or directory"):
        list(iter_replies([tmp_path / "nope.md"]))
    path = write_lines(tmp_path / "x.jsonl", [json.dumps({"response": "ok"}), "{oops"])
    replies = iter_replies(path)  # one path on its own is fine too
    assert next(replies).text == "ok"
    with pytest.raises(InputError) as raised:
        next(replies)
    assert (
        str(raised.value)
        == f"{path}:2: malformed JSON: Expecting property name enclosed in double quotes (column 2)"
    )


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.md"
    path.write_text("x", encoding="utf-8")
    path.chmod(0)
    errors = Errors()
    assert list(iter_replies([path], on_error=errors)) == []
    assert errors == [(str(path), "permission denied")]


def test_detect_kind(tmp_path: Path) -> None:
    cases = {
        "a.md": (b'{"response": "x"}\n', "text"),
        "a.jsonl": (b"not even json\n", "jsonl"),
        "saved.json": (b'{"response": "x"}\n{"response": "y"}\n', "jsonl"),
        "out": (b'\n\n  {"response": "x"}\n', "jsonl"),
        "notes": (b"# Title\n{not json}\n", "text"),
        "empty": (b"", "text"),
    }
    for name, (data, kind) in cases.items():
        (tmp_path / name).write_bytes(data)
        assert detect_kind(tmp_path / name) == kind, name
    (tmp_path / "pretty.json").write_text('{\n  "response": "x"\n}\n', encoding="utf-8")
    with pytest.raises(InputError, match="not JSON Lines"):
        detect_kind(tmp_path / "pretty.json")
    (tmp_path / "bin").write_bytes(b"abc\x00def")
    with pytest.raises(InputError, match="binary file"):
        detect_kind(tmp_path / "bin")
    with pytest.raises(InputError, match="no such file"):
        detect_kind(tmp_path / "missing")


def test_stdin_text_and_jsonl(monkeypatch: pytest.MonkeyPatch) -> None:
    def feed(data: bytes) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    feed(b"\n" + CODE.encode())
    assert [(r.text, r.origin, r.kind) for r in iter_replies(["-"])] == [
        ("\n" + CODE, "<stdin>", "text")
    ]
    feed(b"\n" + chat_completion(CODE).model_dump_json().encode() + b"\n" + b"oops\n")
    errors = Errors()
    assert [(r.text, r.origin) for r in iter_replies(["-"], on_error=errors)] == [
        (CODE, "<stdin>:2")
    ]
    assert errors == [("<stdin>:3", "malformed JSON: Expecting value (column 1)")]
    feed(b"\xff\xfe binary \x00")
    errors = Errors()
    assert list(iter_replies(["-"], on_error=errors)) == []
    assert errors == [("<stdin>", "binary input")]


# -- rewriting JSONL -----------------------------------------------------------------------------


def rewrite(data: bytes, transform=strip_comment, **kwargs: Any) -> tuple[bytes, RewriteStats]:
    out = io.BytesIO()
    stats = rewrite_jsonl(io.BytesIO(data), out, transform, **kwargs)
    return out.getvalue(), stats


def test_rewrite_matches_the_sdk_serialisation_of_the_changed_object() -> None:
    chat = chat_completion(CODE, "no code", CODE)
    responses = responses_object("Intro. ", CODE)
    claude = anthropic_message(THINKING, text_block(CODE), TOOL_USE, text_block("done # add them"))
    expected_chat = chat.model_copy(deep=True)
    for choice in expected_chat.choices:
        if choice.message.content == CODE:
            choice.message.content = CLEAN
    expected_responses = responses.model_copy(deep=True)
    expected_responses.output[1].content[1].text = CLEAN  # type: ignore[union-attr]
    expected_claude = claude.model_copy(deep=True)
    expected_claude.content[1].text = CLEAN  # type: ignore[union-attr]
    lines = [chat.model_dump_json(), responses.model_dump_json(), claude.model_dump_json()]

    out, stats = rewrite("".join(line + "\n" for line in lines).encode())

    assert out.decode().splitlines() == [
        expected_chat.model_dump_json(),
        expected_responses.model_dump_json(),
        expected_claude.model_dump_json(),
    ]
    # The thinking block and the tool call are not reply text: untouched.
    assert json.loads(out.decode().splitlines()[2])["content"][0]["thinking"] == "hmm # add them"
    assert stats == RewriteStats(lines=3, records=3, changed=3)


def test_rewrite_batch_lines_and_python_json_style() -> None:
    chat = chat_completion(CODE + "caf\u00e9")
    batch = openai_batch_line(chat)
    claude_batch = anthropic_batch_line(anthropic_message(text_block(CODE)))
    # Python's json.dumps default: ", " / ": " separators and \u escapes for non-ASCII.
    python_style = json.dumps({"id": 7, "model": "m", "response": CODE + "\u00e9\u4e2d"})

    out, stats = rewrite(f"{batch}\n{claude_batch}\n{python_style}\n".encode())

    got = out.decode().splitlines()
    expected_batch = json.loads(batch)
    expected_batch["response"]["body"]["choices"][0]["message"]["content"] = CLEAN + "caf\u00e9"
    assert got[0] == json.dumps(expected_batch, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(got[1])["result"]["message"]["content"][0]["text"] == CLEAN
    assert got[2] == json.dumps({"id": 7, "model": "m", "response": CLEAN + "\u00e9\u4e2d"})
    assert stats.changed == 3


@pytest.mark.parametrize(
    ("other", "escaped"),
    [
        pytest.param("caf\\u00e9", True, id="non-ascii-escape"),
        pytest.param("bell\\u0007", False, id="control-escape-is-no-evidence"),
        pytest.param("\\\\u00e9", False, id="literal-backslash-u"),
        pytest.param("\\\\\\u00e9", True, id="backslash-then-escape"),
        pytest.param("plain", False, id="no-evidence"),
    ],
)
def test_rewrite_escapes_non_ascii_only_when_the_line_did(other: str, escaped: bool) -> None:
    line = '{"note": "' + other + '", "response": "x = 1  # add them"}'
    out, _ = rewrite(line.encode(), lambda text, reply: "\u00e9t\u00e9")
    reply = "\\u00e9t\\u00e9" if escaped else "\u00e9t\u00e9"
    assert out.decode() == '{"note": "' + other + '", "response": "' + reply + '"}'


def test_rewrite_touches_only_the_reply_bytes() -> None:
    # Odd but valid spacing and number spellings that json.dumps would not reproduce.
    line = (
        '{ "model" : "m",\t"score": 1.50E+2, "response" :"'
        + json.dumps(CODE)[1:-1]
        + '" , "z":[ ]}'
    )
    out, stats = rewrite(line.encode() + b"\n")
    assert out == line.replace(json.dumps(CODE)[1:-1], json.dumps(CLEAN)[1:-1]).encode() + b"\n"
    assert stats.changed == 1


def test_unchanged_and_unknown_lines_are_copied_byte_for_byte() -> None:
    lines = [
        b'{"response": "no code here",   "extra": 1.0e5}\r\n',  # reply unchanged
        b"  \r\n",  # blank
        b'{"messages": [], "note": "no reply"}\n',  # no reply
        b'{"response": "half a line\n',  # malformed
        b"\xff\xfe not utf-8\n",
        b'{"response": "trailing", "n": NaN}',  # no final newline
    ]
    data = b"".join(lines)
    errors = Errors()
    out, stats = rewrite(data, name="in.jsonl", on_error=errors)
    assert out == data
    assert stats == RewriteStats(lines=6, records=2, changed=0, skipped=2, malformed=2)
    assert [origin for origin, _ in errors] == ["in.jsonl:3", "in.jsonl:4", "in.jsonl:5"]


def test_rewrite_keeps_crlf_lf_bom_and_missing_final_newline() -> None:
    line = json.dumps({"response": CODE}, ensure_ascii=False)
    data = ("\ufeff" + line + "\r\n" + line + "\n" + line).encode()
    out, stats = rewrite(data)
    clean = json.dumps({"response": CLEAN}, ensure_ascii=False)
    assert out == ("\ufeff" + clean + "\r\n" + clean + "\n" + clean).encode()
    assert stats.changed == 3


def test_rewrite_text_streams() -> None:
    line = json.dumps({"response": CODE, "model": "m"})
    src = io.StringIO(line + "\r\n" + line + "\n", newline="")
    dst = io.StringIO(newline="")
    stats = rewrite_jsonl(src, dst, strip_comment)
    clean = json.dumps({"response": CLEAN, "model": "m"})
    assert dst.getvalue() == clean + "\r\n" + clean + "\n"
    assert stats.changed == 2


def test_transform_sees_each_reply_string_and_the_whole_record() -> None:
    chat = chat_completion("one", "two")
    seen: list[tuple[str, Reply]] = []

    def record(text: str, reply: Reply) -> str:
        seen.append((text, reply))
        return text

    rewrite(chat.model_dump_json().encode(), record, name="x.jsonl")
    assert [text for text, _ in seen] == ["one", "two"]
    reply = seen[0][1]
    assert (reply.text, reply.model, reply.origin, reply.kind) == (
        "one\n\ntwo",
        chat.model,
        "x.jsonl:1",
        "openai-chat",
    )
    assert reply.usage == usage_of(chat)


def test_rewrite_with_field_and_output_text_mirror() -> None:
    nested = json.dumps({"data": {"reply": CODE, "text": CODE}})
    responses = responses_object("A ", CODE).model_dump(mode="json")
    responses["output_text"] = "A " + CODE  # some loggers store the SDK property too
    out, _ = rewrite(nested.encode(), field="data.reply")
    assert json.loads(out) == {"data": {"reply": CLEAN, "text": CODE}}
    out, _ = rewrite(json.dumps(responses).encode())
    assert json.loads(out)["output_text"] == "A " + CLEAN
    assert json.loads(out)["output"][1]["content"][1]["text"] == CLEAN


def test_rewrite_keeps_non_standard_constants() -> None:
    line = b'{"response": "x = 1  # add them", "score": NaN, "max": Infinity}\n'
    out, stats = rewrite(line)
    assert out == b'{"response": "x = 1", "score": NaN, "max": Infinity}\n'
    assert stats.changed == 1


def test_a_splice_that_does_not_check_out_leaves_the_line_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The safety net: if the located span were wrong (a bug), the rewritten line would not parse
    # back to the original record plus the new reply, and the line must be kept as it was.
    from tokentrim.sources import jsonl

    def one_too_far(text: str, targets: Any) -> dict[Any, tuple[int, int]]:
        return {path: (start, end + 1) for path, (start, end) in locate(text, targets).items()}

    locate = jsonl.locate_values
    monkeypatch.setattr(jsonl, "locate_values", one_too_far)
    line = b'{"response": "x = 1  # add them", "id": 3}\n'
    errors = Errors()
    out, stats = rewrite(line, on_error=errors, name="f.jsonl")
    assert out == line
    assert stats == RewriteStats(lines=1, records=1, changed=0, malformed=1)
    assert errors[0][0] == "f.jsonl:1" and errors[0][1].endswith("; line left unchanged")


def test_transform_must_return_text() -> None:
    with pytest.raises(TypeError, match="not str"):
        rewrite(json.dumps({"response": "x"}).encode(), lambda text, reply: None)  # type: ignore[arg-type,return-value]


def test_rewrite_jsonl_file_in_place(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "out.jsonl", [chat_completion(CODE).model_dump_json(), "oops"])
    path.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(path)
    before = path.read_bytes()

    checked = rewrite_jsonl_file(link, strip_comment, dry_run=True)
    assert checked.changed == 1 and path.read_bytes() == before

    stats = rewrite_jsonl_file(link, strip_comment, on_error=Errors())
    assert stats == RewriteStats(lines=2, records=1, changed=1, malformed=1)
    assert link.is_symlink()
    assert path.read_bytes() == before.replace(b"  # add them", b"")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.jsonl", "out.jsonl"]

    inode = path.stat().st_ino
    assert rewrite_jsonl_file(path, strip_comment).changed == 0
    assert path.stat().st_ino == inode  # nothing changed: the file was not replaced
    with pytest.raises(InputError, match="no such file"):
        rewrite_jsonl_file(tmp_path / "missing.jsonl", strip_comment)


def test_rewrite_then_read_round_trip_on_every_format(tmp_path: Path) -> None:
    lines = [
        chat_completion(CODE).model_dump_json(),
        responses_object(CODE).model_dump_json(),
        anthropic_message(text_block(CODE)).model_dump_json(),
        openai_batch_line(responses_object(CODE)),
        anthropic_batch_line(anthropic_message(text_block(CODE))),
        json.dumps({"completion": CODE}),
    ]
    src = write_lines(tmp_path / "in.jsonl", lines)
    rewrite_jsonl_file(src, strip_comment)
    assert [r.text for r in iter_replies([src])] == [CLEAN] * len(lines)


# -- llm logs.db ---------------------------------------------------------------------------------

llm = pytest.importorskip("llm")
sqlite_utils = pytest.importorskip("sqlite_utils")
from llm.migrations import MIGRATIONS, ensure_migrations_table, migrate  # noqa: E402


class Canned(llm.Model):  # type: ignore[misc,name-defined]
    """A model that answers from a list: llm's own Response and logger do everything else."""

    can_stream = True

    def __init__(self, model_id: str, replies: list[str], details: dict[str, Any]) -> None:
        self.model_id = model_id
        self.replies = list(replies)
        self.details = details

    def execute(self, prompt: Any, stream: bool, response: Any, conversation: Any) -> Iterator[Any]:
        response.set_usage(input=100, output=20, details=self.details)
        yield llm.parts.StreamEvent(type="reasoning", chunk="thinking # add them")
        yield self.replies.pop(0)


def open_db(path: Path) -> Any:
    """A sqlite_utils database for llm to migrate; no fsync, as nothing here needs durability."""
    db = sqlite_utils.Database(path)
    db.execute("pragma synchronous = off")
    return db


def migrate_until(db: Any, stop: str) -> None:
    """Apply llm's migrations up to (not including) ``stop``: the schema an older llm left."""
    ensure_migrations_table(db)
    for fn in MIGRATIONS:
        if fn.__name__ == stop:
            return
        fn(db)
        db["_llm_migrations"].insert({"name": fn.__name__, "applied_at": "then"})


def test_llm_logs_current_layout_written_by_llm(tmp_path: Path) -> None:
    path = tmp_path / "logs.db"
    db = open_db(path)
    migrate(db)
    openai_details = {"prompt_tokens_details": {"cached_tokens": 40}}
    gpt = Canned("gpt-4o-mini", ["first reply", CODE], openai_details)
    single = gpt.prompt("hello")
    single.text()
    single.log_to_db(db)
    conversation = gpt.conversation()
    turn_one = conversation.prompt("question")
    turn_one.text()
    turn_one.log_to_db(db)
    anthropic_details = {"cache_read_input_tokens": 500, "cache_creation_input_tokens": 10}
    claude = Canned("claude-sonnet-4-5", ["follow-up"], anthropic_details)
    conversation.model = claude
    turn_two = conversation.prompt("and then?")
    turn_two.text()
    turn_two.log_to_db(db)
    db.close()

    replies = list(iter_replies([path]))

    assert [(r.text, r.model, r.origin, r.kind) for r in replies] == [
        ("first reply", "gpt-4o-mini", f"{path}#{single.id}", "llm-logs"),
        (CODE, "gpt-4o-mini", f"{path}#{turn_one.id}", "llm-logs"),
        ("follow-up", "claude-sonnet-4-5", f"{path}#{turn_two.id}", "llm-logs"),
    ]
    assert replies[0].usage == Usage.from_mapping(
        {"prompt_tokens": 100, "completion_tokens": 20, **openai_details}
    )
    assert replies[0].usage is not None and replies[0].usage.cache_read_tokens == 40
    assert replies[2].usage == Usage.from_mapping(
        {"input_tokens": 100, "output_tokens": 20, **anthropic_details}
    )
    # Same texts as llm's own search index derives.
    with sqlite3.connect(path) as check:
        indexed = [row[0] for row in check.execute("select response from turn_search order by id")]
    assert indexed == [r.text for r in replies]


def test_llm_logs_fragment_backed_text_part(tmp_path: Path) -> None:
    # A message stored once with a fragment reference (llm does this for re-sent history) that a
    # turn then reports as its output: the text lives in parts.payload as a text_ref.
    path = tmp_path / "logs.db"
    db = open_db(path)
    store = llm.logs.LogStore(db)
    fragment = "def long_helper():\n    return 42\n" * 3
    user = llm.parts.Message(role="user", parts=[llm.parts.TextPart(text="show me")])
    answer = llm.parts.Message(
        role="assistant", parts=[llm.parts.TextPart(text="Sure:\n" + fragment + "Done.")]
    )
    parent = store.ensure_chain([user])
    tip = store.ensure_chain([answer], parent=parent, fragments=[fragment])
    assert db.execute("select count(*) from parts where text is null").fetchone()[0] == 1
    thread = store.ensure_thread("t1")
    db["turns"].insert(
        {"id": "turn1", "thread_id": thread, "parent_message_hash": parent,
         "tip_message_hash": tip, "model": "gpt-4.1", "input_tokens": 5, "output_tokens": 6}
    )  # fmt: skip
    db.close()
    assert [r.text for r in iter_replies([path])] == ["Sure:\n" + fragment + "Done."]


def test_llm_logs_responses_table_of_llm_before_0_32(tmp_path: Path) -> None:
    path = tmp_path / "logs.db"
    db = open_db(path)
    migrate_until(db, "m022_response_reasoning")  # llm 0.27-0.31 stop at m021
    assert not db["turns"].exists()
    db["responses"].insert_all(
        [
            {"id": "01a", "model": "gpt-4o", "resolved_model": None, "prompt": "p", "response": CODE,
             "input_tokens": 10, "output_tokens": 5, "token_details": None},
            {"id": "01b", "model": "gemini-flash-latest", "resolved_model": "gemini-2.5-flash",
             "prompt": "p", "response": None, "input_tokens": None, "output_tokens": None},
        ]
    )  # fmt: skip
    db.close()
    replies = list(iter_replies([path]))
    assert [(r.text, r.model, r.origin, r.usage) for r in replies] == [
        (CODE, "gpt-4o", f"{path}#01a", Usage(input_tokens=10, output_tokens=5)),
        ("", "gemini-2.5-flash", f"{path}#01b", None),
    ]


def test_llm_logs_upgraded_database_has_all_three_layouts(tmp_path: Path) -> None:
    path = tmp_path / "logs.db"
    db = open_db(path)
    migrate_until(db, "m009_delete_logs_table_if_empty")  # llm 0.1-0.3 logged here
    db["logs"].insert({"model": "gpt-3.5-turbo", "prompt": "p", "response": "ancient"})
    migrate(db)  # then upgraded to the current llm: m009 keeps the logs table since it has rows
    assert db["logs"].exists()
    db["responses"].insert({"id": "old1", "model": "gpt-4", "prompt": "p", "response": "legacy"})
    db["responses"].insert({"id": "dup", "model": "gpt-4", "prompt": "p", "response": "dup"})
    model = Canned("gpt-4o", ["current"], {})
    response = model.prompt("hi")
    response.text()
    response.log_to_db(db)
    db["turns"].update(response.id, {"id": "dup"})  # a legacy row the turns table also holds
    db.close()
    assert [(r.text, r.origin) for r in iter_replies([path])] == [
        ("ancient", f"{path}#logs/1"),
        ("legacy", f"{path}#old1"),
        ("current", f"{path}#dup"),
    ]


def test_llm_logs_of_llm_0_4_before_any_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    db = open_db(path)
    migrate_until(db, "m006_new_logs_table")  # llm 0.4 stops at m005; its table is still "log"
    db["log"].insert({"model": "gpt-3.5-turbo", "prompt": "p", "response": "from 0.4"})
    db.close()
    assert [(r.text, r.model, r.origin) for r in iter_replies([path])] == [
        ("from 0.4", "gpt-3.5-turbo", f"{path}#log/1")
    ]


def test_llm_logs_is_opened_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uris: list[str] = []
    connect = sqlite3.connect

    def recording_connect(database: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        uris.append(database)
        return connect(database, *args, **kwargs)

    path = tmp_path / "logs.db"
    db = open_db(path)
    migrate(db)
    model = Canned("gpt-4o", ["hi"], {})
    response = model.prompt("hi")
    response.text()
    response.log_to_db(db)
    db.close()
    before = path.read_bytes()
    path.chmod(0o444)
    tmp_path.chmod(0o555)  # not even a journal could be created
    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    try:
        assert [r.text for r in iter_replies([path])] == ["hi"]
    finally:
        tmp_path.chmod(0o755)
    assert uris == [path.resolve().as_uri() + "?mode=ro"]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs.db"]


def test_sqlite_database_that_llm_did_not_write(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("create table notes (body text)")
    connection.close()
    errors = Errors()
    assert list(iter_replies([path], on_error=errors)) == []
    assert errors == [
        (str(path), "cannot read llm logs database: no llm tables (log, logs, responses or turns)")
    ]


# -- the development corpus (skipped when absent; never copied into the repository) --------------

CORPUS = Path("/work/shared/corpus")
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "real-replies-dev.jsonl").exists(), reason="development corpus absent"
)


@needs_corpus
def test_dev_corpus_reads_every_reply_and_rewrites_only_replies(tmp_path: Path) -> None:
    path = CORPUS / "real-replies-dev.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    replies = list(iter_replies([path]))
    assert [(r.kind, r.model, r.text) for r in replies] == [
        ("field", record["model"], record["response"]) for record in records
    ]

    with path.open("rb") as src:
        unchanged = io.BytesIO()
        assert rewrite_jsonl(src, unchanged, lambda text, reply: text).changed == 0
    assert unchanged.getvalue() == path.read_bytes()

    with path.open("rb") as src:
        out = io.BytesIO()
        stats = rewrite_jsonl(src, out, lambda text, reply: text.rstrip() + "\n<!-- trimmed -->")
    assert stats.changed == len(records)
    for record, line in zip(records, out.getvalue().decode("utf-8").splitlines(), strict=True):
        record["response"] = record["response"].rstrip() + "\n<!-- trimmed -->"
        assert json.loads(line) == record


@needs_corpus
def test_humaneval_runs_read_top_level_token_counts() -> None:
    path = CORPUS / "humaneval-runs.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    errors = Errors()
    replies = list(iter_replies([path], on_error=errors))
    answered = [record for record in records if record["answer"] is not None]
    assert errors == [] and len(replies) == len(answered)
    for reply, record in zip(replies, answered, strict=True):
        assert (reply.text, reply.model) == (record["answer"], record["model"])
        assert reply.usage is not None
        assert reply.usage.input_tokens == record["prompt_tokens"]
        assert reply.usage.output_tokens == record["completion_tokens"]


def test_clean_jsonl_with_trim_end_to_end(tmp_path: Path) -> None:
    import tokentrim

    trim = getattr(tokentrim, "trim", None)
    if trim is None:
        pytest.skip("tokentrim.trim not importable yet")
    verbose = "```python\nimport os\n\n\ndef f(x):\n    # return x\n    return x\n```\n"
    lines = [
        chat_completion(verbose).model_dump_json(),
        anthropic_message(text_block("Prose only.")).model_dump_json(),
    ]
    path = write_lines(tmp_path / "replies.jsonl", lines)
    expected = [trim(r.text, model=r.model) for r in iter_replies([path])]

    stats = rewrite_jsonl_file(path, lambda text, reply: trim(text, model=reply.model).text)

    assert [r.text for r in iter_replies([path])] == [result.text for result in expected]
    assert stats.changed == sum(result.changed for result in expected)


# -- properties (fixed seeds) --------------------------------------------------------------------

from conftest import examples  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
PROPERTY_SETTINGS = settings(max_examples=examples(200))


@PROPERTY_SETTINGS
@given(st.lists(st.binary(max_size=40) | JSON_VALUES.map(lambda v: json.dumps(v).encode())))
def test_identity_rewrite_is_byte_identical_on_any_input(lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    out, stats = rewrite(data, lambda text, reply: text, on_error=Errors())
    assert out == data
    assert stats.changed == 0


@PROPERTY_SETTINGS
@given(
    other=st.dictionaries(st.text(max_size=8).map(lambda k: "k" + k), JSON_VALUES, max_size=5),
    reply=st.text(),
    new=st.text(),
    compact=st.booleans(),
    ascii_only=st.booleans(),
    crlf=st.booleans(),
)
def test_rewrite_changes_exactly_the_reply_in_the_writers_style(
    other: dict[str, Any], reply: str, new: str, compact: bool, ascii_only: bool, crlf: bool
) -> None:
    record = {**other, "response": reply}
    separators = (",", ":") if compact else (", ", ": ")
    line = json.dumps(record, separators=separators, ensure_ascii=ascii_only)
    ending = "\r\n" if crlf else "\n"

    out, stats = rewrite((line + ending).encode(), lambda text, r: new, field="response")

    expected = {**other, "response": new}
    assert out.endswith(ending.encode())
    assert json.loads(out) == expected
    assert stats.changed == (new != reply)
    # Byte-exact in the writer's style, unless an ASCII-escaped line gave no sign of it (nothing
    # at or above U+007F anywhere) and the new reply brings such characters.
    unescaped = json.dumps(record, separators=separators, ensure_ascii=False)
    style_visible = not ascii_only or line != unescaped or all(ord(c) < 0x7F for c in new)
    if new != reply and style_visible:
        assert (
            out.decode()
            == json.dumps(expected, separators=separators, ensure_ascii=ascii_only) + ending
        )


API_KEYS = ("object", "type", "choices", "message", "content", "output", "output_text", "text",
            "custom_id", "response", "body", "result", "error", "usage", "model", "role")  # fmt: skip
API_SHAPED = st.recursive(
    st.sampled_from(["chat.completion", "response", "message", "output_text", "succeeded", "x"])
    | JSON_VALUES,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(API_KEYS), children, max_size=5)
    ),
    max_leaves=20,
)


@PROPERTY_SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(API_KEYS), API_SHAPED, max_size=6), max_size=5))
def test_api_shaped_junk_never_raises_and_rewrites_only_strings(records: list[dict]) -> None:
    data = "".join(json.dumps(record) + "\n" for record in records).encode()
    errors = Errors()
    out, stats = rewrite(data, lambda text, reply: text + "!", on_error=errors)
    assert stats.lines == len(records)
    for before, after in zip(records, out.decode().splitlines(), strict=True):
        assert json.dumps(json.loads(after), sort_keys=True).replace("!", "") == json.dumps(
            before, sort_keys=True
        ).replace("!", "")
