#!/usr/bin/env bash
# Writes sample media to upload as a segment: speech.wav (48 kHz mono 16-bit PCM) and frames.bgr
# (raw bgr24 frames back to back), made for each other: a grey picture with a bar sweeping across
# it and a quiet 220 Hz tone, and every second a white flash with a 1 kHz beep at the same
# instant, so that lip sync can be judged by eye and ear. Needs python3 (standard library only).
#
# Usage: scripts/sample-media.sh [key=value ...]
#   dir=.          where to write the files
#   seconds=2      length of the audio
#   size=512x512   picture size (the session's; a new session is 512x512 unless asked otherwise)
#   fps=30         frame rate of the frames (a whole number)
#   frames=N       how many frames (default: seconds * fps; fewer or more shows what the server
#                  does when frames and audio differ: it holds the last frame or drops the extra)
#   png=no         yes: also write frame_000.png, frame_001.png ... (the same frames as PNG files)
set -euo pipefail
command -v python3 >/dev/null || { echo "sample-media.sh needs python3 (apt-get install python3)" >&2; exit 2; }
exec python3 - "$@" <<'PYTHON'
import array, math, os, struct, sys, wave, zlib

opts = {"dir": ".", "seconds": "2", "size": "512x512", "fps": "30", "frames": "", "png": "no"}
for arg in sys.argv[1:]:
    key, sep, value = arg.partition("=")
    if not sep or key not in opts:
        sys.exit("sample-media.sh: unknown argument '%s'; see the usage at the top of scripts/sample-media.sh" % arg)
    opts[key] = value
try:
    seconds = float(opts["seconds"])
    width, height = (int(v) for v in opts["size"].lower().split("x"))
    fps = int(opts["fps"])
    count = int(opts["frames"]) if opts["frames"] else round(seconds * fps)
except ValueError:
    sys.exit("sample-media.sh: seconds must be a number, size WIDTHxHEIGHT, fps and frames whole numbers")
if seconds <= 0 or width < 16 or height < 16 or width % 2 or height % 2 or fps < 1 or count < 1:
    sys.exit("sample-media.sh: seconds > 0, an even size of at least 16x16, fps >= 1 and frames >= 1, please")
os.makedirs(opts["dir"], exist_ok=True)

# Audio: a quiet 220 Hz tone; a 1 kHz beep (100 ms) at the start of every second.
rate = 48000
pcm = array.array("h", bytes(2 * round(seconds * rate)))
for n in range(len(pcm)):
    t = n / rate
    beep = (t % 1.0) < 0.1
    pcm[n] = int(32767 * (0.5 * math.sin(2 * math.pi * 1000 * t) if beep else 0.05 * math.sin(2 * math.pi * 220 * t)))
with wave.open(os.path.join(opts["dir"], "speech.wav"), "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(rate)
    if sys.byteorder != "little":
        pcm.byteswap()                            # WAV is little-endian
    w.writeframes(pcm.tobytes())

# Frames: mid grey with a dark bar sweeping left to right once a second; frames in the first
# 100 ms of every second are white (the flash that goes with the beep).
grey, bar, white = bytes((96, 96, 96)), bytes((40, 40, 160)), bytes((255, 255, 255))
bar_width = max(2, width // 16)
def frame(i):
    t = i / fps
    if (t % 1.0) < 0.1:
        return white * (width * height)
    x = int((t % 1.0) * (width - bar_width))
    return (grey * x + bar * bar_width + grey * (width - x - bar_width)) * height

def png(bgr):
    raw = bytearray()
    stride = width * 3
    for y in range(height):                       # each row: filter byte 0, then RGB
        row = bytearray(bgr[y * stride:(y + 1) * stride])
        row[0::3], row[2::3] = row[2::3], row[0::3]
        raw += b"\x00" + row
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 6)) + chunk(b"IEND", b""))

with open(os.path.join(opts["dir"], "frames.bgr"), "wb") as out:
    for i in range(count):
        f = frame(i)
        out.write(f)
        if opts["png"] == "yes":
            with open(os.path.join(opts["dir"], "frame_%03d.png" % i), "wb") as p:
                p.write(png(f))

print("wrote %s (%.1f s, 48 kHz mono) and %s (%d frames of %dx%d bgr24 at %d fps, %d bytes)%s" % (
    os.path.join(opts["dir"], "speech.wav"), seconds, os.path.join(opts["dir"], "frames.bgr"), count, width, height,
    fps, count * width * height * 3, ", and frame_000.png ..." if opts["png"] == "yes" else ""))
PYTHON
