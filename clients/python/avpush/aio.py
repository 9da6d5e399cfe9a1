"""The asyncio client: :class:`AsyncAvpushClient`, with the blocking client's calls as coroutines.

HTTP/1.1 and the WebSocket are written on asyncio streams; the framing, masking, multipart forms,
event parsing and stream bookkeeping are the blocking client's own (:mod:`avpush.wsproto`,
:mod:`avpush.httpproto`, :mod:`avpush.stream`). Nothing here blocks the event loop: a stream held
back by the server (``slow-down``) awaits its ``resume`` while other tasks run.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import ssl
import struct
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from . import wsproto
from .client import (check_segment, interleave, json_object, needs_session_size, segment_form, session_body,
                     session_path)
from .errors import AvpushError, error_from_reply
from .httpproto import (Buffer, Node, SseParser, connection_failure, multipart, parse_response_head, request_head,
                        tls_context)
from .stream import StreamState

__all__ = ["AsyncAvpushClient", "AsyncSegmentStream", "AsyncEventStream"]

Json = Dict[str, Any]
_BIG = 64 * 1024  # a buffer this long is drained before the next is written


class AsyncAvpushClient:
    """The avpush HTTP API for asyncio programs; the same calls as :class:`avpush.AvpushClient`.

    Every call is a coroutine, except :meth:`open_stream` (``async with``) and :meth:`events`
    (``async for``). Each HTTP call uses a connection of its own, so calls may run concurrently.
    An ``https://`` node is reached with TLS (the stream as ``wss://``), as the blocking client
    does: the system's CAs and the host name checked, or ``ssl_context``'s CAs when given.
    """

    def __init__(self, base_url: str = "http://localhost:8080", timeout: float = 30.0,
                 api_key: Optional[str] = None, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        self.node = Node(base_url)
        self.base_url = self.node.url
        self.timeout = timeout
        self._auth: Dict[str, str] = {"Authorization": "Bearer " + api_key} if api_key else {}
        self._ssl_context = ssl_context
        tls_context(self.node, ssl_context)  # a wrong ssl_context fails here, before any call

    # ---- sessions ----

    async def create_session(self, fps: Union[int, float, str, None] = None, width: Optional[int] = None,
                             height: Optional[int] = None) -> Json:
        """Makes a session: ``{"sessionId", "fps", "width", "height", "viewerToken", ...}``."""
        return await self._json("POST", "/api/sessions", session_body(fps, width, height))

    async def list_sessions(self) -> List[str]:
        """The ids of the node's sessions."""
        return list((await self._json("GET", "/api/sessions"))["sessions"])

    async def status(self, session_id: str) -> Json:
        """The session's state and live figures."""
        return await self._json("GET", session_path(session_id))

    async def delete_session(self, session_id: str) -> None:
        """Ends the session and its viewers."""
        await self._call("DELETE", session_path(session_id))

    async def offer(self, session_id: str, sdp: str) -> Json:
        """Answers a viewer's SDP offer: ``{"sdp", "type": "answer", "viewerId"}``."""
        return await self._json("POST", session_path(session_id, "/offer"), {"type": "offer", "sdp": sdp})

    async def interrupt(self, session_id: str) -> Json:
        """Drops the queue and cuts the playing segment within a frame.

        Returns ``{"dropped": [ids], "cut": id or None, "cutAtMs", "cutAfterMs"}``: ``cutAfterMs`` is
        how far into the cut segment the cut fell (ms of that segment; None when nothing played),
        ``cutAtMs`` when the cut takes effect on the session's clock (ms since the session started).
        """
        return await self._json("POST", session_path(session_id, "/interrupt"), {})

    # ---- segments and the idle loop ----

    async def upload_segment(self, session_id: str, audio: Any = None, sample_rate: int = 48000,
                             frames: Any = None, fps: Union[int, float, str, None] = None,
                             width: Optional[int] = None, height: Optional[int] = None,
                             audio_format: Optional[str] = None) -> Json:
        """Queues one segment; the arguments are :meth:`avpush.AvpushClient.upload_segment`'s."""
        fields = await self._segment_form(session_id, audio, sample_rate, frames, fps, width, height, audio_format)
        return await self._form("POST", session_path(session_id, "/segments"), fields)

    async def set_idle(self, session_id: str, frames: Any, fps: Union[int, float, str, None] = None,
                       audio: Any = None, sample_rate: int = 48000, width: Optional[int] = None,
                       height: Optional[int] = None, audio_format: Optional[str] = None) -> Json:
        """Sets the idle loop (frames required): ``{"loopId", "durationMs", "frames", ...}``."""
        if frames is None:
            raise ValueError("an idle loop needs frames")
        fields = await self._segment_form(session_id, audio, sample_rate, frames, fps, width, height, audio_format)
        return await self._form("PUT", session_path(session_id, "/idle"), fields)

    async def clear_idle(self, session_id: str) -> None:
        """Removes the idle loop."""
        await self._call("DELETE", session_path(session_id, "/idle"))

    # ---- streams ----

    def open_stream(self, session_id: str, sample_rate: int = 16000, fps: Union[int, float, str, None] = None,
                    audio: bool = True, video: bool = True) -> "_AsyncStreamContext":
        """``async with client.open_stream(sid) as stream:`` opens the stream WebSocket and one
        segment on it; see :meth:`avpush.AvpushClient.open_stream`."""
        session_path(session_id)
        return _AsyncStreamContext(self, session_id, sample_rate, fps, audio, video)

    async def stream_segment(self, session_id: str, audio: Any = None, sample_rate: int = 16000,
                             frames: Any = None, fps: Union[int, float, str, None] = None, chunk_ms: int = 20,
                             audio_format: Optional[str] = None,
                             pace: Optional[Callable[[float], Any]] = None) -> Json:
        """Streams one whole segment; ``pace(media_seconds)`` may be a coroutine function (to
        ``asyncio.sleep`` until that media time). Returns the server's ``closed`` message."""
        check_segment(audio, audio_format, chunk_ms)
        async with self.open_stream(session_id, sample_rate, fps, audio is not None, frames is not None) as stream:
            for media_s, chunk, fmt, frame in interleave(stream._state, audio, audio_format, frames, chunk_ms):
                if pace is not None:
                    paced = pace(media_s)
                    if asyncio.iscoroutine(paced):
                        await paced
                if frame is None:
                    await stream.send_audio(chunk, fmt)
                else:
                    await stream.send_frame(frame)
            return await stream.close()

    # ---- events ----

    def events(self, session_id: str, timeout: Optional[float] = None) -> "AsyncEventStream":
        """``async for event in client.events(sid):`` the session's events as they happen; ends with
        ``session-ended`` or ``aclose()``. ``timeout`` bounds each wait for the next line."""
        return AsyncEventStream(self, session_path(session_id, "/events"), timeout)

    # ---- plumbing ----

    async def _segment_form(self, session_id: str, audio: Any, sample_rate: int, frames: Any,
                            fps: Union[int, float, str, None], width: Optional[int], height: Optional[int],
                            audio_format: Optional[str]) -> List[Tuple[str, Optional[str], Any]]:
        if needs_session_size(frames, width, height):
            session = await self.status(session_id)
            width, height = session["width"], session["height"]
        return segment_form(audio, sample_rate, frames, fps, width, height, audio_format)

    async def _json(self, method: str, path: str, body: Any = None) -> Json:
        data = None if body is None else json.dumps(body).encode("utf-8")
        reply = await self._call(method, path, None if data is None else [data], len(data or b""), "application/json")
        return json_object(reply, method, path)

    async def _form(self, method: str, path: str, fields: List[Tuple[str, Optional[str], Any]]) -> Json:
        content_type, buffers, length = multipart(fields)
        return json_object(await self._call(method, path, buffers, length, content_type), method, path)

    async def _connect(self, node: Node) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to ``node``, with TLS for an https:// one (its handshake within the timeout)."""
        tls = tls_context(node, self._ssl_context)
        try:
            return await asyncio.wait_for(asyncio.open_connection(
                node.host, node.port, ssl=tls, server_hostname=node.host if tls else None), self.timeout)
        except (OSError, asyncio.TimeoutError) as e:
            raise AvpushError(None, "connection_failed", connection_failure(
                "cannot reach %s:%d" % (node.host, node.port), e)) from e

    async def _call(self, method: str, path: str, body: Optional[List[Buffer]] = None, length: int = 0,
                    content_type: Optional[str] = None) -> bytes:
        status, reason, headers, data = await self._exchange(method, path, body, length, content_type)
        if status >= 300:
            raise error_from_reply(status, reason, data)
        return data

    async def _exchange(self, method: str, path: str, body: Optional[List[Buffer]], length: int,
                        content_type: Optional[str]) -> Tuple[int, str, Dict[str, str], bytes]:
        headers = dict(self._auth)
        if body is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"
        reader, writer = await self._connect(self.node)
        try:
            writer.write(request_head(method, self.node.host_header, self.node.path(path), headers,
                                      length if body is not None or method in ("POST", "PUT") else None))
            await _write_all(writer, body or [])
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), self.timeout)
            status, reason, reply_headers = parse_response_head(head[:-4])
            data = await asyncio.wait_for(_read_body(reader, reply_headers), self.timeout)
            return status, reason, reply_headers, data
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as e:
            raise AvpushError(None, "connection_failed", "%s %s on %s: %s" % (
                method, path, self.base_url, e or "timed out")) from e
        finally:
            writer.close()


