"""avpush: push speech audio and the video frames made for it to a node that streams them to
browsers over WebRTC, in sync.

    from avpush import AvpushClient
    client = AvpushClient("http://localhost:8080")
    sid = client.create_session(fps=30, width=512, height=512)["sessionId"]
    client.upload_segment(sid, audio=samples, sample_rate=16000, frames=frames, fps=30)

:class:`AvpushClient` blocks; :class:`AsyncAvpushClient` has the same calls for asyncio. Both
are standard library only and take numpy arrays when numpy is installed (and then mask the
WebSocket's payload with it). See the package's README for the whole API.
"""

from .aio import AsyncAvpushClient, AsyncEventStream, AsyncSegmentStream
from .client import AvpushClient, EventStream, SegmentStream
from .errors import AvpushError

__all__ = ["AvpushClient", "AsyncAvpushClient", "AvpushError", "SegmentStream", "AsyncSegmentStream",
           "EventStream", "AsyncEventStream", "__version__"]

__version__ = "0.1.0"
