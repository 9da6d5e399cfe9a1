"""The avpush client under its first name: ``from avpush_client import AvpushClient`` keeps working.

New code imports :mod:`avpush` (``pip install ./clients/python``); this module only re-exports it.
"""

from avpush import AsyncAvpushClient, AvpushClient, AvpushError, EventStream, SegmentStream

__all__ = ["AvpushClient", "AsyncAvpushClient", "AvpushError", "SegmentStream", "EventStream"]
