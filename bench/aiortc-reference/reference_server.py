"""A reference WebRTC server on aiortc, for comparing avpush's CPU with (scripts/aiortc-compare.sh).

The subset of avpush's HTTP API (docs/api.md) that the comparison's workload uses, with the same
request and reply shapes:

    POST   /api/sessions                   {"fps", "width", "height"} -> 201 {"sessionId", ...}
    GET    /api/sessions/{id}              state, viewers, playing, queued, queuedMs, segmentsPlayed, idle
    DELETE /api/sessions/{id}              204
    POST   /api/sessions/{id}/offer        {"sdp", "type": "offer"} -> {"sdp", "type": "answer", "viewerId"}
    POST   /api/sessions/{id}/segments     the segment form (raw bgr24 + WAV at 48 kHz) -> 202
    PUT    /api/sessions/{id}/idle         the segment form -> 200, the idle loop
    DELETE /api/sessions/{id}/idle         204

No authentication, WebSocket, events, WHEP, images or resampling. Every error is JSON
{"error", "message"}. Media: VP8 and Opus as aiortc encodes them, each viewer's tracks paced on
the session's clock (tracks.py), segments and idle loop decided as avpush decides them (playout.py).

Usage: /usr/bin/python3 reference_server.py [--host 0.0.0.0] [--port 8090]   (Debian's python3-aiortc)
"""

import argparse
import asyncio
import json
import logging
import math
import re

from aiortc import rtp
import numpy as np

from media_form import FormError, parse_fps, read_segment
from session import Session

MAX_BODY_BYTES = 256 * 1024 * 1024
sessions = {}


class HttpError(Exception):
    def __init__(self, status, error, message):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def audio_level_dbov(frame):
    """aiortc's rtp.compute_audio_level_dbov (RFC 6465, Appendix A) with numpy instead of a Python
    loop over the samples: the same number, so the reference is not charged for that loop."""
    samples = frame.to_ndarray().astype(np.float64)
    rms = math.sqrt(float(np.mean(samples * samples)) / (32767.0 * 32767.0))
    return -127 if rms <= 0 else round(min(0, max(-127, 20 * math.log10(rms))))


rtp.compute_audio_level_dbov = audio_level_dbov  # aiortc's sender calls it as rtp.compute_audio_level_dbov


def session_of(session_id):
    session = sessions.get(session_id)
    if session is None:
        raise HttpError(404, "session_not_found", "no session %s (GET /api/sessions lists them)" % session_id)
    return session


def size(value, name):
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise HttpError(400, "bad_request", "%s '%s' is not a whole number" % (name, value))
    if value < 16 or value % 2:
        raise HttpError(400, "bad_request", "%s %d: even, 16 or more" % (name, value))
    return value


async def create(body):
    fields = json.loads(body or b"{}")
    try:
        fps = parse_fps(fields.get("fps", 30))
    except FormError as e:
        raise HttpError(400, "bad_request", str(e))
    session = Session(fps, size(fields.get("width", 512), "width"), size(fields.get("height", 512), "height"))
    sessions[session.id] = session
    base = "/api/sessions/" + session.id
    return 201, {"sessionId": session.id, "fps": str(fps), "width": session.width, "height": session.height,
                 "offerUrl": base + "/offer", "segmentsUrl": base + "/segments", "iceServers": []}


async def offer(session, body):
    message = json.loads(body)
    if message.get("type") != "offer" or "sdp" not in message:
        raise HttpError(400, "bad_request", 'the body is {"sdp": "...", "type": "offer"}')
    sdp, viewer_id = await session.answer(message["sdp"])
    return 200, {"sdp": sdp, "type": "answer", "viewerId": viewer_id}


async def clip_of(session, body, content_type, prefix):
    try:
        frames, fps, audio = await asyncio.get_running_loop().run_in_executor(
            None, read_segment, body, content_type, session.width, session.height)
    except FormError as e:
        raise HttpError(400, "bad_request", str(e))
    return session.clip(prefix, frames, fps, audio)


