"""The avpush client under its first name: ``from avpush_client import AvpushClient`` keeps working.

New code imports :mod:`avpush` (``pip install ./clients/python``); this module only re-exports it.
"""

from avpush import AsyncAvpushClient, AvpushClient, AvpushError, EventStream, SegmentStream, __version__  # noqa: F401
from avpush.media import audio_buffer, frame_buffers, wav_header  # noqa: F401
from avpush.stream import media_header as stream_header  # noqa: F401
from avpush.wsproto import encode_frame as ws_frame  # noqa: F401

__all__ = ["AvpushClient", "AsyncAvpushClient", "AvpushError", "SegmentStream", "EventStream"]
