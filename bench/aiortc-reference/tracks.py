"""A viewer's two tracks, paced on the session's one clock.

aiortc's sender calls ``recv()`` for the next frame, encodes what it returns (VP8 through libvpx,
Opus through libopus, on its executor threads) and sends it at once, then calls again: the track
is what paces the stream. Each ``recv()`` here sleeps until its frame is due on the session's
clock and returns it stamped with that time: video tick k is due at ``t0 + k / fps`` with pts
``k * 90000 / fps`` (time base 1/90000), audio chunk j (20 ms, 960 samples) at ``t0 + j * 0.02``
with pts ``j * 960`` (time base 1/48000). Deadlines are computed from t0 each time, never by
adding sleeps, so nothing drifts; a track more than a second late (a stalled process) skips to
the present instead of bursting the backlog out.
"""

import asyncio
from fractions import Fraction
import math

from aiortc import MediaStreamTrack
import av

VIDEO_TIME_BASE = Fraction(1, 90000)
AUDIO_TIME_BASE = Fraction(1, 48000)
AUDIO_CHUNK_SAMPLES = 960  # 20 ms at 48 kHz
MAX_LATE_S = 1.0


class PacedTrack(MediaStreamTrack):
    def __init__(self, session, rate):
        super().__init__()
        self.session = session
        self.rate = Fraction(rate)  # frames or chunks per second
        self.index = None
        self.skips = 0

    async def _wait_for_next(self):
        """Sleeps until frame ``self.index`` is due; returns its index (then advances)."""
        loop = asyncio.get_running_loop()
        elapsed = loop.time() - self.session.t0
        if self.index is None:
            self.index = math.ceil(elapsed * self.rate)
        elif elapsed - float(self.index / self.rate) > MAX_LATE_S:
            self.index = math.ceil(elapsed * self.rate)
            self.skips += 1
        delay = self.session.t0 + float(self.index / self.rate) - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        index = self.index
        self.index += 1
        return index


class PacedVideoTrack(PacedTrack):
    kind = "video"

    def __init__(self, session):
        super().__init__(session, session.fps)

    async def recv(self):
        tick = await self._wait_for_next()
        frame = av.VideoFrame.from_ndarray(self.session.playout.video(tick), format="yuv420p")
        frame.pts = round(tick * 90000 / self.rate)
        frame.time_base = VIDEO_TIME_BASE
        return frame


class PacedAudioTrack(PacedTrack):
    kind = "audio"

    def __init__(self, session):
        super().__init__(session, Fraction(48000, AUDIO_CHUNK_SAMPLES))

    async def recv(self):
        chunk = await self._wait_for_next()
        pcm = self.session.playout.audio(chunk * AUDIO_CHUNK_SAMPLES, AUDIO_CHUNK_SAMPLES)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = 48000
        frame.pts = chunk * AUDIO_CHUNK_SAMPLES
        frame.time_base = AUDIO_TIME_BASE
        return frame
