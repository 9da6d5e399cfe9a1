"""Tests of the aiortc reference: its playout (pure) and, end to end, a real aiortc viewer getting a
segment and the idle loop from it. Not part of any suite (CI time is tight); run by hand:

    scripts/in-netns.sh /usr/bin/python3 -m unittest discover -s bench/aiortc-reference -v

The end-to-end test needs an interface besides loopback (aiortc does not connect over lo alone),
hence the network namespace; without one it is skipped.
"""

import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import BOUNDARY, Viewer, await_http, call, wav  # noqa: E402
from playout import Clip, Playout  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class PlayoutTest(unittest.TestCase):
    def test_tick_sample_and_back(self):
        for fps, tick, sample in [(30, 3, 4800), ("30000/1001", 1, 1602), ("30000/1001", 2, 3204), (25, 1, 1920)]:
            from fractions import Fraction
            playout = Playout(Fraction(fps), "blank")
            self.assertEqual(sample, playout.tick_sample(tick))
            self.assertEqual(tick, playout.tick_of_sample(sample))
            self.assertEqual(tick - 1, playout.tick_of_sample(sample - 1))

    def test_segments_back_to_back_then_the_last_frame_held_in_silence(self):
        playout = Playout(30, "blank")
        audio = (np.arange(48000) % 1000 + 1).astype(np.int16)  # 1 s: 30 ticks
        playout.enqueue(Clip("a", ["a%d" % i for i in range(30)], 30, audio, 30))
        playout.enqueue(Clip("b", ["b%d" % i for i in range(10)], 15, audio[:16000], 30))  # 10 ticks, 5 frames shown
        frames = [playout.video(k) for k in range(45)]
        self.assertEqual(["a0", "a29", "b0", "b0", "b1", "b4", "b4"], [frames[k] for k in (0, 29, 30, 31, 32, 38, 39)])
        self.assertEqual(["b4"] * 5, frames[40:45])
        self.assertEqual(2, playout.segments_played)
        pcm = playout.audio(47999, 3)  # the last sample of a, the first two of b
        self.assertEqual([1000, 1, 2], pcm.tolist())
        self.assertEqual([0] * 10, playout.audio(40 * 1600, 10).tolist())

    def test_a_segment_cuts_the_idle_loop_at_the_next_tick_and_the_loop_restarts_after_it(self):
        playout = Playout(30, "blank")
        playout.set_idle(Clip("idle", ["i%d" % i for i in range(10)], 30, None, 30))
        shown = [playout.video(k) for k in range(4)]
        playout.enqueue(Clip("s", ["s0", "s1"], 30, None, 30))
        shown += [playout.video(k) for k in range(4, 8)]
        self.assertEqual(["i0", "i1", "i2", "i3", "s0", "s1", "i0", "i1"], shown)

    def test_audio_asked_ahead_of_video_sees_the_same_timeline(self):
        playout = Playout(30, "blank")
        playout.enqueue(Clip("s", ["s0"], 30, np.full(1600, 7, dtype=np.int16), 30))
        self.assertEqual([7, 0], playout.audio(1599, 2).tolist())  # decides ticks 0 and 1
        self.assertEqual(["s0", "s0"], [playout.video(0), playout.video(1)])  # tick 1 holds the last frame


def has_interface_besides_loopback():
    from aioice.ice import get_host_addresses  # the addresses aiortc gathers candidates on
    return bool(get_host_addresses(use_ipv4=True, use_ipv6=False))


@unittest.skipUnless(has_interface_besides_loopback(), "needs an interface besides loopback: run in scripts/in-netns.sh")
class EndToEndTest(unittest.TestCase):
    WIDTH, HEIGHT = 160, 120

    @classmethod
    def setUpClass(cls):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cls.log = tempfile.TemporaryFile()
        cls.server = subprocess.Popen([sys.executable, os.path.join(HERE, "reference_server.py"), "--port", str(port)],
                                      cwd=HERE, stdout=cls.log, stderr=subprocess.STDOUT)
        cls.base = "http://127.0.0.1:%d" % port
        await_http(cls.base + "/api/sessions", cls.server, 30)

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(10)
        cls.log.close()

    def form(self, level, seconds, with_audio=True):
        frames = np.full((int(30 * seconds), self.HEIGHT, self.WIDTH, 3), level, dtype=np.uint8).tobytes()
        t = np.arange(int(48000 * seconds)) / 48000
        parts = [("width", None, str(self.WIDTH).encode()), ("height", None, str(self.HEIGHT).encode()),
                 ("video", "f.bgr", frames)]
        if with_audio:
            parts.append(("audio", "a.wav", wav((9000 * np.sin(2 * math.pi * 440 * t)).astype("<i2"))))
        body = b""
        for name, filename, data in parts:
            disposition = 'form-data; name="%s"' % name + ('; filename="%s"' % filename if filename else "")
            body += ("--%s\r\nContent-Disposition: %s\r\n\r\n" % (BOUNDARY, disposition)).encode() + data + b"\r\n"
        return body + ("--%s--\r\n" % BOUNDARY).encode()

    def test_a_viewer_gets_the_segment_then_the_idle_loop_at_30_fps(self):
        _, created = call("POST", self.base + "/api/sessions",
                          json.dumps({"fps": 30, "width": self.WIDTH, "height": self.HEIGHT}).encode())
        url = self.base + "/api/sessions/" + created["sessionId"]
        content_type = "multipart/form-data; boundary=" + BOUNDARY
        status, loop = call("PUT", url + "/idle", self.form(60, 1, with_audio=False), content_type)
        self.assertEqual((200, 30, False), (status, loop["frameTicks"], loop["audio"]))
        status, segment = call("POST", url + "/segments", self.form(200, 2), content_type)
        self.assertEqual((202, 60, 0), (status, segment["frameTicks"], segment["queuePosition"]))
        self.assertEqual("waiting-for-viewer", call("GET", url)[1]["state"])
        viewer = Viewer(subprocess.DEVNULL)
        try:
            self.assertIn("connected", viewer.ask({"connect": created["sessionId"], "url": self.base}))
            start = viewer.ask({"stats": created["sessionId"]})
            time.sleep(4)
            end = viewer.ask({"stats": created["sessionId"]})
        finally:
            viewer.stop()
            call("DELETE", url)
        self.assertEqual("VP8/90000", end["videoCodec"])
        self.assertGreaterEqual((end["frames"] - start["frames"]) / 4, 27)
        self.assertGreaterEqual((end["audioFrames"] - start["audioFrames"]) / 4, 45)
        self.assertGreater(end["loudFrames"], 50)  # the segment's tone: 2 s of 50 frames a second
        lumas = end["lumas"]
        bright = [i for i, y in enumerate(lumas) if y > 150]  # the segment's grey 200 (Y ~ 188)
        # 60 frames sent; the first ones go out while the viewer's decoder waits for its first keyframe
        self.assertGreaterEqual(len(bright), 40)
        self.assertTrue(any(40 < y < 80 for y in lumas[bright[-1]:]), "the idle loop (grey 60) after the segment")


if __name__ == "__main__":
    unittest.main()
