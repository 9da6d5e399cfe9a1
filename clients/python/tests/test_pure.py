"""The client's pure parts, with exact bytes: framing, masking, messages, media, forms, events,
and the errors wrong arguments get. No node needed, no numpy needed."""

import array
import asyncio
import email.parser
import json
import os
import ssl
import struct
import unittest

import avpush_client
from avpush import AsyncAvpushClient, AvpushClient, AvpushError, wsproto
from avpush.httpproto import Node, SseParser, multipart, tls_context
from avpush.media import audio_buffer, frame_buffers, wav_header
from avpush.stream import StreamState, media_header


class MaskingTest(unittest.TestCase):

    def tearDown(self):
        wsproto.use_numpy(True)

    def test_masking_follows_rfc6455s_example(self):
        # RFC 6455 5.7: a masked "Hello" with key 37 fa 21 3d
        frame = wsproto.encode_frame(wsproto.OP_TEXT, b"Hello", key=bytes.fromhex("37fa213d"))
        self.assertEqual(bytes.fromhex("818537fa213d7f9f4d5158"), frame)

    def test_both_ways_of_masking_give_the_bytes_of_the_definition(self):
        for numpy in (False, True):
            wsproto.use_numpy(numpy)
            for n in (1, 3, 63, 64, 65, 255, 256, 257, 4097, 16387, 786432, 786435):
                data, key = os.urandom(n), os.urandom(4)
                expected = bytes(b ^ key[i % 4] for i, b in enumerate(data))
                self.assertEqual(expected, bytes(wsproto.mask(memoryview(data), key)), "%d bytes, numpy %s" % (n, numpy))

    def test_a_payload_in_parts_is_masked_as_one(self):
        key = bytes.fromhex("01020304")
        parts = [b"abcde", os.urandom(70001), b"xy"]
        buffers = wsproto.encode(wsproto.OP_BINARY, parts, key)
        self.assertEqual(wsproto.encode_frame(wsproto.OP_BINARY, b"".join(parts), key), b"".join(bytes(b) for b in buffers))

    def test_a_media_message_goes_out_as_a_small_head_and_the_masked_frame(self):
        frame = os.urandom(512 * 512 * 3)
        buffers = wsproto.encode(wsproto.OP_BINARY, [media_header(2, 1, 0), memoryview(frame)], b"\x00\x00\x00\x00")
        self.assertEqual([2 + 8 + 4 + 12, 512 * 512 * 3], [len(memoryview(b).cast("B")) for b in buffers])
        self.assertEqual(frame, bytes(buffers[1]))


class FramingTest(unittest.TestCase):

    def test_frames_round_trip_at_every_length_encoding(self):
        for n in (0, 5, 125, 126, 65535, 65536, 70000):
            payload = bytes(i % 251 for i in range(n))
            parser = wsproto.FrameParser()
            parser.feed(wsproto.encode_frame(wsproto.OP_BINARY, payload, key=b"\x01\x02\x03\x04"))
            self.assertEqual((wsproto.OP_BINARY, payload), parser.next_message(), "length %d" % n)
            self.assertIsNone(parser.next_message())

    def test_the_parser_takes_bytes_one_at_a_time_and_joins_fragments_around_a_ping(self):
        server = (bytes([0x01, 3]) + b"abc"        # text, not final
                  + bytes([0x89, 2]) + b"hi"       # ping between the fragments
                  + bytes([0x80, 2]) + b"de"       # final continuation
                  + bytes([0x82, 126]) + struct.pack("!H", 300) + bytes(300))
        parser = wsproto.FrameParser()
        got = []
        for b in server:
            parser.feed(bytes([b]))
            message = parser.next_message()
            if message:
                got.append(message)
        self.assertEqual([(wsproto.OP_PING, b"hi"), (wsproto.OP_TEXT, b"abcde"), (wsproto.OP_BINARY, bytes(300))], got)

    def test_the_handshake_accept_key_follows_rfc6455s_example(self):
        self.assertEqual("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", wsproto.accept_key("dGhlIHNhbXBsZSBub25jZQ=="))

    def test_a_refused_handshake_raises_the_servers_error_and_a_421_names_the_serving_node(self):
        body = json.dumps({"error": "unauthorized", "message": "send 'Authorization: Bearer <key>'"}).encode()
        with self.assertRaises(AvpushError) as refused:
            wsproto.check_handshake(401, "Unauthorized", {}, body, "k")
        self.assertEqual((401, "unauthorized"), (refused.exception.status, refused.exception.error))
        self.assertIn("Authorization: Bearer", str(refused.exception))
        with self.assertRaises(wsproto.Misdirected) as elsewhere:
            wsproto.check_handshake(421, "Misdirected", {"location": "ws://n3:8080/api/sessions/a/stream"}, b"", "k")
        self.assertEqual("ws://n3:8080/api/sessions/a/stream", elsewhere.exception.location)
        with self.assertRaises(AvpushError) as wrong:
            wsproto.check_handshake(101, "Switching", {"sec-websocket-accept": "nope"}, b"", "k")
        self.assertIn("Sec-WebSocket-Accept", wrong.exception.message)


