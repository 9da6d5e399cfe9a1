"""A client for avpush, standard library only (Python >= 3.9, no pip install).

    from avpush_client import AvpushClient
    client = AvpushClient("http://localhost:8080")      # api_key="..." when the node has keys
    session = client.create_session(fps=30, width=512, height=512)
    client.upload_segment(session["sessionId"], audio=samples, sample_rate=16000, frames=frames, fps=30)

Audio is float32 (full scale +-1.0) or int16 mono samples: a numpy array when numpy is present,
an ``array.array('f' / 'h')``, a list, or raw little-endian bytes (say which with
``audio_format="f32le"`` or ``"s16le"``). Frames are bgr24 of the session's size: a numpy uint8
array shaped (n, height, width, 3) (or one frame (height, width, 3)), a list of such frames or
of bytes, or raw bytes back to back.

``stream_segment`` / ``open_stream`` send media over the WebSocket ``/api/sessions/{id}/stream``
while it is made (a minimal RFC 6455 client is built in); ``events`` iterates the session's
Server-Sent Events. With ``api_key`` every request (and the WebSocket handshake) carries
``Authorization: Bearer <key>``. In a cluster, a node that does not serve the session answers the
stream's handshake 421 with the serving node's URL; the client opens it there.
"""

import array
import base64
import hashlib
import json
import os
import select
import socket
import struct
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = ["AvpushClient", "AvpushError", "SegmentStream"]

KIND_AUDIO = 1
KIND_VIDEO = 2
FORMAT_S16LE = 1
FORMAT_F32LE = 2
FORMAT_BGR24 = 1
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class AvpushError(Exception):
    """An error the server reported: its HTTP status (or None on the WebSocket), code and message."""

    def __init__(self, status, error, message):
        super().__init__("%s%s: %s" % ("" if status is None else "%d " % status, error, message))
        self.status = status
        self.error = error
        self.message = message


# ---- audio and frames to bytes ----

def audio_bytes(audio, audio_format=None):
    """Returns (little-endian bytes, "s16le" or "f32le") for float32/int16 samples in any accepted form."""
    if audio is None:
        return b"", None
    if isinstance(audio, (bytes, bytearray, memoryview)):
        fmt = audio_format or "s16le"
        if fmt not in ("s16le", "f32le"):
            raise ValueError("audio_format must be 's16le' or 'f32le', not %r" % (fmt,))
        return bytes(audio), fmt
    dtype = getattr(audio, "dtype", None)
    if dtype is not None:  # numpy (or anything shaped like it)
        if getattr(audio, "ndim", 1) != 1:
            raise ValueError("audio must be mono: a 1-D array, got shape %r" % (getattr(audio, "shape", None),))
        if dtype.kind == "f":
            return audio.astype("<f4").tobytes(), "f32le"
        if dtype.kind in "iu" and dtype.itemsize == 2:
            return audio.astype("<i2").tobytes(), "s16le"
        raise ValueError("audio samples must be float32 (+-1.0) or int16, got dtype %s" % (dtype,))
    if isinstance(audio, array.array):
        if audio.typecode in "fd":
            out = array.array("f", audio)
            fmt = "f32le"
        elif audio.typecode == "h":
            out = array.array("h", audio)
            fmt = "s16le"
        else:
            raise ValueError("audio array.array must have typecode 'f', 'd' or 'h', not %r" % audio.typecode)
        if sys.byteorder == "big":
            out.byteswap()
        return out.tobytes(), fmt
    samples = list(audio)
    if all(isinstance(s, int) for s in samples):
        return audio_bytes(array.array("h", samples))
    return audio_bytes(array.array("f", samples))


def frames_list(frames, width, height):
    """Returns the frames as a list of bgr24 bytes of width x height (numpy, lists or raw bytes)."""
    if frames is None:
        return []
    size = width * height * 3
    if isinstance(frames, (bytes, bytearray, memoryview)):
        data = bytes(frames)
        if len(data) % size:
            raise ValueError("%d bytes of frames is not a whole number of %dx%d bgr24 frames (%d bytes each)"
                             % (len(data), width, height, size))
        return [data[i:i + size] for i in range(0, len(data), size)]
    shape = getattr(frames, "shape", None)
    if shape is not None:
        if len(shape) == 3:
            frames = frames.reshape((1,) + tuple(shape))
            shape = frames.shape
        if len(shape) != 4 or tuple(shape[1:]) != (height, width, 3):
            raise ValueError("frames must be shaped (n, %d, %d, 3) bgr24, got %r" % (height, width, tuple(shape)))
        data = frames.astype("u1").tobytes()
        return [data[i:i + size] for i in range(0, len(data), size)]
    out = []
    for frame in frames:
        out.extend(frames_list(frame, width, height))
    return out


