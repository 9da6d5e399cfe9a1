"""The segment form of avpush (docs/api.md, "The segment form"), the subset the benchmark sends:
``multipart/form-data`` with fields ``width``, ``height``, ``fps``, ``format`` (bgr24 only), a
``video`` part of raw bgr24 frames back to back and an ``audio`` part that is a WAV of PCM 16-bit
or float 32-bit, mono or stereo, at 48 kHz (avpush resamples other rates; this reference refuses
them). Frames are converted to yuv420p once, at upload, as avpush converts them to I420 at upload.
"""

from fractions import Fraction
import re

import av
from av.video.reformatter import VideoReformatter
import numpy as np

SAMPLE_RATE = 48000
PARTS = {"audio", "video", "width", "height", "fps", "format"}


class FormError(ValueError):
    """A malformed form: the message says which part and why."""


def parse_fps(text):
    """"30" -> 30, "29.97" -> 30000/1001 (as avpush reads it), "30000/1001" -> 30000/1001."""
    text = str(text).strip()
    try:
        if text == "29.97":
            return Fraction(30000, 1001)
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise FormError("fps '%s' is not a rate: write 30, 29.97 or 30000/1001" % text)
    if not 1 <= value <= 120:
        raise FormError("fps %s is outside 1..120" % text)
    return value


def parts(body, content_type):
    """{name: memoryview of the part's bytes} of a multipart body (no copy of the data)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type or "")
    if not content_type or not content_type.startswith("multipart/form-data") or not match:
        raise FormError("the segment form is multipart/form-data with a boundary, not '%s'" % content_type)
    delimiter = b"--" + match.group(1).encode("latin-1")
    view = memoryview(body)
    found = {}
    position = body.find(delimiter)
    if position < 0:
        raise FormError("the body has no part")
    while True:
        position += len(delimiter)
        if body[position:position + 2] == b"--":
            return found
        header_end = body.find(b"\r\n\r\n", position)
        if header_end < 0:
            raise FormError("a part has no end of headers")
        headers = bytes(body[position:header_end]).decode("latin-1")
        name = re.search(r'name="([^"]*)"', headers)
        if not name or name.group(1) not in PARTS:
            raise FormError("unknown part %s: this reference takes %s"
                            % (name.group(1) if name else "without a name", ", ".join(sorted(PARTS))))
        data_start = header_end + 4
        next_delimiter = body.find(b"\r\n" + delimiter, data_start)
        if next_delimiter < 0:
            raise FormError("part '%s' has no end" % name.group(1))
        found[name.group(1)] = view[data_start:next_delimiter]
        position = next_delimiter + 2


def wav_to_mono48k(data):
    """PCM 16-bit or float 32-bit WAV, mono or stereo, 48 kHz -> int16 mono numpy array."""
    raw = bytes(data[:12])
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise FormError("part 'audio' is not a WAV file")
    position, fmt, samples = 12, None, None
    while position + 8 <= len(data):
        chunk = bytes(data[position:position + 4])
        size = int.from_bytes(data[position + 4:position + 8], "little")
        body = data[position + 8:position + 8 + size]
        if chunk == b"fmt ":
            fmt = (int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little"),
                   int.from_bytes(body[4:8], "little"), int.from_bytes(body[14:16], "little"))
        elif chunk == b"data":
            samples = body
        position += 8 + size + (size & 1)
    if fmt is None or samples is None:
        raise FormError("part 'audio' has no fmt or data chunk")
    tag, channels, rate, bits = fmt
    if rate != SAMPLE_RATE:
        raise FormError("part 'audio' is %d Hz: this reference takes 48000 Hz only" % rate)
    if channels not in (1, 2):
        raise FormError("part 'audio' has %d channels: mono or stereo" % channels)
    if tag == 1 and bits == 16:
        pcm = np.frombuffer(samples, dtype="<i2")
    elif tag == 3 and bits == 32:
        pcm = np.clip(np.frombuffer(samples, dtype="<f4") * 32767.0, -32768, 32767).astype(np.int16)
    else:
        raise FormError("part 'audio' is format %d with %d bits: PCM 16-bit or float 32-bit" % (tag, bits))
    if channels == 2:
        pcm = pcm[:len(pcm) // 2 * 2].reshape(-1, 2).astype(np.int32).mean(axis=1).astype(np.int16)
    return np.array(pcm, dtype=np.int16)  # a copy: the body it was read from is freed


def bgr24_to_yuv420p(data, width, height):
    """Raw bgr24 frames -> (count, height * 3 / 2, width) uint8, one yuv420p frame each, converted by
    FFmpeg's swscale (one context for the whole upload)."""
    frame_bytes = width * height * 3
    if len(data) == 0 or len(data) % frame_bytes:
        raise FormError("part 'video' has %d bytes, which is not a whole number of %dx%d bgr24 frames (%d bytes each)"
                        % (len(data), width, height, frame_bytes))
    bgr = np.frombuffer(data, dtype=np.uint8).reshape(-1, height, width, 3)
    out = np.empty((len(bgr), height * 3 // 2, width), dtype=np.uint8)
    reformatter = VideoReformatter()
    for i, picture in enumerate(bgr):
        frame = av.VideoFrame.from_ndarray(picture, format="bgr24")
        out[i] = reformatter.reformat(frame, format="yuv420p").to_ndarray()
    return out


def read_segment(body, content_type, session_width, session_height):
    """(yuv420p frames or None, upload fps or None, int16 audio or None) of a segment form."""
    found = parts(body, content_type)
    fields = {k: bytes(found[k]).decode("utf-8").strip() for k in ("width", "height", "fps", "format") if k in found}
    if fields.get("format", "bgr24") != "bgr24":
        raise FormError("format '%s': this reference takes bgr24 only" % fields["format"])
    width = int(fields.get("width", session_width))
    height = int(fields.get("height", session_height))
    if (width, height) != (session_width, session_height):
        raise FormError("frames of %dx%d in a %dx%d session" % (width, height, session_width, session_height))
    fps = parse_fps(fields["fps"]) if "fps" in fields else None
    for name in ("audio", "video"):
        if name in found and len(found[name]) == 0:
            raise FormError("part '%s' is empty" % name)
    frames = bgr24_to_yuv420p(found["video"], width, height) if "video" in found else None
    audio = wav_to_mono48k(found["audio"]) if "audio" in found else None
    return frames, fps, audio
