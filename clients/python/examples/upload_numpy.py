"""Upload one utterance made with numpy: speech-like audio and the frames of a face that opens its
mouth with it, as a TTS engine and a face model would hand them over.

    python upload_numpy.py --url http://localhost:8080

It makes a session, prints where to watch it and waits for a viewer (open that page), uploads the
segment, waits for the node's ``segment-finished`` event and deletes the session.
"""

import argparse
import time

import numpy as np

from avpush import AvpushClient

RATE = 24000
FPS = 30


def utterance(seconds, width, height):
    """Audio: a 180 Hz voice with syllables (float32, +-1.0); frames: a mouth that opens with them."""
    t = np.arange(int(seconds * RATE)) / RATE
    syllables = np.clip(np.sin(2 * np.pi * 3 * t), 0, None)
    audio = (0.4 * syllables * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
    n = int(seconds * FPS)
    frames = np.full((n, height, width, 3), (60, 40, 30), dtype=np.uint8)  # bgr background
    yy, xx = np.mgrid[0:height, 0:width]
    face = (xx - width / 2) ** 2 + (yy - height / 2) ** 2 < (0.35 * min(width, height)) ** 2
    for i in range(n):
        opening = syllables[min(len(t) - 1, int(i / FPS * RATE))]
        mouth = ((xx - width / 2) / (0.12 * width)) ** 2 + ((yy - 0.65 * height) / (0.01 * height + 0.06 * height * opening)) ** 2 < 1
        frames[i][face] = (150, 180, 220)
        frames[i][mouth] = (40, 40, 120)
    return audio, frames


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()

    client = AvpushClient(args.url)
    session = client.create_session(fps=FPS, width=512, height=512)
    sid = session["sessionId"]
    try:
        print("watch: %s/?session=%s" % (client.base_url, sid), flush=True)
        while client.status(sid)["viewersConnected"] == 0:
            time.sleep(0.2)
        audio, frames = utterance(args.seconds, session["width"], session["height"])
        with client.events(sid, timeout=30) as events:
            accepted = client.upload_segment(sid, audio=audio, sample_rate=RATE, frames=frames, fps=FPS)
            print("queued %s: %.0f ms, %d frames" % (accepted["segmentId"], accepted["durationMs"], accepted["frames"]))
            for event in events:
                if event.get("segmentId") == accepted["segmentId"] and event["type"] == "segment-finished":
                    print("finished %s at frame %d" % (event["segmentId"], event["frame"]))
                    break
    finally:
        client.delete_session(sid)


if __name__ == "__main__":
    main()