class StreamStateTest(unittest.TestCase):

    def test_the_media_header_of_the_protocols_example(self):
        # StreamProtocol: the 3rd 20 ms chunk of 16 kHz s16le audio is at 40000 us
        state = StreamState(2, 2, 16000, 30, True, True)
        for _ in range(2):
            state.audio_message(bytes(640), "s16le")
        header, payload = state.audio_message(bytes(640), "s16le")
        self.assertEqual(bytes.fromhex("01010000409c000000000000"), header)
        self.assertEqual(640, payload.nbytes)

    def test_frames_are_timestamped_i_over_fps_exactly(self):
        state = StreamState(2, 2, 16000, "30000/1001", True, True)
        stamps = [struct.unpack("<q", header[4:])[0] for header, _ in state.frame_messages(bytes(12 * 4))]
        self.assertEqual([0, 33367, 66733, 100100], stamps)

    def test_frames_must_move_forward(self):
        state = StreamState(2, 2, 16000, 30, True, True)
        state.frame_messages(bytes(12), ts_us=50000)
        with self.assertRaises(ValueError) as back:
            state.frame_messages(bytes(12), ts_us=40000)
        self.assertIn("must increase", str(back.exception))

    def test_the_servers_messages_hold_end_and_fail_the_stream(self):
        state = StreamState(2, 2, 16000, 30, True, True)
        state.on_message('{"type": "opened", "segmentId": "s1"}')
        state.on_message('{"type": "slow-down", "bufferedMs": 5000}')
        self.assertTrue(state.held)
        state.on_message('{"type": "resume"}')
        self.assertFalse(state.held)
        state.on_message('{"type": "segment-ended", "error": "segment_ended", "message": "interrupted"}')
        self.assertEqual("segment_ended", state.ended["error"])
        with self.assertRaises(AvpushError) as failed:
            state.on_message('{"type": "error", "error": "bad_request", "message": "a frame has 5 bytes"}')
        self.assertEqual("a frame has 5 bytes", failed.exception.message)
        self.assertEqual("s1", state.segment_id)

    def test_what_a_stream_does_not_carry_is_refused(self):
        with self.assertRaises(ValueError) as no_video:
            StreamState(2, 2, 16000, 30, True, False).frame_messages(bytes(12))
        self.assertIn("video=False", str(no_video.exception))
        with self.assertRaises(ValueError) as rate:
            StreamState(2, 2, 44.1, 30, True, True)
        self.assertIn("sample_rate must be an int from 8000 to 192000", str(rate.exception))