async def upload(session, body, content_type):
    clip = await clip_of(session, body, content_type, "seg")
    frames = 0 if clip.frames is None else len(clip.frames)
    position = session.playout.enqueue(clip)
    return 202, {"segmentId": clip.id, "durationMs": round(clip.duration_ms()), "frames": frames,
                 "frameTicks": clip.ticks, "queuePosition": position,
                 "framesHeldTicks": max(0, clip.ticks - clip.frame_ticks_of_frames) if frames else 0,
                 "framesDropped": max(0, frames - math.ceil(clip.ticks * clip.upload_fps / clip.fps)) if frames else 0}


async def set_idle(session, body, content_type):
    clip = await clip_of(session, body, content_type, "idle")
    if clip.frames is None:
        raise HttpError(400, "bad_request", "an idle loop needs frames (part 'video')")
    session.playout.set_idle(clip)
    return 200, {"loopId": clip.id, "durationMs": round(clip.duration_ms()), "frames": len(clip.frames),
                 "frameTicks": clip.ticks, "audio": clip.audio is not None}


async def route(method, path, body, content_type):
    if path == "/api/sessions":
        if method == "POST":
            return await create(body)
        if method == "GET":
            return 200, {"sessions": list(sessions)}
        raise HttpError(405, "method_not_allowed", "%s takes GET, POST" % path)
    match = re.fullmatch(r"/api/sessions/([^/]+)(/offer|/segments|/idle)?", path)
    if not match:
        raise HttpError(404, "not_found", "no route %s %s in this reference (see its docstring)" % (method, path))
    session, tail = session_of(match.group(1)), match.group(2)
    if tail is None and method == "GET":
        return 200, session.status()
    if tail is None and method == "DELETE":
        del sessions[session.id]
        await session.close()
        return 204, None
    if tail == "/offer" and method == "POST":
        return await offer(session, body)
    if tail == "/segments" and method == "POST":
        return await upload(session, body, content_type)
    if tail == "/idle" and method == "PUT":
        return await set_idle(session, body, content_type)
    if tail == "/idle" and method == "DELETE":
        session.playout.set_idle(None)
        return 204, None
    raise HttpError(405, "method_not_allowed", "%s does not take %s" % (path, method))


async def read_body(reader, length):
    body = bytearray(length)
    view = memoryview(body)
    position = 0
    while position < length:
        chunk = await reader.read(min(length - position, 1 << 20))
        if not chunk:
            raise ConnectionError("the client closed the connection within its body")
        view[position:position + len(chunk)] = chunk
        position += len(chunk)
    return body


async def serve(reader, writer):
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                return
            method, target, _ = request_line.decode("latin-1").split(" ", 2)
            headers = {}
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            try:
                if "chunked" in headers.get("transfer-encoding", ""):
                    raise HttpError(411, "length_required", "send a Content-Length (chunked bodies are not read)")
                if length > MAX_BODY_BYTES:
                    raise HttpError(413, "too_large", "%d bytes: at most %d" % (length, MAX_BODY_BYTES))
                body = await read_body(reader, length)
                status, reply = await route(method, target.split("?")[0], body, headers.get("content-type"))
            except HttpError as e:
                status, reply = e.status, {"error": e.error, "message": e.message}
            except (ValueError, KeyError) as e:
                status, reply = 400, {"error": "bad_request", "message": "%s: %s" % (type(e).__name__, e)}
            except Exception as e:  # a fault of the reference: reported, the server goes on
                logging.exception("%s %s", method, target)
                status, reply = 500, {"error": "internal_error", "message": "%s: %s" % (type(e).__name__, e)}
            data = b"" if reply is None else json.dumps(reply).encode()
            head = "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
                status, "OK" if status < 400 else "Error", len(data))
            writer.write(head.encode("latin-1") + data)
            await writer.drain()
            if status in (411, 413):
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = await asyncio.start_server(serve, args.host, args.port)
    print("reference listening on %s:%d" % (args.host, args.port), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
