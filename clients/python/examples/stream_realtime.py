"""Stream an utterance while it is being made, at real time, from an async generator (a streaming
TTS and a face model a frame ahead of the viewer), with the asyncio client.

    python stream_realtime.py --url http://localhost:8080

Each 33 ms the generator yields the next frame and its audio, ``--lead`` ahead of real time (a
TTS hands over its first chunk at once); the stream sends them as they come. The segment starts
playing once 100 ms of it has arrived. A producer that keeps up plays without a gap: the node
counts none (``gapTicks``). With no lead at all, a producer the machine deschedules for more than
the node's 100 ms leaves gaps: the picture holds, the audio pauses, nothing is lost.
"""

import argparse
import asyncio
import time

import numpy as np

from avpush import AsyncAvpushClient

RATE = 24000
FPS = 30


async def tts_and_face(seconds, width, height, lead):
    """Yields (audio chunk, frame) for each frame, each when real time is ``lead`` seconds short of it."""
    per_frame = RATE // FPS
    frame = np.zeros((height, width, 3), dtype=np.uint8)
    start = time.monotonic()
    for i in range(int(seconds * FPS)):
        await asyncio.sleep(max(0.0, start + i / FPS - lead - time.monotonic()))  # "generation" takes real time
        t = (i * per_frame + np.arange(per_frame)) / RATE
        audio = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        frame[:] = (40, 40, 40)
        frame[:, : width * (i + 1) // int(seconds * FPS)] = (40, 160, 40)  # a bar that grows with the speech
        yield audio, frame


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--lead", type=float, default=0.3, help="how far the producer runs ahead (s)")
    args = parser.parse_args()

    client = AsyncAvpushClient(args.url)
    session = await client.create_session(fps=FPS, width=512, height=512)
    sid = session["sessionId"]
    try:
        print("watch: %s/?session=%s" % (client.base_url, sid), flush=True)
        while (await client.status(sid))["viewersConnected"] == 0:
            await asyncio.sleep(0.2)
        async with client.open_stream(sid, sample_rate=RATE) as stream:
            async for audio, frame in tts_and_face(args.seconds, session["width"], session["height"], args.lead):
                await stream.send_audio(audio)
                await stream.send_frame(frame)
            closed = await stream.close()
        print("streamed %s: %.0f ms received, %d gap ticks" % (closed["segmentId"], closed["receivedMs"], closed["gapTicks"]))
        while (await client.status(sid))["state"] != "idle":
            await asyncio.sleep(0.1)
        print("played; the session counts %d gap ticks" % (await client.status(sid))["streamGapTicks"])
    finally:
        await client.delete_session(sid)


if __name__ == "__main__":
    asyncio.run(main())
