"""What plays on each frame tick of a session, decided the way avpush decides it (docs/api.md,
"Segments" and "Idle loop"): segments one after another, each starting on a frame tick with its
audio on that tick's sample; the idle loop between them, from its first frame after every
segment; the last frame held in silence when there is neither. Pure: no aiortc, no clock. The
tracks ask it for tick k's frame and for the audio of samples [s, s + n); both ask on one clock,
so whatever they ask in whichever order, they get one timeline.

Ticks are decided in order, once, when first asked for (a segment queued before a viewer asks
waits, as avpush's wait for a viewer). The session's frame rate is a Fraction: tick k starts at
k / fps seconds, and its first audio sample is ``tick_sample(k) = ceil(k * 48000 / fps)``: at
30 fps tick 3 starts at sample 4800; at 30000/1001 fps tick 1 starts at sample 1602 (1601.6 up).
"""

from collections import deque
from fractions import Fraction
import math

import numpy as np

SAMPLE_RATE = 48000
# A tick asked for more than this many ticks after the last one decided (no viewer asked in
# between) starts a fresh timeline there instead of playing the queue to nobody.
RESTART_AFTER_TICKS = 30


class Clip:
    """A segment or an idle loop: yuv420p frames (numpy, one (h * 3 / 2, w) plane block each, or
    none) at ``upload_fps`` and 48 kHz mono s16 audio (or None). It lasts as long as its audio,
    rounded up to whole ticks of the session; without audio, as long as its frames."""

    def __init__(self, clip_id, frames, upload_fps, audio, session_fps):
        self.id = clip_id
        self.frames = frames
        self.upload_fps = Fraction(upload_fps)
        self.audio = audio if audio is not None and len(audio) else None
        fps = Fraction(session_fps)
        if self.audio is not None:
            self.ticks = math.ceil(len(self.audio) * fps / SAMPLE_RATE)
        else:
            self.ticks = math.ceil(len(frames) * fps / self.upload_fps)
        self.frame_ticks_of_frames = math.ceil(len(frames) * fps / self.upload_fps) if frames is not None else 0
        self.fps = fps

    def frame(self, tick_in_clip):
        """The uploaded frame whose time span contains the tick's start, the last one held when the
        frames run out; None for a clip without frames. Example: 15 fps frames in a 30 fps session:
        ticks 0 and 1 show frame 0, tick 2 frame 1."""
        if self.frames is None or len(self.frames) == 0:
            return None
        index = math.floor(tick_in_clip * self.upload_fps / self.fps)
        return self.frames[min(index, len(self.frames) - 1)]

    def duration_ms(self):
        return float(self.ticks * 1000 / self.fps)


class Placement:
    """A clip (or None: the held frame) placed on ticks [start, end) of the session."""

    __slots__ = ("start", "end", "clip", "idle")

    def __init__(self, start, end, clip, idle):
        self.start, self.end, self.clip, self.idle = start, end, clip, idle


class Playout:
    def __init__(self, fps, blank_frame):
        self.fps = Fraction(fps)
        self.queue = deque()
        self.idle_loop = None
        self.placed = deque()
        self.decided = -1
        self.last_frame = blank_frame
        self.segments_played = 0
        self.frames_released = 0

    def tick_sample(self, tick):
        """First sample of a tick: ceil(tick * 48000 / fps); 30 fps: tick 3 -> 4800."""
        return -((-tick * SAMPLE_RATE * self.fps.denominator) // self.fps.numerator)

    def tick_of_sample(self, sample):
        """The tick a sample plays in: floor(sample * fps / 48000); 30 fps: 4799 -> 2, 4800 -> 3."""
        return (sample * self.fps.numerator) // (SAMPLE_RATE * self.fps.denominator)

    def enqueue(self, clip):
        self.queue.append(clip)
        return len(self.queue) - 1 + (1 if self.playing() else 0)

    def set_idle(self, clip):
        self.idle_loop = clip

    def playing(self):
        """The segment placed last, if it is a segment still playing."""
        if self.placed and self.placed[-1].clip is not None and not self.placed[-1].idle \
                and self.decided < self.placed[-1].end:
            return self.placed[-1]
        return None

    def queued_ticks(self, now_tick):
        current = self.playing()
        rest = max(0, current.end - max(now_tick, current.start)) if current else 0
        return rest + sum(clip.ticks for clip in self.queue)

    def placement(self, tick):
        if tick > self.decided + RESTART_AFTER_TICKS:
            self.placed.clear()
            self.decided = tick - 1
        while self.decided < tick:
            self._decide(self.decided + 1)
        for p in reversed(self.placed):
            if p.start <= tick:
                return p
        return None  # older than the history kept

    def _decide(self, tick):
        current = self.placed[-1] if self.placed else None
        self.decided = tick
        if current is not None and tick < current.end and not (current.idle and self.queue):
            return
        if current is not None and tick < current.end:
            current.end = tick  # the idle loop gives way to a queued segment on this tick
        if current is not None and current.clip is not None and not current.idle:
            self.segments_played += 1
        if self.queue:
            clip = self.queue.popleft()
            self.placed.append(Placement(tick, tick + clip.ticks, clip, False))
        elif self.idle_loop is not None:
            self.placed.append(Placement(tick, tick + self.idle_loop.ticks, self.idle_loop, True))
        else:
            self.placed.append(Placement(tick, tick + 1, None, False))
        while len(self.placed) > 2 and self.placed[0].end < tick - 2 * RESTART_AFTER_TICKS:
            self.placed.popleft()

    def video(self, tick):
        """Tick's frame: the placed clip's, else the last frame shown (held)."""
        p = self.placement(tick)
        frame = p.clip.frame(tick - p.start) if p is not None and p.clip is not None else None
        if frame is not None:
            self.last_frame = frame
        self.frames_released += 1
        return self.last_frame

    def audio(self, first_sample, count):
        """Samples [first_sample, first_sample + count) as int16: the placed clips' audio, silence
        elsewhere (between a clip's audio end and its last tick's end, in held frames)."""
        out = np.zeros(count, dtype=np.int16)
        end_sample = first_sample + count
        last_tick = self.tick_of_sample(end_sample - 1)
        self.placement(last_tick)
        for p in self.placed:
            if p.clip is None or p.clip.audio is None:
                continue
            clip_start = self.tick_sample(p.start)
            lo = max(first_sample, clip_start)
            hi = min(end_sample, self.tick_sample(p.end), clip_start + len(p.clip.audio))
            if lo < hi:
                out[lo - first_sample:hi - first_sample] = p.clip.audio[lo - clip_start:hi - clip_start]
        return out