def frame_size(frames):
    """(width, height) of numpy frames, or None."""
    shape = getattr(frames, "shape", None)
    if shape is None or len(shape) < 3:
        return None
    return int(shape[-2]), int(shape[-3])


def wav_bytes(pcm, fmt, sample_rate):
    """A mono WAV: PCM s16 or IEEE float32."""
    tag, bits = (1, 16) if fmt == "s16le" else (3, 32)
    block = bits // 8
    return (b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, tag, 1, sample_rate, sample_rate * block, block, bits)
            + b"data" + struct.pack("<I", len(pcm)) + pcm)


# ---- WebSocket (RFC 6455), client side ----

def ws_frame(opcode, payload, mask_key=None):
    """One final frame; clients mask (mask_key: 4 bytes, random when None)."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    mask_bit = 0x80
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 65536:
        head += bytes([mask_bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack(">Q", n)
    key = mask_key if mask_key is not None else os.urandom(4)
    return head + key + _mask(payload, key)


def _mask(payload, key):
    if not payload:
        return b""
    n = len(payload)
    k = int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(payload, "big") ^ k).to_bytes(n, "big")


def ws_read_frame(read):
    """Reads one frame with read(n) -> exactly n bytes; returns (fin, opcode, payload)."""
    b0, b1 = read(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack(">H", read(2))[0]
    elif n == 127:
        n = struct.unpack(">Q", read(8))[0]
    key = read(4) if b1 & 0x80 else None
    payload = read(n) if n else b""
    if key:
        payload = _mask(payload, key)
    return bool(b0 & 0x80), b0 & 0x0F, payload


class _Misdirected(Exception):
    """A node answered a stream handshake 421: the session is served at `location`."""

    def __init__(self, location):
        super().__init__(location)
        self.location = location


class _WebSocket:
    """A blocking WebSocket client connection: send text/binary, receive whole messages."""

    def __init__(self, url, timeout, headers=None):
        parts = urllib.parse.urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port or 80), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        path = parts.path + ("?" + parts.query if parts.query else "")
        extra = "".join("%s: %s\r\n" % h for h in (headers or {}).items())
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n%s\r\n"
                           % (path, parts.hostname, parts.port or 80, key, extra)).encode())
        self._buf = b""
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        status_line, _, header_text = head.partition("\r\n")
        headers = {}
        for line in header_text.split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if " 101 " not in status_line + " ":
            body = self._buf
            try:
                err = json.loads(body.decode() or "{}")
            except ValueError:
                err = {}
            self.sock.close()
            status = int(status_line.split()[1])
            if status == 421 and headers.get("location"):
                raise _Misdirected(headers["location"])
            raise AvpushError(status, err.get("error", "websocket_refused"), err.get("message", status_line))
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != accept:
            raise AvpushError(None, "websocket_failed", "the server's Sec-WebSocket-Accept does not match")
        self.closed = False

    def _read_until(self, marker):
        while marker not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection during the handshake")
            self._buf += chunk
        head, _, self._buf = self._buf.partition(marker)
        return head

    def _read(self, n):
        while len(self._buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self._buf)))
            if not chunk:
                raise ConnectionError("the server closed the connection")
            self._buf += chunk
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def send(self, opcode, payload):
        self.sock.sendall(ws_frame(opcode, payload))

    def readable(self):
        return bool(self._buf) or bool(select.select([self.sock], [], [], 0)[0])

    def recv(self):
        """The next text message (str), or None once the server closed the connection."""
        parts = []
        while True:
            if self.closed:
                return None
            try:
                fin, opcode, payload = ws_read_frame(self._read)
            except ConnectionError:
                self.closed = True
                return None
            if opcode == 0x8:
                self.closed = True
                try:
                    self.send(0x8, payload[:2])
                except OSError:
                    pass
                return None
            if opcode == 0x9:
                self.send(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            parts.append(payload)
            if fin:
                return b"".join(parts).decode("utf-8") if opcode in (0x1, 0x0) else b"".join(parts)

    def close(self):
        if not self.closed:
            try:
                self.send(0x8, struct.pack(">H", 1000))
            except OSError:
                pass
        self.sock.close()
        self.closed = True


def stream_message(kind, fmt, ts_us, payload):
    """A binary stream message: kind, format, 2 reserved bytes, int64 LE timestamp in us, payload."""
    return struct.pack("<BBHq", kind, fmt, 0, int(ts_us)) + payload


class SegmentStream:
    """One streamed segment on an open WebSocket: send audio and frames as they are made, then close.

    Timestamps are kept for you: audio continues where the last chunk ended, frame i is at i / fps.
    ``messages`` collects what the server said (opened, slow-down, resume, ...). A server error
    raises AvpushError. Sends block while the server holds the producer back (its buffer is full).
    """

    def __init__(self, ws, session, sample_rate, fps, audio, video):
        self._ws = ws
        self._width = session["width"]
        self._height = session["height"]
        self._rate = sample_rate
        self._fps = fps
        self._samples = 0
        self._frames = 0
        self.messages = []
        msg = {"type": "open", "audio": bool(audio), "video": bool(video)}
        if audio:
            msg["sampleRate"] = int(sample_rate)
        ws.send(0x1, json.dumps(msg).encode())
        opened = self._expect("opened")
        self.segment_id = opened["segmentId"]

    def send_audio(self, samples, audio_format=None):
        data, fmt = audio_bytes(samples, audio_format)
        ts_us = self._samples * 1000000 // self._rate
        self._ws.send(0x2, stream_message(KIND_AUDIO, FORMAT_S16LE if fmt == "s16le" else FORMAT_F32LE, ts_us, data))
        self._samples += len(data) // (2 if fmt == "s16le" else 4)
        self._poll()

    def send_frame(self, frame, ts_us=None):
        for data in frames_list(frame, self._width, self._height):
            ts = ts_us if ts_us is not None else round(self._frames * 1000000 / float(self._fps))
            self._ws.send(0x2, stream_message(KIND_VIDEO, FORMAT_BGR24, ts, data))
            self._frames += 1
            ts_us = None
        self._poll()

    def close(self):
        """Ends the segment (what was sent plays to its end); returns the server's 'closed' message."""
        self._ws.send(0x1, b'{"type": "close"}')
        return self._expect("closed")

    def _poll(self):
        while self._ws.readable():
            self._handle(self._ws.recv())

    def _expect(self, type_):
        while True:
            msg = self._handle(self._ws.recv())
            if msg.get("type") == type_:
                return msg

    def _handle(self, text):
        if text is None:
            raise AvpushError(None, "closed", "the server closed the stream")
        msg = json.loads(text)
        self.messages.append(msg)
        if msg.get("type") == "error":
            raise AvpushError(None, msg.get("error"), msg.get("message"))
        return msg