class MediaTest(unittest.TestCase):

    def test_audio_in_every_form(self):
        def as_bytes(audio, fmt=None):
            view, got = audio_buffer(audio, fmt)
            return bytes(view), got

        self.assertEqual((struct.pack("<2h", 1, -2), "s16le"), as_bytes([1, -2]))
        self.assertEqual((struct.pack("<2f", 0.5, -0.25), "f32le"), as_bytes([0.5, -0.25]))
        self.assertEqual((struct.pack("<h", 7), "s16le"), as_bytes(array.array("h", [7])))
        self.assertEqual((struct.pack("<f", 0.5), "f32le"), as_bytes(array.array("d", [0.5])))
        self.assertEqual((b"\x01\x02\x03\x04", "f32le"), as_bytes(b"\x01\x02\x03\x04", "f32le"))

    def test_float32_and_int16_audio_is_not_copied(self):
        samples = array.array("f", [0.1] * 100)
        view, _ = audio_buffer(samples)
        self.assertIs(samples, view.obj)

    def test_wrong_audio_says_what_to_send(self):
        cases = [
            (lambda: audio_buffer(b"\x01\x02\x03", "s16le"), ValueError, "not a whole number of s16le samples"),
            (lambda: audio_buffer(b"\x00\x00", "wav"), ValueError, "'s16le' or 'f32le'"),
            (lambda: audio_buffer("hello"), TypeError, "audio is a str"),
            (lambda: audio_buffer([40000]), ValueError, "-32768..32767"),
            (lambda: audio_buffer(array.array("i", [1])), ValueError, "typecode"),
            (lambda: audio_buffer([0.5], "s16le"), ValueError, "audio_format only names the format of raw bytes"),
            (lambda: audio_buffer(3), TypeError, "got int"),
        ]
        for call, kind, text in cases:
            with self.assertRaises(kind) as caught:
                call()
            self.assertIn(text, str(caught.exception))

    def test_frames_in_every_form_without_copies(self):
        frame = bytes(range(12))
        views = frame_buffers(frame * 2, 2, 2)
        self.assertEqual([frame, frame], [bytes(v) for v in views])
        self.assertIs(views[0].obj, views[1].obj)
        self.assertEqual([frame, frame], [bytes(v) for v in frame_buffers([frame, bytearray(frame)], 2, 2)])

    def test_wrong_frames_say_what_to_send(self):
        with self.assertRaises(ValueError) as bad:
            frame_buffers(b"x" * 13, 2, 2)
        self.assertIn("not a whole number of 2x2 bgr24 frames (12 bytes each)", str(bad.exception))
        with self.assertRaises(TypeError) as text:
            frame_buffers("frames.bgr", 2, 2)
        self.assertIn("frames is a str", str(text.exception))
        with self.assertRaises(TypeError) as number:
            frame_buffers(7, 2, 2)
        self.assertIn("got int", str(number.exception))

    def test_wav_header(self):
        header = wav_header(8, "f32le", 16000)
        self.assertEqual((b"RIFF", 44, b"WAVE"), (header[:4], len(header), header[8:12]))
        self.assertEqual((16, 3, 1, 16000, 64000, 4, 32), struct.unpack("<IHHIIHH", header[16:36]))
        self.assertEqual(8, struct.unpack("<I", header[40:44])[0])


