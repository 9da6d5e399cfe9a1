"""Barge-in: stop the avatar the moment the user starts to speak.

    python barge_in.py --url http://localhost:8080 --speech-at 1.5

The avatar streams a long answer in real time. Meanwhile a voice activity detector listens to
the microphone (simulated here: silence, then the user's voice at ``--speech-at`` seconds); when
it hears 100 ms of speech it calls ``interrupt``: the node cuts the segment within a frame, the
stream reports it (``stream.ended``) and the producer stops. Standard library only.
"""

import argparse
import array
import asyncio
import math
import random
import time

from avpush import AsyncAvpushClient

RATE = 16000
FPS = 30
CHUNK = RATE // 50  # 20 ms of microphone


async def microphone(speech_at):
    """20 ms chunks of int16 samples, in real time: near silence, then a voice."""
    start = time.monotonic()
    for n in range(10 ** 6):
        await asyncio.sleep(max(0.0, start + n * 0.02 - time.monotonic()))
        level = 8000 if n * 0.02 >= speech_at else 60
        yield array.array("h", (int(level * math.sin(2 * math.pi * 300 * i / RATE) + random.randint(-50, 50))
                                for i in range(CHUNK)))


async def wait_for_speech(speech_at, started):
    """Returns when 5 chunks in a row (100 ms) are louder than the room: a minimal energy VAD."""
    loud = 0
    async for chunk in microphone(speech_at):
        rms = math.sqrt(sum(s * s for s in chunk) / len(chunk))
        loud = loud + 1 if rms > 1000 else 0
        if loud >= 5:
            return time.monotonic() - started


async def speak(client, sid, width, height, seconds):
    """Streams an answer of ``seconds`` at real time; returns the stream once it ended or was cut."""
    frames = [bytes([40 + 10 * (i % 8)]) * (width * height * 3) for i in range(8)]
    tone = array.array("h", (int(6000 * math.sin(2 * math.pi * 200 * i / RATE)) for i in range(RATE // FPS)))
    async with client.open_stream(sid, sample_rate=RATE) as stream:
        start = time.monotonic()
        for i in range(int(seconds * FPS)):
            await asyncio.sleep(max(0.0, start + i / FPS - time.monotonic()))
            if stream.ended:  # interrupted: stop producing
                break
            await stream.send_audio(tone)
            await stream.send_frame(frames[i % 8])
        await stream.close()
        return stream


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--speech-at", type=float, default=1.5, help="when the simulated user speaks (s)")
    args = parser.parse_args()

    client = AsyncAvpushClient(args.url)
    session = await client.create_session(fps=FPS, width=256, height=256)
    sid = session["sessionId"]
    try:
        print("watch: %s/?session=%s" % (client.base_url, sid), flush=True)
        while (await client.status(sid))["viewersConnected"] == 0:
            await asyncio.sleep(0.2)
        started = time.monotonic()
        answer = asyncio.ensure_future(speak(client, sid, session["width"], session["height"], seconds=10))
        heard_at = await wait_for_speech(args.speech_at, started)
        cut = await client.interrupt(sid)
        if cut["cut"] is None:
            print("user spoke at %.2f s: nothing was playing to interrupt" % heard_at)
        else:
            # cutAfterMs is how far into the answer the cut fell; cutAtMs is the session's clock, not the answer's.
            print("user spoke at %.2f s: interrupted %s after %.0f ms of it" % (heard_at, cut["cut"], cut["cutAfterMs"]))
        stream = await answer
        print("the stream stopped: %s" % stream.ended["message"])
    finally:
        await client.delete_session(sid)


if __name__ == "__main__":
    asyncio.run(main())
