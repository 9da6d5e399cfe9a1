"""Tests of avpush_client: its pure parts always, and end to end against the live server at
AVPUSH_URL (the JUnit test PythonClientTest starts one and runs these). Standard library only."""

import array
import http.server
import json
import math
import os
import struct
import threading
import time
import unittest
import urllib.request

import avpush_client
from avpush_client import AvpushClient, AvpushError

W = H = 64


class FakeArray:
    """Enough of a numpy array for the client's duck typing, so the numpy path is tested without numpy."""

    class DType:
        def __init__(self, kind, itemsize):
            self.kind, self.itemsize = kind, itemsize

        def __str__(self):
            return self.kind + str(self.itemsize)

    def __init__(self, values, kind, shape=None):
        self.values = list(values)
        self.dtype = FakeArray.DType(kind, 4 if kind == "f" else (1 if kind == "u" else 2))
        self.shape = shape or (len(self.values),)
        self.ndim = len(self.shape)

    def astype(self, code):
        fmt = {"<f4": "f", "<i2": "h", "u1": "B"}[code]
        out = FakeArray(self.values, self.dtype.kind, self.shape)
        out._packed = struct.pack("<%d%s" % (len(self.values), fmt), *self.values)
        return out

    def reshape(self, shape):
        return FakeArray(self.values, self.dtype.kind, shape)

    def tobytes(self):
        return self._packed


class PureTest(unittest.TestCase):

    def test_websocket_frames_round_trip_at_every_length_encoding(self):
        for n in (0, 5, 125, 126, 65535, 65536, 70000):
            payload = bytes(i % 251 for i in range(n))
            frame = avpush_client.ws_frame(0x2, payload, mask_key=b"\x01\x02\x03\x04")
            pos = [0]

            def read(k):
                out = frame[pos[0]:pos[0] + k]
                pos[0] += k
                return out

            fin, opcode, got = avpush_client.ws_read_frame(read)
            self.assertEqual((True, 0x2, payload), (fin, opcode, got), "length %d" % n)
            self.assertEqual(len(frame), pos[0])

    def test_masking_follows_rfc6455_example(self):
        # RFC 6455 5.7: a masked "Hello" with key 37 fa 21 3d
        frame = avpush_client.ws_frame(0x1, b"Hello", mask_key=bytes.fromhex("37fa213d"))
        self.assertEqual(bytes.fromhex("818537fa213d7f9f4d5158"), frame)

    def test_stream_message_header(self):
        msg = avpush_client.stream_message(1, 1, 40000, b"\x00\x01")
        self.assertEqual(bytes.fromhex("01010000409c000000000000") + b"\x00\x01", msg)

    def test_audio_in_every_form(self):
        self.assertEqual((struct.pack("<2h", 1, -2), "s16le"), avpush_client.audio_bytes([1, -2]))
        self.assertEqual((struct.pack("<2f", 0.5, -0.25), "f32le"), avpush_client.audio_bytes([0.5, -0.25]))
        self.assertEqual((struct.pack("<h", 7), "s16le"), avpush_client.audio_bytes(array.array("h", [7])))
        self.assertEqual((struct.pack("<f", 0.5), "f32le"), avpush_client.audio_bytes(FakeArray([0.5], "f")))
        self.assertEqual((struct.pack("<h", 9), "s16le"), avpush_client.audio_bytes(FakeArray([9], "i")))
        self.assertEqual((b"\x01\x02\x03\x04", "f32le"), avpush_client.audio_bytes(b"\x01\x02\x03\x04", "f32le"))
        with self.assertRaises(ValueError):
            avpush_client.audio_bytes(FakeArray([1, 2], "f", shape=(1, 2)))

    def test_frames_in_every_form(self):
        frame = bytes(range(12))
        self.assertEqual([frame, frame], avpush_client.frames_list(frame * 2, 2, 2))
        self.assertEqual([frame], avpush_client.frames_list([frame], 2, 2))
        fake = FakeArray(list(range(24)), "u", shape=(2, 2, 2, 3))
        self.assertEqual([bytes(range(12)), bytes(range(12, 24))], avpush_client.frames_list(fake, 2, 2))
        with self.assertRaises(ValueError) as bad:
            avpush_client.frames_list(b"x" * 13, 2, 2)
        self.assertIn("not a whole number of 2x2 bgr24 frames", str(bad.exception))

    def test_wav_headers(self):
        wav = avpush_client.wav_bytes(struct.pack("<2f", 0, 0), "f32le", 16000)
        self.assertEqual(b"RIFF", wav[:4])
        self.assertEqual((16, 3, 1, 16000, 64000, 4, 32), struct.unpack("<IHHIIHH", wav[16:36]))


