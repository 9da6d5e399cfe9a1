"""The one exception the server's answers raise."""

from __future__ import annotations

import json
from typing import Optional

__all__ = ["AvpushError", "error_from_reply"]


class AvpushError(Exception):
    """An error the server reported, or a failure to reach it.

    ``status`` is the HTTP status (``None`` for a message on the stream's WebSocket or a broken
    connection), ``error`` the server's error code (``"session_not_found"``, ``"bad_request"``,
    ``"unauthorized"``, ...) and ``message`` what the server said is wrong.
    """

    def __init__(self, status: Optional[int], error: str, message: str) -> None:
        super().__init__("%s%s: %s" % ("" if status is None else "%d " % status, error, message))
        self.status = status
        self.error = error
        self.message = message


def error_from_reply(status: int, reason: str, body: bytes) -> AvpushError:
    """The AvpushError of an HTTP error reply: its JSON ``error`` and ``message`` when it has them."""
    try:
        parsed = json.loads(body.decode("utf-8") or "{}")
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        text = body.decode("utf-8", "replace").strip()[:300]
        return AvpushError(status, "http_error", "%s%s" % (reason, (": " + text) if text else ""))
    return AvpushError(status, str(parsed.get("error", "http_error")), str(parsed.get("message", reason)))
