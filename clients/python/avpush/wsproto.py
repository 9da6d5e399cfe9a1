"""The client side of RFC 6455 (WebSocket) without I/O: handshake, frames, masking, parsing.

The blocking and the asyncio clients both write what :func:`encode` returns and feed what they
read to a :class:`FrameParser`; neither has WebSocket code of its own.

Masking is the costly part of sending a 512x512 frame (786 KB): every payload byte is XORed with
the frame's 4-byte key. With numpy it is one vectorised XOR of 32-bit words into a new array (about
0.05 ms a frame), the one copy the payload needs; without, one XOR of the payload read as a big
int with the key repeated to its length (about 3 ms, through a few transient big ints). Either
way the masked payload goes to the socket as a buffer of its own after the frame header, never
joined to it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from typing import Any, Dict, List, Optional, Tuple, Union

from .errors import AvpushError, error_from_reply

__all__ = [
    "OP_CONTINUATION", "OP_TEXT", "OP_BINARY", "OP_CLOSE", "OP_PING", "OP_PONG",
    "use_numpy", "numpy_in_use", "mask", "encode", "encode_frame", "FrameParser",
    "new_key", "accept_key", "handshake_request", "check_handshake", "Misdirected",
]

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_NUMPY_FROM = 256  # shorter payloads are masked faster without numpy's per-call cost

Buffer = Union[bytes, bytearray, memoryview]

_numpy: Any = None  # the module once imported, False when absent
_numpy_enabled = True
_ones_cache: Dict[int, int] = {}


def use_numpy(enabled: bool) -> None:
    """Masks with numpy when it is installed (the default) or, with ``False``, in pure Python.

    For benchmarks and tests: both give the same bytes.
    """
    global _numpy_enabled
    _numpy_enabled = bool(enabled)


def _np() -> Any:
    global _numpy
    if not _numpy_enabled:
        return None
    if _numpy is None:
        try:
            import numpy  # type: ignore[import-not-found, unused-ignore]
            _numpy = numpy
        except ImportError:
            _numpy = False
    return _numpy or None


def numpy_in_use() -> bool:
    """True when payloads are masked with numpy (it is installed and not switched off)."""
    return _np() is not None


def mask(data: Buffer, key: bytes) -> Buffer:
    """``data`` XOR the 4-byte ``key`` repeated (RFC 6455 5.3), as a new buffer; masking twice unmasks.

    >>> bytes(mask(b"Hello", bytes.fromhex("37fa213d"))).hex()
    '7f9f4d5158'
    """
    view = memoryview(data)
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    n = view.nbytes
    if n == 0:
        return b""
    np = _np() if n >= _NUMPY_FROM else None
    if np is not None:
        src = np.frombuffer(view, dtype=np.uint8)
        out = np.empty(n, dtype=np.uint8)
        whole = n & ~3
        np.bitwise_xor(src[:whole].view(np.uint32), np.frombuffer(key, dtype=np.uint32)[0],
                       out=out[:whole].view(np.uint32))
        for i in range(whole, n):
            out[i] = src[i] ^ key[i & 3]
        return memoryview(out)
    if n < 64:
        return bytes(b ^ key[i & 3] for i, b in enumerate(view))
    words, tail = divmod(n, 4)
    key_word = int.from_bytes(key, "little")
    key_words = key_word * _ones(words)
    if tail:
        key_words |= (key_word & ((1 << 8 * tail) - 1)) << (32 * words)
    return (int.from_bytes(view, "little") ^ key_words).to_bytes(n, "little")


def _ones(words: int) -> int:
    """The int whose ``words`` 32-bit little-endian words are each 1: times a key, the key repeated."""
    ones = _ones_cache.get(words)
    if ones is None:
        ones = int.from_bytes(b"\x01\x00\x00\x00" * words, "little")
        if words >= 4096:  # frame-sized: kept, as a stream's frames all have one size
            if len(_ones_cache) >= 8:
                _ones_cache.clear()
            _ones_cache[words] = ones
    return ones


def _header(opcode: int, length: int, key: bytes) -> bytes:
    first = 0x80 | opcode
    if length < 126:
        return struct.pack("!BB", first, 0x80 | length) + key
    if length < 65536:
        return struct.pack("!BBH", first, 0x80 | 126, length) + key
    return struct.pack("!BBQ", first, 0x80 | 127, length) + key


def new_key() -> bytes:
    """A fresh masking key for one frame (RFC 6455 wants one from a strong source for every frame)."""
    return os.urandom(4)


def encode(opcode: int, parts: List[Buffer], key: Optional[bytes] = None) -> List[Buffer]:
    """One final, masked frame whose payload is ``parts`` back to back, as buffers to write in order.

    The parts are masked one by one (each from the key's position where the last ended) and not
    joined: a 12-byte media header and a 786 KB frame go out as the frame header and media header
    in one small buffer and the masked frame in another.
    """
    if key is None:
        key = new_key()
    views = [p if isinstance(p, memoryview) and p.format == "B" and p.ndim == 1 else memoryview(p).cast("B")
             for p in parts]
    length = sum(v.nbytes for v in views)
    out: List[Buffer] = []
    small = bytearray(_header(opcode, length, key))
    offset = 0
    for v in views:
        phase = offset & 3
        masked = mask(v, key[phase:] + key[:phase])
        offset += v.nbytes
        if len(masked) <= 1024:
            small += masked
        else:
            if small:
                out.append(bytes(small))
                small = bytearray()
            out.append(masked)
    if small:
        out.append(bytes(small))
    return out


def encode_frame(opcode: int, payload: Buffer, key: Optional[bytes] = None) -> bytes:
    """One final, masked frame as one bytes object (for short messages and tests)."""
    return b"".join(bytes(b) for b in encode(opcode, [payload], key))


class FrameParser:
    """Reassembles the server's frames from bytes as they arrive.

    ``feed`` what the socket gave, then take ``next_message()`` until it returns None: each is
    ``(opcode, payload)``, a whole text or binary message (fragments joined) or a control frame
    (close, ping, pong), which may come between the fragments of a message.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._parts: List[bytes] = []
        self._opcode = 0

    def feed(self, data: Buffer) -> None:
        self._buf += data

    def next_message(self) -> Optional[Tuple[int, bytes]]:
        while True:
            frame = self._next_frame()
            if frame is None:
                return None
            fin, opcode, payload = frame
            if opcode >= OP_CLOSE:
                return opcode, payload
            if opcode != OP_CONTINUATION:
                self._opcode = opcode
                self._parts = []
            self._parts.append(payload)
            if fin:
                message = b"".join(self._parts)
                self._parts = []
                return self._opcode, message

    def _next_frame(self) -> Optional[Tuple[bool, int, bytes]]:
        buf = self._buf
        if len(buf) < 2:
            return None
        first, second = buf[0], buf[1]
        length = second & 0x7F
        at = 2
        if length == 126:
            if len(buf) < 4:
                return None
            length = struct.unpack_from("!H", buf, 2)[0]
            at = 4
        elif length == 127:
            if len(buf) < 10:
                return None
            length = struct.unpack_from("!Q", buf, 2)[0]
            at = 10
        key = None
        if second & 0x80:
            if len(buf) < at + 4:
                return None
            key = bytes(buf[at:at + 4])
            at += 4
        if len(buf) < at + length:
            return None
        payload = bytes(buf[at:at + length])
        del buf[:at + length]
        if key is not None:
            payload = bytes(mask(payload, key))
        return bool(first & 0x80), first & 0x0F, payload


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` a server must answer to ``Sec-WebSocket-Key: key``."""
    return base64.b64encode(hashlib.sha1((key + _GUID).encode("ascii")).digest()).decode("ascii")


def handshake_request(host: str, path: str, key: str, headers: Dict[str, str]) -> bytes:
    """The HTTP/1.1 upgrade request (``host`` as the Host header has it, with its port)."""
    lines = ["GET %s HTTP/1.1" % path, "Host: %s" % host, "Upgrade: websocket", "Connection: Upgrade",
             "Sec-WebSocket-Key: %s" % key, "Sec-WebSocket-Version: 13"]
    lines += ["%s: %s" % item for item in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Misdirected(Exception):
    """A node answered the handshake 421: the session is served at ``location``."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def check_handshake(status: int, reason: str, headers: Dict[str, str], body: bytes, key: str) -> None:
    """Raises unless the reply is a 101 that accepts ``key``: AvpushError with the server's error, or
    :class:`Misdirected` for a 421 that names the node serving the session."""
    if status == 101:
        if headers.get("sec-websocket-accept") != accept_key(key):
            raise AvpushError(None, "websocket_failed", "the server's Sec-WebSocket-Accept does not match the key")
        return
    if status == 421 and headers.get("location"):
        raise Misdirected(headers["location"])
    raise error_from_reply(status, reason or "the WebSocket upgrade was refused", body)
