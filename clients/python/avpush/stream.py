"""One streamed segment's bookkeeping, without I/O, shared by the blocking and the asyncio stream.

The node's stream protocol (``/api/sessions/{id}/stream``): JSON text messages open and close a
segment; each binary message is a 12-byte header and one audio chunk or one bgr24 frame::

    byte 0      kind: 1 audio, 2 video frame
    byte 1      format: audio 1 s16le, 2 f32le (mono, at the segment's sampleRate); video 1 bgr24
    bytes 2-3   0
    bytes 4-11  media timestamp: microseconds from the segment's start, int64 little-endian

:class:`StreamState` keeps the timestamps (audio goes on where the last chunk ended; frame ``i``
is at ``i / fps``), builds the messages and reads the server's: ``slow-down`` holds the producer
until ``resume``, ``segment-ended`` (an interrupt) ends the segment early, ``error`` raises.
"""

from __future__ import annotations

import json
import struct
from fractions import Fraction
from typing import Any, Dict, List, Optional, Tuple, Union

from .errors import AvpushError
from .media import audio_buffer, frame_buffers, sample_bytes

__all__ = ["KIND_AUDIO", "KIND_VIDEO", "FORMAT_S16LE", "FORMAT_F32LE", "FORMAT_BGR24", "media_header",
           "frame_rate", "StreamState"]

KIND_AUDIO = 1
KIND_VIDEO = 2
FORMAT_S16LE = 1
FORMAT_F32LE = 2
FORMAT_BGR24 = 1

_HEADER = struct.Struct("<BBHq")
Message = Tuple[bytes, memoryview]


def media_header(kind: int, fmt: int, ts_us: int) -> bytes:
    """The 12-byte header of a binary stream message."""
    return _HEADER.pack(kind, fmt, 0, int(ts_us))


def frame_rate(fps: Union[int, float, str, Fraction]) -> Fraction:
    """A frame rate as an exact fraction: 30, 29.97, ``"30000/1001"`` (as the node writes it)."""
    try:
        rate = Fraction(str(fps)) if not isinstance(fps, Fraction) else fps
    except (ValueError, ZeroDivisionError):
        raise ValueError("fps must be a frame rate like 30, 29.97 or '30000/1001', not %r" % (fps,)) from None
    if not 0 < rate <= 240:
        raise ValueError("fps must be above 0 and at most 240, not %r" % (fps,))
    return rate


class StreamState:
    """Timestamps, outgoing messages and the server's replies of one streamed segment."""

    def __init__(self, width: int, height: int, sample_rate: int, fps: Union[int, float, str, Fraction],
                 audio: bool, video: bool) -> None:
        if not audio and not video:
            raise ValueError("a stream carries audio, video or both; both are off")
        if audio and (not isinstance(sample_rate, int) or isinstance(sample_rate, bool)
                      or not 8000 <= sample_rate <= 192000):
            raise ValueError("sample_rate must be an int from 8000 to 192000 Hz, not %r" % (sample_rate,))
        self.width = width
        self.height = height
        self.sample_rate = sample_rate
        self.fps = frame_rate(fps)
        self.audio = audio
        self.video = video
        self.segment_id: Optional[str] = None
        #: Every message the server sent on this stream, in order (dicts).
        self.messages: List[Dict[str, Any]] = []
        #: True between the server's ``slow-down`` and its ``resume``.
        self.held = False
        #: The server's ``segment-ended`` message once an interrupt (or the length limit) ended the segment.
        self.ended: Optional[Dict[str, Any]] = None
        #: The server's ``closed`` message once the segment is closed.
        self.closed: Optional[Dict[str, Any]] = None
        self.samples_sent = 0
        self.frames_sent = 0
        self._last_frame_us = -1

    @property
    def audio_seconds(self) -> float:
        """Seconds of audio sent so far."""
        return self.samples_sent / self.sample_rate if self.audio else 0.0

    def open_text(self) -> str:
        message: Dict[str, Any] = {"type": "open", "audio": self.audio, "video": self.video}
        if self.audio:
            message["sampleRate"] = self.sample_rate
        return json.dumps(message)

    @staticmethod
    def close_text() -> str:
        return '{"type": "close"}'

    def audio_message(self, samples: Any, audio_format: Optional[str] = None) -> Optional[Message]:
        """The next audio chunk's header and payload, or None for an empty chunk."""
        if not self.audio:
            raise ValueError("this stream was opened with audio=False; open it with audio to send audio")
        data, fmt = audio_buffer(samples, audio_format)
        if not data.nbytes:
            return None
        ts_us = self.samples_sent * 1000000 // self.sample_rate
        self.samples_sent += data.nbytes // sample_bytes(fmt)
        return media_header(KIND_AUDIO, FORMAT_S16LE if fmt == "s16le" else FORMAT_F32LE, ts_us), data

    def frame_messages(self, frames: Any, ts_us: Optional[int] = None) -> List[Message]:
        """Headers and payloads of one frame or several (timestamped i / fps unless ``ts_us`` is given)."""
        if not self.video:
            raise ValueError("this stream was opened with video=False; open it with video to send frames")
        out = []
        for data in frame_buffers(frames, self.width, self.height):
            ts = ts_us if ts_us is not None else round(self.frames_sent * 1000000 / self.fps)
            if ts <= self._last_frame_us:
                raise ValueError("frame timestamp %d us does not follow the previous frame's (%d us); frame "
                                 "timestamps must increase" % (ts, self._last_frame_us))
            self._last_frame_us = ts
            out.append((media_header(KIND_VIDEO, FORMAT_BGR24, ts), data))
            self.frames_sent += 1
            ts_us = None
        return out

    def on_message(self, text: Union[str, bytes]) -> Dict[str, Any]:
        """Takes one message of the server; raises AvpushError for an ``error``."""
        parsed = json.loads(text)
        message: Dict[str, Any] = parsed if isinstance(parsed, dict) else {"type": "unknown", "data": parsed}
        self.messages.append(message)
        kind = message.get("type")
        if kind == "opened":
            self.segment_id = message.get("segmentId")
        elif kind == "slow-down":
            self.held = True
        elif kind == "resume":
            self.held = False
        elif kind == "segment-ended":
            self.ended = message
            self.held = False
        elif kind == "closed":
            self.closed = message
            self.held = False
        elif kind == "error":
            raise AvpushError(None, str(message.get("error")), str(message.get("message")))
        return message
