"""React to the session's events: say the next sentence when the last one has finished, show a
caption when a sentence starts, light a "speaking" lamp, and breathe (the idle loop) in between.

    python react_to_events.py --url http://localhost:8080

The node publishes each event at the instant it pushes the frame it is about (``segment-started``
with the first frame of a segment, ``segment-finished`` with the first frame after it), so a
program that reacts to them follows what the viewer is shown. Standard library only.
"""

import argparse
import array
import math
import time

from avpush import AvpushClient

RATE = 16000
FPS = 30
SENTENCES = ["Hello.", "I am an avatar.", "Goodbye."]


def sentence(seconds, width, height, level):
    audio = array.array("f", (0.3 * math.sin(2 * math.pi * 200 * n / RATE) for n in range(int(seconds * RATE))))
    return audio, bytes([level]) * (width * height * 3 * int(seconds * FPS))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8080")
    args = parser.parse_args()

    client = AvpushClient(args.url)
    session = client.create_session(fps=FPS, width=128, height=128)
    sid, width, height = session["sessionId"], session["width"], session["height"]
    try:
        print("watch: %s/?session=%s" % (client.base_url, sid), flush=True)
        while client.status(sid)["viewersConnected"] == 0:
            time.sleep(0.2)
        breathing = b"".join(bytes([50 + abs(15 - i)]) * (width * height * 3) for i in range(30))
        client.set_idle(sid, frames=breathing, fps=FPS)
        captions = {}
        with client.events(sid, timeout=30) as events:
            def say(i):
                audio, frames = sentence(0.8, width, height, 120 + 40 * i)
                captions[client.upload_segment(sid, audio=audio, sample_rate=RATE, frames=frames, fps=FPS)["segmentId"]] = SENTENCES[i]

            say(0)
            finished = 0
            for event in events:
                kind = event["type"]
                if kind == "speaking":
                    print("lamp %s at frame %d" % ("on" if event["speaking"] else "off", event["frame"]))
                elif kind == "segment-started":
                    print("caption: %s" % captions[event["segmentId"]])
                elif kind == "segment-finished":
                    finished += 1
                    if finished == len(SENTENCES):
                        print("all %d sentences said" % finished)
                        break
                    say(finished)
        client.clear_idle(sid)
    finally:
        client.delete_session(sid)


if __name__ == "__main__":
    main()