def tone(seconds, rate, level=0.3):
    return array.array("f", (level * math.sin(2 * math.pi * 440 * n / rate) for n in range(int(seconds * rate))))


def grey_frames(count, level=90):
    return bytes([level]) * (W * H * 3 * count)


@unittest.skipUnless(os.environ.get("AVPUSH_URL"), "needs a live avpush at AVPUSH_URL (PythonClientTest sets it)")
class LiveTest(unittest.TestCase):

    def setUp(self):
        self.client = AvpushClient(os.environ["AVPUSH_URL"], timeout=20)
        self.session = self.client.create_session(fps=30, width=W, height=H)
        self.sid = self.session["sessionId"]
        self.events = []
        self.subscribed = threading.Event()
        reader = threading.Thread(target=self._read_events, daemon=True)
        reader.start()
        self.assertTrue(self.subscribed.wait(20), "the event stream answered")
        # the test server's transport accepts any offer starting with v=0 as a connected viewer
        self.client.offer(self.sid, "v=0\r\n")

    def tearDown(self):
        self.client.delete_session(self.sid)

    def _read_events(self):
        it = self.client.events(self.sid, timeout=30)
        self.subscribed.set()
        for event in it:
            self.events.append(event)
            if event["type"] == "session-ended":
                return

    def await_event(self, type_, segment_id=None):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for e in list(self.events):
                if e["type"] == type_ and (segment_id is None or e.get("segmentId") == segment_id):
                    return e
            time.sleep(0.02)
        self.fail("no %s event for %s in %s" % (type_, segment_id, [e["type"] for e in self.events]))

    def test_upload_plays_and_events_tell_when(self):
        accepted = self.client.upload_segment(self.sid, audio=tone(0.5, 16000), sample_rate=16000,
                                              frames=grey_frames(15), fps=30)
        self.assertEqual(15, accepted["frames"])
        self.assertEqual(500.0, accepted["durationMs"])
        seg = accepted["segmentId"]
        started = self.await_event("segment-started", seg)
        finished = self.await_event("segment-finished", seg)
        self.assertEqual(15, finished["frame"] - started["frame"])
        self.assertLess(started["seq"], finished["seq"])
        self.assertGreaterEqual(self.client.status(self.sid)["segmentsPlayed"], 1)

    def test_numpy_shaped_audio_and_frames_upload(self):
        audio = FakeArray([0] * 8000 + [1000] * 8000, "i")
        frames = FakeArray([60] * (W * H * 3 * 3), "u", shape=(3, H, W, 3))
        accepted = self.client.upload_segment(self.sid, audio=audio, sample_rate=16000, frames=frames, fps=30)
        self.assertEqual((1000.0, 3), (accepted["durationMs"], accepted["frames"]))

    def test_stream_segment_plays_while_it_streams(self):
        closed = self.client.stream_segment(self.sid, audio=tone(1.0, 24000), sample_rate=24000,
                                            frames=grey_frames(30), fps=30)
        self.assertAlmostEqual(1000.0, closed["receivedMs"], delta=1)
        seg = closed["segmentId"]
        started = self.await_event("segment-started", seg)
        finished = self.await_event("segment-finished", seg)
        self.assertEqual(30, finished["frame"] - started["frame"] - finished.get("gapTicks", 0))

    def test_open_stream_sends_chunks_as_they_are_made(self):
        with self.client.open_stream(self.sid, sample_rate=16000, fps=30) as stream:
            for k in range(15):
                stream.send_audio(tone(1 / 30.0, 16000) if k % 2 else array.array("h", [500] * 533))
                stream.send_frame(grey_frames(1, 40 + k))
            closed = stream.close()
        self.assertEqual(stream.segment_id, closed["segmentId"])
        self.assertEqual("opened", stream.messages[0]["type"])
        self.await_event("segment-finished", stream.segment_id)

    def test_a_bad_frame_raises_the_servers_message(self):
        with self.client.open_stream(self.sid, sample_rate=16000) as stream:
            stream._width = W + 2  # send a frame of the wrong size
            with self.assertRaises(AvpushError) as bad:
                stream.send_frame(bytes((W + 2) * H * 3))
                stream.close()
        self.assertEqual("bad_request", bad.exception.error)
        self.assertIn("64x64 bgr24 frames", bad.exception.message)

    def test_interrupt_cuts_the_playing_segment(self):
        seg = self.client.upload_segment(self.sid, audio=tone(5.0, 16000), sample_rate=16000)["segmentId"]
        self.await_event("segment-started", seg)
        cut = self.client.interrupt(self.sid)
        self.assertEqual(seg, cut["cut"])
        self.await_event("segment-interrupted", seg)

    def test_errors_carry_status_and_message(self):
        with self.assertRaises(AvpushError) as missing:
            self.client.status("nosuchsess")
        self.assertEqual((404, "session_not_found"), (missing.exception.status, missing.exception.error))

    def test_readme_example(self):
        # README: "the original push_av_segment in a few lines"
        def push_av_segment(client, session_id, samples, sample_rate, frames, fps):
            return client.upload_segment(session_id, audio=samples, sample_rate=sample_rate, frames=frames, fps=fps)

        seg = push_av_segment(self.client, self.sid, tone(0.2, 22050), 22050, grey_frames(6), 30)["segmentId"]
        self.await_event("segment-finished", seg)

    def test_a_misdirected_stream_is_opened_on_the_serving_node(self):
        # A cluster node that does not serve the session relays HTTP but answers the stream's
        # handshake 421 with the serving node's ws:// URL (io.avpush.http.NodeRoutes).
        serving = os.environ["AVPUSH_URL"]
        with OtherNode(serving) as other:
            client = AvpushClient(other.url, timeout=20)
            closed = client.stream_segment(self.sid, audio=tone(0.3, 16000), sample_rate=16000,
                                           frames=grey_frames(9), fps=30)
        self.assertEqual(["/api/sessions/%s/stream" % self.sid], other.misdirected)
        self.await_event("segment-finished", closed["segmentId"])


