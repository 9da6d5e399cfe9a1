"""One session of the reference: its clock, its playout and its viewers' peer connections."""

import asyncio
import itertools
import math
import uuid

from aiortc import RTCPeerConnection, RTCSessionDescription
import numpy as np

from playout import Clip, Playout
from tracks import PacedAudioTrack, PacedVideoTrack

_ids = itertools.count(1)


def neutral_frame(width, height):
    """yuv420p of bgr (16, 16, 16): Y 30, U and V 128, the neutral frame avpush shows before any."""
    frame = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
    frame[:height] = 30
    return frame


class Session:
    def __init__(self, fps, width, height):
        self.id = uuid.uuid4().hex[:12]
        self.fps = fps
        self.width = width
        self.height = height
        self.t0 = asyncio.get_running_loop().time()
        self.playout = Playout(fps, neutral_frame(width, height))
        self.viewers = {}
        self.connected = set()

    def now_tick(self):
        return math.floor((asyncio.get_running_loop().time() - self.t0) * self.fps)

    def clip(self, prefix, frames, upload_fps, audio):
        return Clip("%s-%d" % (prefix, next(_ids)), frames, upload_fps or self.fps, audio, self.fps)

    async def answer(self, offer_sdp):
        """Answers a viewer's offer (recvonly audio + video) with this session's two paced tracks;
        the answer holds every ICE candidate (aiortc gathers before it answers)."""
        pc = RTCPeerConnection()
        viewer_id = uuid.uuid4().hex[:8]
        self.viewers[viewer_id] = pc

        @pc.on("connectionstatechange")
        async def on_state():
            if pc.connectionState == "connected":
                self.connected.add(viewer_id)
            elif pc.connectionState in ("failed", "closed"):
                await self.drop(viewer_id)

        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        kinds = {t.kind for t in pc.getTransceivers()}
        if "audio" in kinds:
            pc.addTrack(PacedAudioTrack(self))
        if "video" in kinds:
            pc.addTrack(PacedVideoTrack(self))
        await pc.setLocalDescription(await pc.createAnswer())
        return pc.localDescription.sdp, viewer_id

    async def drop(self, viewer_id):
        self.connected.discard(viewer_id)
        pc = self.viewers.pop(viewer_id, None)
        if pc is not None:
            await pc.close()

    async def close(self):
        for viewer_id in list(self.viewers):
            await self.drop(viewer_id)

    def status(self):
        playout = self.playout
        now = self.now_tick()
        playing = playout.playing()
        idle = playout.idle_loop
        queued_ticks = playout.queued_ticks(now)
        if playing is not None:
            state = "playing"
        elif playout.queue and not self.connected:
            state = "waiting-for-viewer"
        else:
            state = "idle"
        return {
            "state": state, "fps": str(self.fps), "width": self.width, "height": self.height,
            "viewersConnected": len(self.connected), "viewers": len(self.viewers),
            "playing": playing.clip.id if playing else None, "queued": [c.id for c in playout.queue],
            "queuedMs": round(queued_ticks * 1000 / self.fps), "segmentsPlayed": playout.segments_played,
            "framesReleased": playout.frames_released,
            "idle": None if idle is None else {"loopId": idle.id, "durationMs": round(idle.duration_ms()),
                                               "frames": len(idle.frames), "frameTicks": idle.ticks,
                                               "audio": idle.audio is not None},
        }
