"""Real WebRTC viewers for the live tests, on aiortc (Debian: python3-aiortc), in a process of their own.

Run by ``live.Viewers`` (and by bench/aiortc-reference/compare.py), which talk to it in JSON lines on stdin/stdout:

    {"connect": SID, "url": BASE, "token": T?} -> {"connected": SID} or {"failed": SID, "error": ...}
    {"stats": SID}                             -> {"stats": SID, "frames": n, "lumas": [...], "audioFrames": n,
                                                   "loudFrames": n, "state": ..., "videoCodec": "VP8/90000",
                                                   "senderReports": {kind: [bytesSent, packetsSent, epoch s]},
                                                   "sizes": {"WxH": frames}}
    {"close": SID}                             -> {"closed": SID}

Each viewer offers to receive audio and video (``POST /api/sessions/{id}/offer``), decodes what
arrives and counts it: video frames with their mean luma, audio frames and those louder than
silence. aiortc 1.4 numbers the RTP header extensions per m-section, and libwebrtc refuses an
offer that gives one number two meanings, so the audio level extension is left out of the offer.
"""

import asyncio
import json
import sys
import threading
import time
import urllib.request

from aiortc import RTCPeerConnection, RTCSessionDescription

viewers = {}
out_lock = threading.Lock()


def reply(message):
    with out_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def post_offer(url, sid, sdp, token):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request("%s/api/sessions/%s/offer" % (url, sid), method="POST", headers=headers,
                                     data=json.dumps({"type": "offer", "sdp": sdp}).encode())
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


class Viewer:
    def __init__(self):
        self.pc = RTCPeerConnection()
        self.frames = 0
        self.lumas = []
        self.audio_frames = 0
        self.loud_frames = 0
        self.sizes = {}
        self.tasks = []
        self.connected = asyncio.Event()
        self.pc.on("track", self.on_track)
        self.pc.on("connectionstatechange", self.on_state)

    def on_state(self):
        if self.pc.connectionState == "connected":
            self.connected.set()

    def on_track(self, track):
        self.tasks.append(asyncio.ensure_future(self.pump(track)))

    async def pump(self, track):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            if track.kind == "video":
                plane = frame.planes[0]
                rows = memoryview(bytes(plane)).cast("B")
                width, height, stride = frame.width, frame.height, plane.line_size
                total = 0
                for y in range(0, height, 4):
                    total += sum(rows[y * stride:y * stride + width:4])
                samples = len(range(0, height, 4)) * len(range(0, width, 4))
                self.frames += 1
                self.sizes["%dx%d" % (width, height)] = self.sizes.get("%dx%d" % (width, height), 0) + 1
                self.lumas.append(round(total / samples))
                del self.lumas[:-600]
            else:
                data = frame.to_ndarray()
                self.audio_frames += 1
                if abs(data.astype("int32")).max() > 300:
                    self.loud_frames += 1

    async def connect(self, url, sid, token):
        self.pc.addTransceiver("audio", direction="recvonly")
        self.pc.addTransceiver("video", direction="recvonly")
        await self.pc.setLocalDescription(await self.pc.createOffer())
        sdp = "\r\n".join(line for line in self.pc.localDescription.sdp.split("\r\n")
                          if "ssrc-audio-level" not in line)
        answer = await asyncio.get_running_loop().run_in_executor(None, post_offer, url, sid, sdp, token)
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        await asyncio.wait_for(self.connected.wait(), 20)

    async def stats(self):
        # The sender's own counts, from its latest RTCP sender report on each track.
        reports = {s.kind: [s.bytesSent, s.packetsSent, s.remoteTimestamp.timestamp()]
                   for s in (await self.pc.getStats()).values() if s.type == "remote-outbound-rtp"}
        return {"frames": self.frames, "lumas": list(self.lumas), "audioFrames": self.audio_frames,
                "loudFrames": self.loud_frames, "state": self.pc.connectionState,
                "videoCodec": self.video_codec(), "senderReports": reports, "sizes": dict(self.sizes)}

    def video_codec(self):
        """The codec the answer put first for video (the one the sender uses), e.g. "VP8/90000"."""
        sdp = self.pc.remoteDescription.sdp if self.pc.remoteDescription else ""
        video = sdp.split("m=video", 1)[1] if "m=video" in sdp else ""
        first = video.split("\r\n", 1)[0].split()[2:3]
        for line in video.split("\r\n"):
            if first and line.startswith("a=rtpmap:%s " % first[0]):
                return line.split(" ", 1)[1]
        return None

    async def close(self):
        for task in self.tasks:
            task.cancel()
        await self.pc.close()


async def handle(command):
    if "connect" in command:
        sid = command["connect"]
        viewer = Viewer()
        viewers[sid] = viewer
        try:
            started = time.monotonic()
            await viewer.connect(command["url"], sid, command.get("token"))
            reply({"connected": sid, "seconds": round(time.monotonic() - started, 3)})
        except Exception as e:  # reported to the test, which fails with it
            reply({"failed": sid, "error": "%s: %s" % (type(e).__name__, e)})
    elif "stats" in command:
        viewer = viewers.get(command["stats"])
        reply(dict(await viewer.stats() if viewer else {"error": "no viewer"}, stats=command["stats"]))
    elif "close" in command:
        viewer = viewers.pop(command["close"], None)
        if viewer is not None:
            await viewer.close()
        reply({"closed": command["close"]})


async def main():
    loop = asyncio.get_running_loop()
    lines = asyncio.Queue()

    def read_stdin():
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read_stdin, daemon=True).start()
    reply({"ready": True})
    while True:
        line = await lines.get()
        if line is None:
            break
        if line.strip():
            asyncio.ensure_future(handle(json.loads(line)))
    for viewer in list(viewers.values()):
        await viewer.close()


if __name__ == "__main__":
    asyncio.run(main())