async def _write_all(writer: asyncio.StreamWriter, buffers: List[Buffer]) -> None:
    for buffer in buffers:
        writer.write(buffer)
        if memoryview(buffer).nbytes >= _BIG:
            await writer.drain()
    await writer.drain()


async def _read_body(reader: asyncio.StreamReader, headers: Dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks: List[bytes] = []
        while True:
            chunk = await _read_chunk(reader)
            if chunk is None:
                return b"".join(chunks)
            chunks.append(chunk)
    if "content-length" in headers:
        return await reader.readexactly(int(headers["content-length"]))
    return await reader.read()


async def _read_chunk(reader: asyncio.StreamReader) -> Optional[bytes]:
    """The next chunk of a chunked body, None after the last."""
    size_line = await reader.readline()
    if not size_line:
        raise asyncio.IncompleteReadError(b"", None)
    size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
    if size == 0:
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass
        return None
    data = await reader.readexactly(size)
    await reader.readexactly(2)
    return data


class _AsyncWebSocket:
    """A client WebSocket on asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.parser = wsproto.FrameParser()
        self.closed = False

    @classmethod
    async def connect(cls, client: AsyncAvpushClient, path: str) -> "_AsyncWebSocket":
        try:
            return await cls._connect(client, client.node, client.node.path(path))
        except wsproto.Misdirected as elsewhere:
            there = Node.of_websocket(elsewhere.location)
            try:
                return await cls._connect(client, there, there.prefix or "/")
            except wsproto.Misdirected as again:
                raise AvpushError(421, "misdirected_request", "the session moved again: " + again.location) from None

    @classmethod
    async def _connect(cls, client: AsyncAvpushClient, node: Node, path: str) -> "_AsyncWebSocket":
        reader, writer = await client._connect(node)
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        try:
            writer.write(wsproto.handshake_request(node.host_header, path, key, client._auth))
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), client.timeout)
            status, reason, headers = parse_response_head(head[:-4])
            body = b""
            if status != 101:
                body = await asyncio.wait_for(_read_body(reader, headers), client.timeout)
            wsproto.check_handshake(status, reason, headers, body, key)
        except BaseException:
            writer.close()
            raise
        return cls(reader, writer)

    async def send_buffers(self, buffers: List[Buffer]) -> None:
        try:
            await _write_all(self.writer, buffers)
        except OSError as e:
            raise AvpushError(None, "closed", "the stream's connection broke while sending: %s" % e) from e

    async def send_text(self, text: str) -> None:
        await self.send_buffers(wsproto.encode(wsproto.OP_TEXT, [text.encode("utf-8")]))

    async def receive(self) -> Optional[str]:
        """The next text message; None once the connection is closed."""
        while True:
            message = self.parser.next_message()
            if message is None:
                if self.closed:
                    return None
                try:
                    chunk = await self.reader.read(65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    self.closed = True
                    return None
                self.parser.feed(chunk)
                continue
            opcode, payload = message
            if opcode == wsproto.OP_CLOSE:
                if not self.closed:
                    self.closed = True
                    try:
                        await self.send_buffers(wsproto.encode(wsproto.OP_CLOSE, [payload[:2]]))
                    except AvpushError:
                        pass
                return None
            if opcode == wsproto.OP_PING:
                await self.send_buffers(wsproto.encode(wsproto.OP_PONG, [payload]))
            elif opcode == wsproto.OP_TEXT:
                return payload.decode("utf-8")

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                await self.send_buffers(wsproto.encode(wsproto.OP_CLOSE, [struct.pack("!H", 1000)]))
            except AvpushError:
                pass
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except OSError:
            pass


class AsyncSegmentStream:
    """One streamed segment for asyncio; the calls of :class:`avpush.SegmentStream` as coroutines.

    A task reads the server's messages while you send: after ``slow-down`` the next send awaits
    ``resume`` (other tasks run meanwhile); after an interrupt (``ended``) sends are dropped here;
    an ``error`` raises :class:`AvpushError` from the next call.
    """

    def __init__(self, ws: _AsyncWebSocket, state: StreamState, timeout: float) -> None:
        self._ws = ws
        self._state = state
        self._timeout = timeout
        self._news = asyncio.Event()
        self._failure: Optional[AvpushError] = None
        self._reader = asyncio.ensure_future(self._read())

    @property
    def segment_id(self) -> str:
        """The id of the segment this stream carries."""
        return self._state.segment_id or ""

    @property
    def messages(self) -> List[Json]:
        """Every message the server sent on this stream."""
        return self._state.messages

    @property
    def ended(self) -> Optional[Json]:
        """The server's ``segment-ended`` message once an interrupt ended the segment, else None."""
        return self._state.ended

    @property
    def held(self) -> bool:
        """True while the server holds the producer back (between ``slow-down`` and ``resume``)."""
        return self._state.held

    async def _open(self) -> None:
        await self._ws.send_text(self._state.open_text())
        await self._await(lambda: self._state.segment_id is not None, "opened")

    async def send_audio(self, samples: Any, audio_format: Optional[str] = None) -> None:
        """Sends the next chunk of mono samples."""
        message = self._state.audio_message(samples, audio_format)
        if message is not None:
            await self._send(*message)

    async def send_frame(self, frame: Any, ts_us: Optional[int] = None) -> None:
        """Sends one bgr24 frame (or several), at ``ts_us`` or the next ``i / fps``."""
        for header, payload in self._state.frame_messages(frame, ts_us):
            await self._send(header, payload)

    async def close(self) -> Json:
        """Ends the segment; returns the server's ``closed`` message."""
        if self._state.closed is None:
            self._check()
            await self._ws.send_text(self._state.close_text())
            await self._await(lambda: self._state.closed is not None, "closed")
        return dict(self._state.closed or {})

    async def _send(self, header: bytes, payload: memoryview) -> None:
        self._check()
        if self._state.held:
            await self._await(lambda: not self._state.held, "resume", hold=True)
        if self._state.ended is not None:
            return
        await self._ws.send_buffers(wsproto.encode(wsproto.OP_BINARY, [header, payload]))

    def _check(self) -> None:
        if self._failure is not None:
            raise self._failure

    async def _read(self) -> None:
        try:
            while True:
                text = await self._ws.receive()
                if text is None:
                    self._failure = self._failure or AvpushError(None, "closed", "the server closed the stream")
                    return
                self._state.on_message(text)
                self._news.set()
        except AvpushError as e:
            self._failure = e
        finally:
            self._news.set()

    async def _await(self, done: Callable[[], bool], what: str, hold: bool = False) -> None:
        while not done():
            self._check()
            self._news.clear()
            try:
                await asyncio.wait_for(self._news.wait(), None if hold else self._timeout)
            except asyncio.TimeoutError:
                raise AvpushError(None, "timeout", "no '%s' from the server within %.0f s" % (what, self._timeout)) from None

    async def _shutdown(self) -> None:
        await self._ws.close()
        self._reader.cancel()
        try:
            await self._reader
        except (asyncio.CancelledError, Exception):
            pass


class _AsyncStreamContext:
    def __init__(self, client: AsyncAvpushClient, session_id: str, sample_rate: int,
                 fps: Union[int, float, str, None], audio: bool, video: bool) -> None:
        self._client = client
        self._args = (session_id, sample_rate, fps, audio, video)
        self.stream: Optional[AsyncSegmentStream] = None

    async def __aenter__(self) -> AsyncSegmentStream:
        session_id, sample_rate, fps, audio, video = self._args
        session = await self._client.status(session_id)
        state = StreamState(session["width"], session["height"], sample_rate,
                            session["fps"] if fps is None else fps, audio, video)
        ws = await _AsyncWebSocket.connect(self._client, session_path(session_id, "/stream"))
        stream = AsyncSegmentStream(ws, state, self._client.timeout)
        try:
            await stream._open()
        except BaseException:
            await stream._shutdown()
            raise
        self.stream = stream
        return stream

    async def __aexit__(self, *exc: Any) -> None:
        if self.stream is not None:
            await self.stream._shutdown()


class AsyncEventStream:
    """The session's Server-Sent Events for ``async for``; ends with ``session-ended`` or ``aclose()``."""

    def __init__(self, client: AsyncAvpushClient, path: str, timeout: Optional[float]) -> None:
        self._client = client
        self._path = path
        self._timeout = timeout
        self._parser = SseParser()
        self._writer: Optional[asyncio.StreamWriter] = None
        self._reader: Optional[asyncio.StreamReader] = None
        self._chunked = False
        self._pending = b""
        self._closed = False

    def __aiter__(self) -> "AsyncEventStream":
        return self

    async def __anext__(self) -> Json:
        if self._writer is None and not self._closed:
            await self._start()
        while not self._closed:
            try:
                line = await asyncio.wait_for(self._readline(), self._timeout)
            except asyncio.TimeoutError:
                await self.aclose()
                raise AvpushError(None, "timeout", "no event (nor the node's heartbeat, every 15 s) within the "
                                  "events' timeout") from None
            if not line:
                break
            event = self._parser.line(line)
            if event is not None:
                if event.get("type") == "session-ended":
                    await self.aclose()
                return event
        await self.aclose()
        raise StopAsyncIteration

    async def _start(self) -> None:
        client = self._client
        reader, writer = await client._connect(client.node)
        self._reader, self._writer = reader, writer
        try:
            writer.write(request_head("GET", client.node.host_header, client.node.path(self._path),
                                      dict(client._auth, Accept="text/event-stream"), None))
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), client.timeout)
            status, reason, headers = parse_response_head(head[:-4])
            if status != 200:
                raise error_from_reply(status, reason, await asyncio.wait_for(_read_body(reader, headers), client.timeout))
            self._chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        except BaseException:
            await self.aclose()
            raise

    async def _readline(self) -> bytes:
        assert self._reader is not None
        if not self._chunked:
            return await self._reader.readline()
        while b"\n" not in self._pending:
            chunk = await _read_chunk(self._reader)
            if chunk is None:
                line, self._pending = self._pending, b""
                return line
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line + b"\n"

    async def aclose(self) -> None:
        """Ends the stream."""
        self._closed = True
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    async def __aenter__(self) -> "AsyncEventStream":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