class OtherNode:
    """A stand-in for another cluster node: relays plain requests to `serving`, answers a
    WebSocket handshake 421 with the serving node's stream URL, as avpush does."""

    def __init__(self, serving):
        self.misdirected = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.headers.get("Upgrade", "").lower() == "websocket":
                    outer.misdirected.append(self.path)
                    body = json.dumps({"error": "misdirected_request", "message": "served by another node"}).encode()
                    self.send_response(421)
                    self.send_header("Location", serving.replace("http://", "ws://", 1) + self.path)
                else:
                    with urllib.request.urlopen(serving + self.path, timeout=10) as reply:
                        body = reply.read()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@unittest.skipUnless(os.environ.get("AVPUSH_KEY_URL"), "needs a live avpush with API keys (PythonClientTest sets it)")
class KeyedNodeTest(unittest.TestCase):
    """Against a node with avpush.auth.api-keys: the key opens every call, no key gets 401."""

    def setUp(self):
        self.client = AvpushClient(os.environ["AVPUSH_KEY_URL"], timeout=20, api_key=os.environ["AVPUSH_KEY"])

    def test_the_api_key_publishes_streams_and_reads_events(self):
        sid = self.client.create_session(fps=30, width=W, height=H)["sessionId"]
        try:
            self.client.offer(sid, "v=0\r\n")
            seg = self.client.upload_segment(sid, audio=tone(1.0, 16000), sample_rate=16000)["segmentId"]
            # the SSE stream (with the key) is open well before the one-second segment ends
            for event in self.client.events(sid, timeout=20):
                if event["type"] == "segment-finished" and event.get("segmentId") == seg:
                    break
            closed = self.client.stream_segment(sid, audio=tone(0.2, 16000), sample_rate=16000)
            self.assertAlmostEqual(200.0, closed["receivedMs"], delta=1)
        finally:
            self.client.delete_session(sid)

    def test_without_the_key_every_call_is_401(self):
        anonymous = AvpushClient(os.environ["AVPUSH_KEY_URL"], timeout=20)
        with self.assertRaises(AvpushError) as refused:
            anonymous.create_session()
        self.assertEqual(401, refused.exception.status)
        sid = self.client.create_session()["sessionId"]
        try:
            with self.assertRaises(AvpushError) as ws:
                anonymous.stream_segment(sid, audio=tone(0.1, 16000), sample_rate=16000)
            self.assertEqual(401, ws.exception.status)
            with self.assertRaises(AvpushError) as sse:
                next(anonymous.events(sid, timeout=20))
            self.assertEqual(401, sse.exception.status)
        finally:
            self.client.delete_session(sid)


if __name__ == "__main__":
    unittest.main()
