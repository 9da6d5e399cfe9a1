"""Upload clients of IngestBench (src/bench/java/io/avpush/bench/IngestBench.java), one process each.

    python3 ingest_client.py KIND BASE_URL SESSION_ID COUNT AUDIO.wav VIDEO.bgr

KIND urllib: a multipart form built by hand and sent with urllib.request, as a script without
dependencies would; requests: requests.post(files=...), as most Python producers do; stream: the
avpush Python client (clients/python on PYTHONPATH) streaming each segment over the WebSocket,
one bgr24 frame and its audio per message pair. Each of COUNT times it sends the WAV (48 kHz mono
s16) and the 512x512 bgr24 frames of VIDEO.bgr as one segment, and exits non-zero on any refusal.
"""

import sys
import uuid

WIDTH = HEIGHT = 512
FPS = 30


def fields():
    return {"width": str(WIDTH), "height": str(HEIGHT), "fps": str(FPS)}


def urllib_upload(url, wav, video):
    import urllib.request
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields().items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, data in (("audio", "a.wav", wav), ("video", "v.bgr", video)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f'Content-Type: application/octet-stream\r\n\r\n'.encode())
        parts.append(data)
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(url, data=b"".join(parts), method="POST",
                                     headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    with urllib.request.urlopen(request, timeout=120) as reply:
        if reply.status != 202:
            raise SystemExit(f"urllib upload answered {reply.status}: {reply.read()!r}")
        reply.read()


def requests_upload(session, url, wav, video):
    reply = session.post(url, data=fields(), files={"audio": ("a.wav", wav), "video": ("v.bgr", video)}, timeout=120)
    if reply.status_code != 202:
        raise SystemExit(f"requests upload answered {reply.status_code}: {reply.text}")


def stream_segment(client, session_id, wav, video):
    pcm = memoryview(wav)[44:]
    frame_bytes = WIDTH * HEIGHT * 3
    frames = len(video) // frame_bytes
    chunk = len(pcm) // frames // 2 * 2
    view = memoryview(video)
    with client.open_stream(session_id, sample_rate=48000) as stream:
        for i in range(frames):
            stream.send_audio(bytes(pcm[i * chunk:(i + 1) * chunk]), "s16le")
            stream.send_frame(view[i * frame_bytes:(i + 1) * frame_bytes])
        closed = stream.close()
    if closed.get("ended"):
        raise SystemExit(f"streamed segment ended early: {closed}")


def main():
    kind, base, session_id, count, wav_path, video_path = sys.argv[1:7]
    with open(wav_path, "rb") as f:
        wav = f.read()
    with open(video_path, "rb") as f:
        video = f.read()
    if wav[:4] != b"RIFF" or wav[36:40] != b"data":
        raise SystemExit("AUDIO.wav must be a plain 44-byte-header WAV")
    url = f"{base}/api/sessions/{session_id}/segments"
    if kind == "requests":
        import requests
        session = requests.Session()
    elif kind == "stream":
        from avpush import AvpushClient
        client = AvpushClient(base, timeout=120)
    for _ in range(int(count)):
        if kind == "urllib":
            urllib_upload(url, wav, video)
        elif kind == "requests":
            requests_upload(session, url, wav, video)
        elif kind == "stream":
            stream_segment(client, session_id, wav, video)
        else:
            raise SystemExit("KIND is urllib, requests or stream; got " + kind)


if __name__ == "__main__":
    main()
