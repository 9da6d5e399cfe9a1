"""The blocking client: :class:`AvpushClient` and the :class:`SegmentStream` it opens."""

from __future__ import annotations

import base64
import http.client
import json
import os
import select
import socket
import ssl
import struct
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

from . import wsproto
from .errors import AvpushError, error_from_reply
from .httpproto import Buffer, Node, SseParser, connection_failure, multipart, parse_response_head, tls_context
from .media import audio_buffer, frame_buffers, frame_size, sample_bytes, wav_header
from .stream import StreamState, frame_rate

__all__ = ["AvpushClient", "SegmentStream", "EventStream"]

Json = Dict[str, Any]


class AvpushClient:
    """The avpush HTTP API, blocking: sessions, segments, the idle loop, streams, interrupts, events.

    ``base_url`` is the node (``http://host:8080``, or ``https://host`` behind a TLS-terminating
    proxy: then the HTTP calls, the event stream and the stream's WebSocket (``wss://``) all use
    TLS, checking the certificate and host name against the system's CAs, or against those of
    ``ssl_context`` when given). With ``api_key`` every request, the event stream and the stream's
    WebSocket handshake carry ``Authorization: Bearer <key>``. ``timeout`` (seconds) bounds
    connecting and each wait for the server's answer. Errors the server reports raise
    :class:`AvpushError`; wrong arguments raise ``ValueError``/``TypeError``.
    """

    def __init__(self, base_url: str = "http://localhost:8080", timeout: float = 30.0,
                 api_key: Optional[str] = None, ssl_context: Optional[ssl.SSLContext] = None) -> None:
        self.node = Node(base_url)
        self.base_url = self.node.url
        self.timeout = timeout
        self._auth: Dict[str, str] = {"Authorization": "Bearer " + api_key} if api_key else {}
        self._ssl_context = ssl_context
        self._tls = tls_context(self.node, ssl_context)

    # ---- sessions ----

    def create_session(self, fps: Union[int, float, str, None] = None, width: Optional[int] = None,
                       height: Optional[int] = None) -> Json:
        """Makes a session: ``{"sessionId", "fps", "width", "height", "viewerToken", ...}``."""
        return self._json("POST", "/api/sessions", session_body(fps, width, height))

    def list_sessions(self) -> List[str]:
        """The ids of the node's sessions."""
        return list(self._json("GET", "/api/sessions")["sessions"])

    def status(self, session_id: str) -> Json:
        """The session's state and live figures (``state``, ``viewersConnected``, ``streamGapTicks``, ...)."""
        return self._json("GET", session_path(session_id))

    def delete_session(self, session_id: str) -> None:
        """Ends the session and its viewers."""
        self._call("DELETE", session_path(session_id))

    def offer(self, session_id: str, sdp: str) -> Json:
        """Answers a viewer's SDP offer: ``{"sdp", "type": "answer", "viewerId"}``."""
        return self._json("POST", session_path(session_id, "/offer"), {"type": "offer", "sdp": sdp})

    def interrupt(self, session_id: str) -> Json:
        """Drops the queue and cuts the playing segment within a frame.

        Returns ``{"dropped": [ids], "cut": id or None, "cutAtMs", "cutAfterMs"}``: ``cutAfterMs`` is
        how far into the cut segment the cut fell (ms of that segment; None when nothing played),
        ``cutAtMs`` when the cut takes effect on the session's clock (ms since the session started).
        """
        return self._json("POST", session_path(session_id, "/interrupt"), {})

    # ---- segments and the idle loop ----

    def upload_segment(self, session_id: str, audio: Any = None, sample_rate: int = 48000, frames: Any = None,
                       fps: Union[int, float, str, None] = None, width: Optional[int] = None,
                       height: Optional[int] = None, audio_format: Optional[str] = None) -> Json:
        """Queues one segment (audio and/or frames): ``{"segmentId", "durationMs", "frames", ...}``.

        ``audio``: mono float (+-1.0) or int16 samples at ``sample_rate`` (numpy, ``array.array``,
        list, or bytes with ``audio_format``). ``frames``: bgr24 frames at ``fps`` (numpy uint8
        shaped (n, height, width, 3), bytes, or a list). Without ``width``/``height`` the frames'
        shape tells, or else the session's size.
        """
        if needs_session_size(frames, width, height):
            width, height = self._session_size(session_id)
        fields = segment_form(audio, sample_rate, frames, fps, width, height, audio_format)
        return self._form("POST", session_path(session_id, "/segments"), fields)

    def set_idle(self, session_id: str, frames: Any, fps: Union[int, float, str, None] = None, audio: Any = None,
                 sample_rate: int = 48000, width: Optional[int] = None, height: Optional[int] = None,
                 audio_format: Optional[str] = None) -> Json:
        """Sets the idle loop, played over and over whenever no segment plays (frames required):
        ``{"loopId", "durationMs", "frames", "frameTicks", "audio"}``."""
        if frames is None:
            raise ValueError("an idle loop needs frames")
        if needs_session_size(frames, width, height):
            width, height = self._session_size(session_id)
        fields = segment_form(audio, sample_rate, frames, fps, width, height, audio_format)
        return self._form("PUT", session_path(session_id, "/idle"), fields)

    def clear_idle(self, session_id: str) -> None:
        """Removes the idle loop: between segments the last frame is held in silence again."""
        self._call("DELETE", session_path(session_id, "/idle"))

    # ---- streams ----

    def open_stream(self, session_id: str, sample_rate: int = 16000, fps: Union[int, float, str, None] = None,
                    audio: bool = True, video: bool = True) -> "_StreamContext":
        """Opens the session's stream WebSocket and one segment on it; use it in a ``with`` block.

        ``fps`` (the session's when None) only sets the default frame timestamps, ``i / fps``.
        The segment starts playing once 100 ms of its audio and video have arrived. Leaving the
        block without :meth:`SegmentStream.close` still ends the segment: what arrived plays.
        """
        session = self.status(session_id)
        state = StreamState(session["width"], session["height"], sample_rate,
                            session["fps"] if fps is None else fps, audio, video)
        ws = self._open_websocket(session_path(session_id, "/stream"))
        try:
            stream = SegmentStream(ws, state, self.timeout)
        except BaseException:
            ws.close()
            raise
        return _StreamContext(ws, stream)

    def stream_segment(self, session_id: str, audio: Any = None, sample_rate: int = 16000, frames: Any = None,
                       fps: Union[int, float, str, None] = None, chunk_ms: int = 20,
                       audio_format: Optional[str] = None,
                       pace: Optional[Callable[[float], None]] = None) -> Json:
        """Streams one whole segment: audio in ``chunk_ms`` chunks between the frames, in media order.

        ``pace``: None sends as fast as the server takes it; ``pace(media_seconds)`` is called
        before each message (to sleep until that media time, as a live producer would). Returns
        the server's ``closed`` message: ``{"segmentId", "receivedMs", "gapTicks"}``.
        """
        check_segment(audio, audio_format, chunk_ms)
        with self.open_stream(session_id, sample_rate, fps, audio is not None, frames is not None) as stream:
            for media_s, chunk, fmt, frame in interleave(stream._state, audio, audio_format, frames, chunk_ms):
                if pace is not None:
                    pace(media_s)
                if frame is None:
                    stream.send_audio(chunk, fmt)
                else:
                    stream.send_frame(frame)
            return stream.close()

    # ---- events ----

    def events(self, session_id: str, timeout: Optional[float] = None) -> "EventStream":
        """The session's events as they happen (dicts with ``type``, ``seq``, ``timeMs``, ...).

        Iterate it; it ends with ``session-ended``. ``timeout`` bounds each wait for the next line
        (the node sends a heartbeat every 15 s); None waits for ever. ``close()`` (or a ``with``
        block) ends it from any thread.
        """
        path = session_path(session_id, "/events")
        conn = self._connection()
        try:
            try:
                conn.request("GET", self.node.path(path), headers=dict(self._auth, Accept="text/event-stream"))
                response = conn.getresponse()
            except OSError as e:
                raise AvpushError(None, "connection_failed", connection_failure(
                    "GET %s on %s" % (path, self.base_url), e)) from e
            if response.status != 200:
                raise error_from_reply(response.status, response.reason, response.read())
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
        except BaseException:
            conn.close()
            raise
        return EventStream(conn, response)

    # ---- plumbing ----

    def _connection(self) -> http.client.HTTPConnection:
        if self._tls is not None:
            return http.client.HTTPSConnection(self.node.host, self.node.port, timeout=self.timeout,
                                               context=self._tls)
        return http.client.HTTPConnection(self.node.host, self.node.port, timeout=self.timeout)

    def _open_websocket(self, path: str) -> "_WebSocket":
        try:
            return _WebSocket(self.node, self.node.path(path), self._tls, self._auth, self.timeout)
        except wsproto.Misdirected as elsewhere:
            # another node of the cluster serves the session: open the stream there (once)
            there = Node.of_websocket(elsewhere.location)
            try:
                return _WebSocket(there, there.prefix or "/", tls_context(there, self._ssl_context), self._auth,
                                  self.timeout)
            except wsproto.Misdirected as again:
                raise AvpushError(421, "misdirected_request", "the session moved again: " + again.location) from None

    def _session_size(self, session_id: str) -> Tuple[int, int]:
        session = self.status(session_id)
        return session["width"], session["height"]

    def _json(self, method: str, path: str, body: Any = None) -> Json:
        data = None if body is None else json.dumps(body).encode("utf-8")
        reply = self._call(method, path, [data] if data is not None else None, len(data) if data else 0,
                           "application/json")
        return json_object(reply, method, path)

    def _form(self, method: str, path: str, fields: List[Tuple[str, Optional[str], Any]]) -> Json:
        content_type, buffers, length = multipart(fields)
        return json_object(self._call(method, path, buffers, length, content_type), method, path)

    def _call(self, method: str, path: str, body: Optional[List[Buffer]] = None, length: int = 0,
              content_type: Optional[str] = None) -> bytes:
        headers = dict(self._auth)
        if body is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"
            headers["Content-Length"] = str(length)
        conn = self._connection()
        try:
            try:
                conn.request(method, self.node.path(path), body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except OSError as e:
                raise AvpushError(None, "connection_failed", connection_failure(
                    "%s %s on %s" % (method, path, self.base_url), e)) from e
        finally:
            conn.close()
        if response.status >= 300:
            raise error_from_reply(response.status, response.reason, data)
        return data


def json_object(body: bytes, method: str, path: str) -> Json:
    """The JSON object of a reply ({} for an empty one)."""
    try:
        value = json.loads(body.decode("utf-8") or "{}")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise AvpushError(None, "bad_reply", "%s %s did not answer a JSON object: %r" % (method, path, body[:200]))
    return value


def session_path(session_id: str, rest: str = "") -> str:
    if not isinstance(session_id, str) or not session_id or "/" in session_id or "?" in session_id:
        raise ValueError("session_id must be the 'sessionId' string create_session returned, not %r" % (session_id,))
    return "/api/sessions/%s%s" % (session_id, rest)


def session_body(fps: Union[int, float, str, None], width: Optional[int], height: Optional[int]) -> Json:
    body: Json = {}
    if fps is not None:
        frame_rate(fps)
        body["fps"] = str(fps)
    for name, value in (("width", width), ("height", height)):
        if value is not None:
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError("%s must be a positive int of pixels, not %r" % (name, value))
            body[name] = value
    return body


def needs_session_size(frames: Any, width: Optional[int], height: Optional[int]) -> bool:
    """True when neither the arguments nor the frames' shape tell the frames' size."""
    return frames is not None and frame_size(frames) is None and (width is None or height is None)


def segment_form(audio: Any, sample_rate: int, frames: Any, fps: Union[int, float, str, None],
                 width: Optional[int], height: Optional[int],
                 audio_format: Optional[str]) -> List[Tuple[str, Optional[str], Any]]:
    """The multipart fields of a segment or idle-loop upload."""
    if audio is None and frames is None:
        raise ValueError("a segment needs audio, frames or both")
    fields: List[Tuple[str, Optional[str], Any]] = []
    if audio is not None:
        if not isinstance(sample_rate, int) or isinstance(sample_rate, bool) or not 8000 <= sample_rate <= 192000:
            raise ValueError("sample_rate must be an int from 8000 to 192000 Hz, not %r" % (sample_rate,))
        pcm, fmt = audio_buffer(audio, audio_format)
        fields.append(("audio", "audio.wav", [wav_header(pcm.nbytes, fmt, sample_rate), pcm]))
    if frames is not None:
        size = frame_size(frames)
        if size is not None:
            width, height = size
        if width is None or height is None:
            raise ValueError("the frames' width and height are unknown: pass width= and height=")
        views = frame_buffers(frames, width, height)
        if not views:
            raise ValueError("frames is empty; pass at least one frame, or frames=None for audio only")
        fields.append(("video", "frames.bgr", list(views)))
        fields.append(("width", None, str(width).encode()))
        fields.append(("height", None, str(height).encode()))
    if fps is not None:
        frame_rate(fps)
        fields.append(("fps", None, str(fps).encode()))
    return fields


def check_segment(audio: Any, audio_format: Optional[str], chunk_ms: int) -> None:
    """Fails on a whole segment's wrong arguments before anything is sent."""
    if not isinstance(chunk_ms, int) or isinstance(chunk_ms, bool) or not 1 <= chunk_ms <= 1000:
        raise ValueError("chunk_ms must be an int from 1 to 1000, not %r" % (chunk_ms,))
    if audio is not None:
        audio_buffer(audio, audio_format)


def interleave(state: StreamState, audio: Any, audio_format: Optional[str], frames: Any,
               chunk_ms: int) -> Iterator[Tuple[float, Optional[memoryview], str, Optional[memoryview]]]:
    """Whole audio and frames in media order, as (seconds, audio chunk, its format, None) and
    (seconds, None, format, frame)."""
    pcm, fmt = audio_buffer(audio, audio_format) if audio is not None else (memoryview(b""), "s16le")
    views = frame_buffers(frames, state.width, state.height) if frames is not None else []
    width = sample_bytes(fmt)
    step = max(1, state.sample_rate * chunk_ms // 1000) * width
    at = k = 0
    while at < pcm.nbytes or k < len(views):
        audio_s = at // width / float(state.sample_rate)
        frame_s = float(k / state.fps)
        if k < len(views) and (at >= pcm.nbytes or frame_s <= audio_s):
            yield frame_s, None, fmt, views[k]
            k += 1
        else:
            yield audio_s, pcm[at:at + step], fmt, None
            at += step


class _WebSocket:
    """A blocking client WebSocket on a plain socket, or on a TLS one (``wss://``): writes buffers
    as they are, reads messages."""

    def __init__(self, node: Node, path: str, tls: Optional[ssl.SSLContext], headers: Dict[str, str],
                 timeout: float) -> None:
        try:
            sock = socket.create_connection((node.host, node.port), timeout=timeout)
        except OSError as e:
            raise AvpushError(None, "connection_failed", connection_failure(
                "cannot reach %s:%d for the stream" % (node.host, node.port), e)) from e
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls is not None:
            try:
                sock = tls.wrap_socket(sock, server_hostname=node.host)
            except OSError as e:
                sock.close()
                raise AvpushError(None, "connection_failed", connection_failure(
                    "TLS with %s:%d for the stream" % (node.host, node.port), e)) from e
        self.sock = sock
        #: TLS sockets have no sendmsg, and may hold decrypted bytes that select() does not see.
        self.tls = isinstance(sock, ssl.SSLSocket)
        self.parser = wsproto.FrameParser()
        self.closed = False
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        try:
            self.sock.sendall(wsproto.handshake_request(node.host_header, path, key, headers))
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise AvpushError(None, "websocket_failed", "the server closed the connection during the handshake")
                buf += chunk
            head, _, rest = buf.partition(b"\r\n\r\n")
            status, reason, reply_headers = parse_response_head(head)
            if status != 101:
                rest += self._rest_of_body(reply_headers, len(rest))
            wsproto.check_handshake(status, reason, reply_headers, rest, key)
        except BaseException:
            self.sock.close()
            raise
        self.parser.feed(rest)

    def _rest_of_body(self, headers: Dict[str, str], have: int) -> bytes:
        want = int(headers.get("content-length", "0") or 0) - have
        out = b""
        while want > 0:
            chunk = self.sock.recv(want)
            if not chunk:
                break
            out += chunk
            want -= len(chunk)
        return out

    def send_buffers(self, buffers: List[Buffer]) -> None:
        """Writes the buffers in order with as few system calls as the kernel allows, without joining them."""
        views = [memoryview(b).cast("B") if not isinstance(b, memoryview) or b.format != "B" else b for b in buffers]
        try:
            if self.tls or not hasattr(self.sock, "sendmsg"):  # TLS encrypts each buffer anyway; Windows
                for view in views:
                    self.sock.sendall(view)
                return
            while views:
                sent = self.sock.sendmsg(views)
                while views and sent >= views[0].nbytes:
                    sent -= views[0].nbytes
                    views.pop(0)
                if views and sent:
                    views[0] = views[0][sent:]
        except OSError as e:
            raise AvpushError(None, "closed", "the stream's connection broke while sending: %s" % e) from e

    def send_text(self, text: str) -> None:
        self.send_buffers(wsproto.encode(wsproto.OP_TEXT, [text.encode("utf-8")]))

    def poll(self) -> Optional[str]:
        """The next text message if one has arrived, without waiting."""
        message = self._next_text()
        while message is None and not self.closed and (
                (self.tls and self.sock.pending()) or select.select([self.sock], [], [], 0)[0]):
            if not self._read():
                break
            message = self._next_text()
        return message

    def receive(self) -> Optional[str]:
        """The next text message, waiting up to the socket's timeout (socket.timeout); None once closed."""
        while True:
            message = self._next_text()
            if message is not None or self.closed:
                return message
            if not self._read():
                return None

    def _read(self) -> bool:
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise
        except OSError:  # reset by the peer: the connection is over
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.parser.feed(chunk)
        return True

    def _next_text(self) -> Optional[str]:
        while True:
            message = self.parser.next_message()
            if message is None:
                return None
            opcode, payload = message
            if opcode == wsproto.OP_CLOSE:
                if not self.closed:
                    self.closed = True
                    try:
                        self.send_buffers(wsproto.encode(wsproto.OP_CLOSE, [payload[:2]]))
                    except AvpushError:
                        pass
                return None
            if opcode == wsproto.OP_PING:
                self.send_buffers(wsproto.encode(wsproto.OP_PONG, [payload]))
            elif opcode == wsproto.OP_TEXT:
                return payload.decode("utf-8")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.send_buffers(wsproto.encode(wsproto.OP_CLOSE, [struct.pack("!H", 1000)]))
            except AvpushError:
                pass
        self.sock.close()


class SegmentStream:
    """One streamed segment on an open WebSocket: send audio and frames as they are made, then close.

    Timestamps are kept for you: audio goes on where the last chunk ended, frame ``i`` is at
    ``i / fps``. When the server says ``slow-down`` (it holds more than its stream buffer, 5 s,
    not yet played) the next send waits for its ``resume``. After an interrupt (``ended`` is
    set) sends are dropped here, as the server would drop them; :meth:`close` still ends the
    segment. An ``error`` from the server raises :class:`AvpushError` and ends the stream.
    """

    def __init__(self, ws: _WebSocket, state: StreamState, timeout: float) -> None:
        self._ws = ws
        self._state = state
        self._timeout = timeout
        ws.send_text(state.open_text())
        self._await(lambda: state.segment_id is not None, "opened")

    @property
    def segment_id(self) -> str:
        """The id of the segment this stream carries."""
        return self._state.segment_id or ""

    @property
    def messages(self) -> List[Json]:
        """Every message the server sent on this stream (opened, slow-down, resume, ...)."""
        return self._state.messages

    @property
    def ended(self) -> Optional[Json]:
        """The server's ``segment-ended`` message once an interrupt ended the segment, else None."""
        return self._state.ended

    @property
    def held(self) -> bool:
        """True while the server holds the producer back (between ``slow-down`` and ``resume``)."""
        return self._state.held

    def send_audio(self, samples: Any, audio_format: Optional[str] = None) -> None:
        """Sends the next chunk of mono samples (any length; 10-40 ms is typical)."""
        message = self._state.audio_message(samples, audio_format)
        if message is not None:
            self._send(*message)

    def send_frame(self, frame: Any, ts_us: Optional[int] = None) -> None:
        """Sends one bgr24 frame (or several), at ``ts_us`` or the next ``i / fps``."""
        for header, payload in self._state.frame_messages(frame, ts_us):
            self._send(header, payload)

    def close(self) -> Json:
        """Ends the segment (what was sent plays to its end); returns the server's ``closed`` message:
        ``{"segmentId", "receivedMs", "gapTicks"}`` (``{"segmentId", "ended": true}`` after an interrupt)."""
        if self._state.closed is None:
            self._ws.send_text(self._state.close_text())
            self._await(lambda: self._state.closed is not None, "closed")
        return dict(self._state.closed or {})

    def _send(self, header: bytes, payload: memoryview) -> None:
        if self._state.held:
            self._await(lambda: not self._state.held, "resume", hold=True)
        if self._state.ended is not None:
            return
        self._ws.send_buffers(wsproto.encode(wsproto.OP_BINARY, [header, payload]))
        while True:
            text = self._ws.poll()
            if text is None:
                break
            self._state.on_message(text)
        if self._ws.closed:
            raise AvpushError(None, "closed", "the server closed the stream")

    def _await(self, done: Callable[[], bool], what: str, hold: bool = False) -> None:
        """Reads the server's messages until ``done()``; a hold (slow-down) may last as long as the
        server keeps it (it ends it itself), other waits up to the client's timeout."""
        while not done():
            try:
                text = self._ws.receive()
            except socket.timeout:
                if hold and self._state.held:
                    continue
                raise AvpushError(None, "timeout", "no '%s' from the server within %.0f s" % (what, self._timeout)) from None
            if text is None:
                raise AvpushError(None, "closed", "the server closed the stream before '%s'" % what)
            self._state.on_message(text)


class _StreamContext:
    def __init__(self, ws: _WebSocket, stream: SegmentStream) -> None:
        self._ws = ws
        self.stream = stream

    def __enter__(self) -> SegmentStream:
        return self.stream

    def __exit__(self, *exc: Any) -> None:
        self._ws.close()


class EventStream:
    """The session's Server-Sent Events, one dict each; ends with ``session-ended`` or :meth:`close`."""

    def __init__(self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse) -> None:
        self._conn = conn
        self._response = response
        self._parser = SseParser()
        self._closed = False

    def __iter__(self) -> "EventStream":
        return self

    def __next__(self) -> Json:
        while not self._closed:
            try:
                raw = self._response.readline()
            except socket.timeout:
                self.close()
                raise AvpushError(None, "timeout", "no event (nor the node's heartbeat, every 15 s) within the "
                                  "events' timeout") from None
            except (OSError, ValueError, http.client.HTTPException):
                if self._closed:
                    break
                raise
            if not raw:
                break
            event = self._parser.line(raw)
            if event is not None:
                if event.get("type") == "session-ended":
                    self.close()
                return event
        self.close()
        raise StopIteration

    def close(self) -> None:
        """Ends the stream; a thread blocked in ``next()`` returns (StopIteration)."""
        if self._closed:
            return
        self._closed = True
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._conn.close()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