class HttpPartsTest(unittest.TestCase):

    def test_a_multipart_form_parses_back_to_its_fields(self):
        frames = [memoryview(bytes([1]) * 12), memoryview(bytes([2]) * 12)]
        content_type, buffers, length = multipart([("video", "frames.bgr", frames), ("fps", None, b"30")])
        body = b"".join(bytes(b) for b in buffers)
        self.assertEqual(len(body), length)
        message = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        parts = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                 for p in message.get_payload()}
        self.assertEqual({"video": bytes([1]) * 12 + bytes([2]) * 12, "fps": b"30"}, parts)
        self.assertLessEqual(len(content_type.split("boundary=")[1]), 70)

    def test_server_sent_events_are_parsed_across_lines_and_heartbeats(self):
        parser = SseParser()
        lines = [b": heartbeat\n", b"event: speaking\n", b"id: 4\n", b'data: {"type": "speaking",\n',
                 b'data: "speaking": true}\n', b"\n", b"\r\n"]
        self.assertEqual([{"type": "speaking", "speaking": True}], list(parser.lines(iter(lines))))

    def test_a_node_url_that_is_no_http_url_is_refused_with_an_example(self):
        for url, text in (("localhost:8080", "must look like 'http://localhost:8080' or 'https://avpush.example'"),
                          ("ws://avpush.example", "must look like"),
                          ("http://host:99999", "not a number from 1 to 65535")):
            with self.assertRaises(ValueError) as bad:
                Node(url)
            self.assertIn(text, str(bad.exception))
        self.assertEqual(("h", 8080, "/avpush"), (Node("http://h:8080/avpush/").host, Node("http://h:8080").port,
                                                  Node("http://h:8080/avpush/").prefix))

    def test_an_https_node_is_reached_with_tls_on_port_443_unless_the_url_says_otherwise(self):
        self.assertEqual((True, 443, "https://avpush.example/p"), (lambda n: (n.tls, n.port, n.url))(
            Node("https://avpush.example/p/")))
        self.assertEqual((False, 80), (lambda n: (n.tls, n.port))(Node("http://avpush.example")))
        self.assertEqual((True, 8443, "/api/sessions/a/stream"), (lambda n: (n.tls, n.port, n.prefix))(
            Node.of_websocket("wss://n3:8443/api/sessions/a/stream")))
        self.assertFalse(Node.of_websocket("ws://n3:8080/x").tls)
        self.assertIsNone(tls_context(Node("http://h"), None))
        default = tls_context(Node("https://h"), None)
        self.assertEqual((ssl.CERT_REQUIRED, True), (default.verify_mode, default.check_hostname))
        own = ssl.create_default_context()
        self.assertIs(own, tls_context(Node("https://h"), own))
        with self.assertRaises(TypeError) as bad:
            AvpushClient("https://h", ssl_context="ca.pem")
        self.assertIn("ssl.create_default_context(cafile=", str(bad.exception))


class ClientArgumentsTest(unittest.TestCase):
    """Wrong arguments fail before anything is sent, with what to pass instead."""

    def setUp(self):
        self.client = AvpushClient("http://127.0.0.1:9")  # nothing listens: nothing may be sent

    def test_wrong_arguments(self):
        cases = [
            (lambda: self.client.upload_segment("s1"), "needs audio, frames or both"),
            (lambda: self.client.upload_segment("s1", audio=[0.1], sample_rate=44.1), "sample_rate must be an int"),
            (lambda: self.client.upload_segment("s1", frames=b"x" * 12, width=2, height=2, fps=0), "fps must be above 0"),
            (lambda: self.client.upload_segment(None, audio=[0.1]), "session_id must be the 'sessionId' string"),
            (lambda: self.client.create_session(width=-5), "width must be a positive int"),
            (lambda: self.client.create_session(fps="fast"), "fps must be a frame rate like 30"),
            (lambda: self.client.set_idle("s1", frames=None), "an idle loop needs frames"),
            (lambda: self.client.stream_segment("s1", audio=[0.1], chunk_ms=0), "chunk_ms must be an int"),
        ]
        for call, text in cases:
            with self.assertRaises((ValueError, TypeError)) as caught:
                call()
            self.assertIn(text, str(caught.exception))

    def test_a_node_that_is_not_there_is_named_in_the_error(self):
        with self.assertRaises(AvpushError) as down:
            self.client.status("s1")
        self.assertEqual("connection_failed", down.exception.error)
        self.assertIn("http://127.0.0.1:9", down.exception.message)
        with self.assertRaises(AvpushError) as async_down:
            asyncio.run(AsyncAvpushClient("http://127.0.0.1:9").status("s1"))
        self.assertEqual("connection_failed", async_down.exception.error)

    def test_the_first_module_name_still_works(self):
        self.assertIs(AvpushClient, avpush_client.AvpushClient)
        self.assertIs(AvpushError, avpush_client.AvpushError)


if __name__ == "__main__":
    unittest.main()
