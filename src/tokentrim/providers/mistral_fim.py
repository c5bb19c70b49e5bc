"""Mistral / Codestral fill-in-the-middle: ``/fim/completions``.

The payload has the chat-completion shape (``choices[i].message.content``; streamed as
``chat.completion.chunk`` deltas), but the reply is a bare code fragment spliced between the user's
prefix and suffix, not markdown: it is trimmed as code (``code="whole"``), and a fragment that does
not parse on its own is left as it is.
"""

from __future__ import annotations

from typing import Any

from tokentrim.providers._base import JsonPath, Record
from tokentrim.providers.openai_chat import ChatApi, read_chat

#: What trim() must be told about a FIM reply: it is code, with no fences.
SETTINGS_OVERRIDES = {"code": "whole"}


class FimApi(ChatApi):
    name = "mistral-fim"

    def read(self, payload: Any, prefix: JsonPath = ()) -> Record | None:
        return read_chat(payload, prefix)


API = FimApi()
