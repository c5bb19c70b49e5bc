"""OpenAI Batch API output lines: ``{id, custom_id, response: {status_code, body}, error}``.

The body is a chat completion or a Responses object; a failed request (an ``error``, or no body)
carries no reply, which is normal in a batch.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from tokentrim.providers import openai_chat, openai_responses
from tokentrim.providers._base import NoReply, Record, get, is_node


def read_batch_line(obj: Any) -> Record | NoReply | None:
    """The reply of one output line; None when ``obj`` is not one."""
    if not isinstance(obj, dict) or not ("response" in obj or "error" in obj):
        return None
    response = obj.get("response")
    body = get(response, "body") if is_node(response) else None
    if obj.get("error") or not is_node(body):
        return NoReply("batch request failed", quiet=True)
    prefix = ("response", "body")
    inner = openai_chat.read_chat(body, prefix) or openai_responses.read_response(body, prefix)
    if inner is None:
        return NoReply("batch body is neither a chat completion nor a Responses object")
    return dataclasses.replace(inner, kind="openai-batch")
