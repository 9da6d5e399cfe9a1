"""Audio samples and video frames, in the forms a producer has them, as the bytes the server takes.

Pure and standard library only: numpy arrays are recognised by their ``dtype`` and ``shape`` and
read through the buffer protocol, so this module never imports numpy. Nothing is copied when the
input already is what the server takes (float32 or int16 samples, C-contiguous uint8 bgr24 frames):
the result is a ``memoryview`` of the caller's memory. Wrong input raises ``ValueError`` or
``TypeError`` with a message that says what to send instead.
"""

from __future__ import annotations

import array
import struct
import sys
from typing import Any, List, Optional, Tuple

__all__ = ["AUDIO_FORMATS", "audio_buffer", "frame_buffers", "frame_size", "sample_bytes", "wav_header"]

#: Sample formats the server takes: little-endian signed 16-bit and IEEE float32, mono.
AUDIO_FORMATS = ("s16le", "f32le")


def sample_bytes(audio_format: str) -> int:
    """Bytes per sample of ``"s16le"`` (2) or ``"f32le"`` (4)."""
    if audio_format == "s16le":
        return 2
    if audio_format == "f32le":
        return 4
    raise ValueError("audio_format must be 's16le' or 'f32le', not %r" % (audio_format,))


def _is_array(value: Any) -> bool:
    return hasattr(value, "dtype") and hasattr(value, "shape")


def _contiguous(arr: Any) -> Any:
    flags = getattr(arr, "flags", None)
    if flags is not None and not flags["C_CONTIGUOUS"]:
        return arr.copy(order="C")
    return arr


def _bytes_view(data: Any) -> memoryview:
    view = memoryview(data)
    if view.c_contiguous:
        return view.cast("B") if view.format != "B" or view.ndim != 1 else view
    return memoryview(view.tobytes())


def audio_buffer(audio: Any, audio_format: Optional[str] = None) -> Tuple[memoryview, str]:
    """Mono samples as (little-endian bytes, ``"s16le"`` or ``"f32le"``).

    ``audio`` is a numpy array (float, +-1.0 full scale, or int16; 1-D or shaped (n, 1)), an
    ``array.array`` of typecode ``'f'``, ``'d'`` or ``'h'``, a list of floats or ints, or raw
    little-endian bytes, whose format ``audio_format`` names (``"s16le"`` when not given).
    float32 and int16 input is not copied.

    >>> audio_buffer([0.5, -0.5])[1]
    'f32le'
    >>> bytes(audio_buffer([1, -2])[0])
    b'\\x01\\x00\\xfe\\xff'
    """
    if audio_format is not None:
        sample_bytes(audio_format)
    if isinstance(audio, (bytes, bytearray, memoryview)):
        fmt = audio_format or "s16le"
        view = _bytes_view(audio)
        width = sample_bytes(fmt)
        if view.nbytes % width:
            raise ValueError("the audio has %d bytes, not a whole number of %s samples (%d bytes each)"
                             % (view.nbytes, fmt, width))
        return view, fmt
    if isinstance(audio, str):
        raise TypeError("audio is a str; pass samples (a numpy array, array.array or list) or bytes")
    if _is_array(audio):
        return _array_audio(audio, audio_format)
    if isinstance(audio, array.array):
        if audio.typecode in "fd":
            fmt, out = "f32le", (audio if audio.typecode == "f" else array.array("f", audio))
        elif audio.typecode == "h":
            fmt, out = "s16le", audio
        else:
            raise ValueError("an audio array.array must have typecode 'f', 'd' (floats, +-1.0) or 'h' (int16), "
                             "not %r" % audio.typecode)
        _check_format(audio_format, fmt)
        if sys.byteorder == "big":
            out = array.array(out.typecode, out)
            out.byteswap()
        return memoryview(out).cast("B"), fmt
    try:
        samples = list(audio)
    except TypeError:
        raise TypeError("audio must be samples (a numpy array, array.array, list of floats or ints) or bytes; "
                        "got %s" % type(audio).__name__) from None
    if samples and all(isinstance(s, int) for s in samples):
        try:
            packed = array.array("h", samples)
        except OverflowError:
            raise ValueError("int samples are int16 and must lie in -32768..32767; got %d..%d"
                             % (min(samples), max(samples))) from None
        return audio_buffer(packed, audio_format)
    try:
        return audio_buffer(array.array("f", samples), audio_format)
    except TypeError:
        raise TypeError("audio samples must be numbers; got %s" % sorted({type(s).__name__ for s in samples})) from None


