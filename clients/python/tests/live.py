"""What the live tests share: the node under test, real WebRTC viewers, sessions that are always
deleted, the session's events and test media.

The node is ``AVPUSH_URL`` (``PythonClientTest`` starts one with real WebRTC and sets it). The
viewers run ``webrtc_viewer.py`` with a Python that has aiortc: ``AVPUSH_VIEWER_PYTHON``, else
this one if it has aiortc, else ``/usr/bin/python3`` (Debian's python3-aiortc).
"""

import array
import atexit
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from avpush import AvpushClient

HERE = os.path.dirname(os.path.abspath(__file__))


def node_url(variable="AVPUSH_URL"):
    url = os.environ.get(variable)
    if not url:
        raise RuntimeError("the live tests need a running avpush node: set %s=http://host:port "
                           "(PythonClientTest starts one and sets it)" % variable)
    return url


def tone(seconds, rate, level=0.3, hz=440):
    return array.array("f", (level * math.sin(2 * math.pi * hz * n / rate) for n in range(int(seconds * rate))))


def frames_bytes(count, width, height, level=90):
    return bytes([level]) * (width * height * 3 * count)


class Viewers:
    """The viewer process: ``connect(session)`` makes a viewer that receives the session's media."""

    _instance = None

    @classmethod
    def get(cls):
        if cls._instance is None:
            cls._instance = Viewers()
            atexit.register(cls._instance.stop)
        return cls._instance

    def __init__(self):
        python = os.environ.get("AVPUSH_VIEWER_PYTHON")
        if not python:
            python = sys.executable if importlib.util.find_spec("aiortc") else "/usr/bin/python3"
        self.log = tempfile.NamedTemporaryFile(prefix="avpush-viewer-", suffix=".log", delete=False)
        try:
            self.process = subprocess.Popen([python, os.path.join(HERE, "webrtc_viewer.py")], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=self.log, text=True)
        except OSError as e:
            raise RuntimeError("cannot start the WebRTC viewer with %s (%s): install Debian's python3-aiortc or "
                               "set AVPUSH_VIEWER_PYTHON to a Python that has aiortc" % (python, e))
        self.lock = threading.Lock()
        ready = self._read()
        if not ready.get("ready"):
            raise RuntimeError("the WebRTC viewer did not start (%s has aiortc?): %s" % (python, self.log_text()))

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the WebRTC viewer process ended: " + self.log_text())
        return json.loads(line)

    def _ask(self, command):
        with self.lock:
            self.process.stdin.write(json.dumps(command) + "\n")
            self.process.stdin.flush()
            return self._read()

    def connect(self, url, session_id, token=None):
        reply = self._ask({"connect": session_id, "url": url, "token": token})
        if "connected" not in reply:
            raise AssertionError("the viewer did not connect to %s: %s" % (session_id, reply.get("error")))
        return reply

    def stats(self, session_id):
        return self._ask({"stats": session_id})

    def close(self, session_id):
        self._ask({"close": session_id})

    def log_text(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()[-3000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        os.unlink(self.log.name)


class Events:
    """A session's events, read by a thread into a list as they come."""

    def __init__(self, client, session_id):
        self.items = []
        self.stream = client.events(session_id)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for event in self.stream:
                self.items.append(event)
        except Exception as e:  # the list shows it
            self.items.append({"type": "reader-failed", "error": repr(e)})

    def wait_for(self, type_, segment_id=None, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.items):
                if event["type"] == type_ and (segment_id is None or event.get("segmentId") == segment_id):
                    return event
            time.sleep(0.02)
        raise AssertionError("no %s event for %s within %.0f s; events: %s"
                             % (type_, segment_id, timeout, [e["type"] for e in self.items]))

    def close(self):
        self.stream.close()


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("%s: not within %.0f s" % (what, timeout))


class LiveCase(unittest.TestCase):
    """A test with its own session on the live node (deleted after it, whatever happens), the
    session's events and, with ``VIEWER``, a WebRTC viewer connected to it."""

    WIDTH = HEIGHT = 64
    VIEWER = True

    def setUp(self):
        self.url = node_url()
        self.client = AvpushClient(self.url, timeout=20)
        self.session = self.client.create_session(fps=30, width=self.WIDTH, height=self.HEIGHT)
        self.sid = self.session["sessionId"]
        self.addCleanup(self.client.delete_session, self.sid)
        self.events = Events(self.client, self.sid)
        self.addCleanup(self.events.close)
        if self.VIEWER:
            self.viewers = Viewers.get()
            self.viewers.connect(self.url, self.sid)
            self.addCleanup(self.viewers.close, self.sid)
            wait_until(lambda: self.viewers.stats(self.sid)["frames"] > 0, 10, "the viewer's first frame")

    def viewer(self):
        return self.viewers.stats(self.sid)

    def wait_for_grey(self, level, timeout=10.0):
        """Waits until the viewer has shown a frame of the grey ``level`` (what a watcher sees)."""
        luma = luma_of_grey(level)
        return wait_until(lambda: any(abs(v - luma) <= 8 for v in self.viewer()["lumas"]), timeout,
                          "a frame of grey %d (luma %d) at the viewer, which saw lumas %s"
                          % (level, luma, self.viewer()["lumas"][-8:]))


def luma_of_grey(level):
    """The luma (BT.601, limited range, as the node converts bgr24) of the grey (level, level, level)."""
    return ((66 + 129 + 25) * level + 128 >> 8) + 16