class AvpushClient:
    """The avpush HTTP API: sessions, segments, streams, interrupts and events."""

    def __init__(self, base_url="http://localhost:8080", timeout=30.0, api_key=None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._auth = {"Authorization": "Bearer " + api_key} if api_key else {}

    # ---- sessions ----

    def create_session(self, fps=None, width=None, height=None):
        body = {k: v for k, v in (("fps", None if fps is None else str(fps)), ("width", width), ("height", height))
                if v is not None}
        return self._json("POST", "/api/sessions", body)

    def status(self, session_id):
        return self._json("GET", "/api/sessions/%s" % session_id)

    def delete_session(self, session_id):
        self._request("DELETE", "/api/sessions/%s" % session_id)

    def offer(self, session_id, sdp):
        """Answers a viewer's SDP offer: {"sdp", "type": "answer", "viewerId"}."""
        return self._json("POST", "/api/sessions/%s/offer" % session_id, {"type": "offer", "sdp": sdp})

    def interrupt(self, session_id):
        """Drops the queue and cuts the playing segment: {"dropped", "cut", "cutAtMs"}."""
        return self._json("POST", "/api/sessions/%s/interrupt" % session_id, {})

    # ---- segments ----

    def upload_segment(self, session_id, audio=None, sample_rate=48000, frames=None, fps=None,
                       width=None, height=None, audio_format=None):
        """Queues one segment (audio and/or frames): {"segmentId", "durationMs", "frames", ...}."""
        parts = []
        if audio is not None:
            pcm, fmt = audio_bytes(audio, audio_format)
            parts.append(("audio", "audio.wav", wav_bytes(pcm, fmt, int(sample_rate))))
        if frames is not None:
            size = frame_size(frames)
            if size is not None:
                width, height = size
            if width is None or height is None:
                session = self.status(session_id)
                width, height = session["width"], session["height"]
            parts.append(("video", "frames.bgr", b"".join(frames_list(frames, width, height))))
            parts.append(("width", None, str(width).encode()))
            parts.append(("height", None, str(height).encode()))
        if fps is not None:
            parts.append(("fps", None, str(fps).encode()))
        # As long as RFC 2046 allows (70): the server finds the boundary by Boyer-Moore, which skips
        # further per step the longer it is (a 67-character boundary cost the server 15 % less CPU
        # per uploaded MB than a 39-character one).
        boundary = ("avpush-" + uuid.uuid4().hex + uuid.uuid4().hex)[:70]
        chunks = []
        for name, filename, data in parts:
            chunks.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"%s\r\n%s\r\n"
                           % (boundary, name, "" if filename is None else "; filename=\"%s\"" % filename,
                              "" if filename is None else "Content-Type: application/octet-stream\r\n")).encode())
            chunks.append(data)
            chunks.append(b"\r\n")
        chunks.append(("--%s--\r\n" % boundary).encode())
        body = b"".join(chunks)
        return self._json("POST", "/api/sessions/%s/segments" % session_id, body,
                          "multipart/form-data; boundary=" + boundary)

    def open_stream(self, session_id, sample_rate=16000, fps=30, audio=True, video=True):
        """Opens a WebSocket and one streamed segment on it; use as a context manager."""
        session = self.status(session_id)
        url = self.base_url.replace("http://", "ws://", 1) + "/api/sessions/%s/stream" % session_id
        try:
            ws = _WebSocket(url, self.timeout, self._auth)
        except _Misdirected as elsewhere:
            # another node of the cluster serves the session: open the stream there (once)
            try:
                ws = _WebSocket(elsewhere.location, self.timeout, self._auth)
            except _Misdirected as again:
                raise AvpushError(421, "misdirected_request", "the session moved again: " + again.location)
        try:
            stream = SegmentStream(ws, session, sample_rate, fps, audio, video)
        except Exception:
            ws.close()
            raise
        return _StreamContext(ws, stream)

    def stream_segment(self, session_id, audio=None, sample_rate=16000, frames=None, fps=30,
                       chunk_ms=20, audio_format=None, pace=None):
        """Streams one segment: audio in chunk_ms chunks interleaved with frames in media order.

        pace: None sends as fast as the server takes it; a callable pace(media_seconds) is called
        before each message (e.g. to sleep until real time, as a live producer would).
        Returns the server's 'closed' message ({"segmentId", "receivedMs", "gapTicks"}).
        """
        pcm, fmt = audio_bytes(audio, audio_format)
        with self.open_stream(session_id, sample_rate, fps, audio is not None, frames is not None) as stream:
            frame_list = frames_list(frames, stream._width, stream._height) if frames is not None else []
            width = 2 if fmt == "s16le" else 4
            step = max(1, int(sample_rate) * chunk_ms // 1000) * width
            at, k = 0, 0
            while at < len(pcm) or k < len(frame_list):
                audio_s = at // width / float(sample_rate)
                frame_s = k / float(fps)
                if k < len(frame_list) and (at >= len(pcm) or frame_s <= audio_s):
                    if pace:
                        pace(frame_s)
                    stream.send_frame(frame_list[k])
                    k += 1
                else:
                    if pace:
                        pace(audio_s)
                    stream.send_audio(pcm[at:at + step], fmt)
                    at += step
            closed = stream.close()
            closed["segmentId"] = stream.segment_id
            return closed

    # ---- events ----

    def events(self, session_id, timeout=None):
        """Yields the session's events (dicts with "type", "seq", "timeMs", ...) as they happen."""
        request = urllib.request.Request(self.base_url + "/api/sessions/%s/events" % session_id,
                                         headers=dict(self._auth, Accept="text/event-stream"))
        try:
            response = urllib.request.urlopen(request, timeout=timeout)
        except urllib.error.HTTPError as e:
            raise _error(e)
        with response:
            data = []
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line:
                    if data:
                        yield json.loads("\n".join(data))
                        data = []
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip(" "))

    # ---- plumbing ----

    def _json(self, method, path, body=None, content_type="application/json"):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        reply = self._request(method, path, body, content_type)
        return json.loads(reply.decode() or "null")

    def _request(self, method, path, body=None, content_type="application/json"):
        request = urllib.request.Request(self.base_url + path, data=body, method=method, headers=self._auth)
        if body is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            raise _error(e)


class _StreamContext:
    def __init__(self, ws, stream):
        self._ws = ws
        self.stream = stream

    def __enter__(self):
        return self.stream

    def __exit__(self, *exc):
        self._ws.close()
        return False


def _error(http_error):
    try:
        body = json.loads(http_error.read().decode() or "{}")
    except ValueError:
        body = {}
    return AvpushError(http_error.code, body.get("error", "http_error"), body.get("message", str(http_error)))