def _array_audio(arr: Any, audio_format: Optional[str]) -> Tuple[memoryview, str]:
    shape = tuple(arr.shape)
    if len(shape) == 2 and shape[1] == 1:
        arr = arr.reshape(-1)
    elif len(shape) != 1:
        raise ValueError("audio must be mono: a 1-D array of samples, got shape %r (mix stereo down first, "
                         "e.g. samples.mean(axis=1))" % (shape,))
    kind, size = arr.dtype.kind, arr.dtype.itemsize
    if kind == "f":
        fmt, code = "f32le", "<f4"
    elif kind == "i" and size == 2:
        fmt, code = "s16le", "<i2"
    else:
        raise ValueError("audio samples must be float (+-1.0 full scale) or int16, got dtype %s "
                         "(convert with samples.astype('float32') / 32768 or samples.astype('int16'))" % (arr.dtype,))
    _check_format(audio_format, fmt)
    if arr.dtype.str != code:
        arr = arr.astype(code)
    return memoryview(_contiguous(arr)).cast("B"), fmt


def _check_format(given: Optional[str], actual: str) -> None:
    if given is not None and given != actual:
        raise ValueError("audio_format=%r does not match the samples, which are %s; audio_format only names "
                         "the format of raw bytes" % (given, actual))


def frame_buffers(frames: Any, width: int, height: int) -> List[memoryview]:
    """bgr24 frames of ``width`` x ``height`` as one ``memoryview`` of ``width * height * 3`` bytes each.

    ``frames`` is a numpy uint8 array shaped (height, width, 3) or (n, height, width, 3), raw bytes
    of whole frames back to back, or a list (any iterable) of either. C-contiguous arrays and bytes
    are not copied.
    """
    if frames is None:
        return []
    size = width * height * 3
    if isinstance(frames, (bytes, bytearray, memoryview)):
        view = _bytes_view(frames)
        if view.nbytes % size or not view.nbytes:
            raise ValueError("%d bytes of frames is not a whole number of %dx%d bgr24 frames (%d bytes each)"
                             % (view.nbytes, width, height, size))
        return [view[i:i + size] for i in range(0, view.nbytes, size)]
    if isinstance(frames, str):
        raise TypeError("frames is a str; pass bgr24 frames as a numpy uint8 array or bytes")
    if _is_array(frames):
        return _array_frames(frames, width, height)
    try:
        items = iter(frames)
    except TypeError:
        raise TypeError("frames must be a numpy uint8 array shaped (n, %d, %d, 3), bytes of bgr24 frames, or a "
                        "list of them; got %s" % (height, width, type(frames).__name__)) from None
    out: List[memoryview] = []
    for item in items:
        out.extend(frame_buffers(item, width, height))
    return out


def _array_frames(arr: Any, width: int, height: int) -> List[memoryview]:
    shape = tuple(arr.shape)
    if arr.dtype.kind != "u" or arr.dtype.itemsize != 1:
        raise ValueError("frames must be uint8 bgr24 (0..255), got dtype %s (convert with "
                         "(frames * 255).clip(0, 255).astype('uint8') for floats in 0..1)" % (arr.dtype,))
    if len(shape) == 3:
        shape = (1,) + shape
    if len(shape) != 4 or shape[3] != 3:
        raise ValueError("frames must be shaped (height, width, 3) or (n, height, width, 3), bgr24; got shape %r"
                         % (tuple(arr.shape),))
    if shape[1:3] != (height, width):
        raise ValueError("frames are %dx%d (width x height) but this session is %dx%d; resize them first"
                         % (shape[2], shape[1], width, height))
    view = memoryview(_contiguous(arr)).cast("B")
    size = width * height * 3
    return [view[i:i + size] for i in range(0, view.nbytes, size)]


def frame_size(frames: Any) -> Optional[Tuple[int, int]]:
    """(width, height) of numpy frames (or of the first of a list of them), None for bytes."""
    if isinstance(frames, (list, tuple)) and frames:
        frames = frames[0]
    shape = getattr(frames, "shape", None)
    if shape is None or len(shape) < 3:
        return None
    return int(shape[-2]), int(shape[-3])


def wav_header(data_bytes: int, audio_format: str, sample_rate: int) -> bytes:
    """The 44-byte header of a mono WAV (PCM s16 or IEEE float32) whose samples are ``data_bytes`` long."""
    tag, bits = (1, 16) if audio_format == "s16le" else (3, 32)
    block = bits // 8
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, tag, 1, sample_rate, sample_rate * block, block, bits)
            + b"data" + struct.pack("<I", data_bytes))
