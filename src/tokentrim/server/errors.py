"""Errors the proxy itself answers with, in the shape the caller's SDK parses."""

from __future__ import annotations

import json

from starlette.responses import Response

__all__ = ["error_body", "error_response", "is_anthropic"]


def is_anthropic(path: str) -> bool:
    return path.rstrip("/").endswith("/messages")


def error_body(path: str, status: int, message: str, kind: str) -> bytes:
    """An OpenAI-style error object, or Anthropic-style on ``/v1/messages``."""
    if is_anthropic(path):
        payload: object = {"type": "error", "error": {"type": kind, "message": message}}
    else:
        payload = {"error": {"message": message, "type": kind, "param": None, "code": str(status)}}
    return json.dumps(payload).encode("utf-8")


def error_response(path: str, status: int, message: str, kind: str) -> Response:
    return Response(
        error_body(path, status, message, kind),
        status_code=status,
        media_type="application/json",
    )
