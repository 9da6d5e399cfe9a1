"""How fast the client streams: ``python -m avpush.bench --url http://localhost:8080``.

Streams ``--seconds`` of 512x512 bgr24 frames at 30 fps with their audio (24 kHz mono, one
chunk per frame) into a new session of the node, as fast as the client and the node take it,
and prints the rate as a multiple of real time: once with numpy arrays as input (the payload
masked with numpy) and once with ``bytes`` and numpy switched off (pure Python), each the median
of ``--runs`` runs, with the client's own CPU time per frame and the rate that alone would allow
(the node, on the same machine, usually bounds the rate first). The session has no viewer (its
segment waits for one), so the node only takes the media in; keep ``--seconds`` under the node's
stream buffer (``avpush.media.stream-buffer``, 5 s), past which it holds the producer back to
real time. Every session it makes is deleted.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import math
import os
import platform
import statistics
import sys
import time
from typing import Any, Dict, List, Optional, Tuple

from . import wsproto
from .aio import AsyncAvpushClient
from .client import AvpushClient


def _media(kind: str, seconds: float, size: int, fps: int, rate: int) -> Tuple[List[Any], List[Any]]:
    count = int(round(seconds * fps))
    per_frame = rate // fps
    if kind == "numpy":
        import numpy as np  # type: ignore[import-not-found, unused-ignore]
        rng = np.random.default_rng(7)
        frames = [rng.integers(0, 256, (size, size, 3), dtype=np.uint8) for _ in range(count)]
        t = np.arange(count * per_frame, dtype=np.float32) / rate
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        return frames, [tone[k * per_frame:(k + 1) * per_frame] for k in range(count)]
    frames = [os.urandom(size * size * 3) for _ in range(count)]
    chunks = []
    for k in range(count):
        samples = array.array("h", (int(9000 * math.sin(2 * math.pi * 440 * (k * per_frame + n) / rate))
                                    for n in range(per_frame)))
        chunks.append(samples.tobytes())
    return frames, chunks


def _run_blocking(client: AvpushClient, sid: str, rate: int, frames: List[Any], chunks: List[Any]) -> Dict[str, Any]:
    fmt = None if not isinstance(chunks[0], bytes) else "s16le"
    with client.open_stream(sid, sample_rate=rate) as stream:
        for chunk, frame in zip(chunks, frames):
            stream.send_audio(chunk, fmt)
            stream.send_frame(frame)
        closed = stream.close()
        closed["heldBack"] = any(m.get("type") == "slow-down" for m in stream.messages)
    return closed


async def _run_async(client: AsyncAvpushClient, sid: str, rate: int, frames: List[Any], chunks: List[Any]) -> Dict[str, Any]:
    fmt = None if not isinstance(chunks[0], bytes) else "s16le"
    async with client.open_stream(sid, sample_rate=rate) as stream:
        for chunk, frame in zip(chunks, frames):
            await stream.send_audio(chunk, fmt)
            await stream.send_frame(frame)
        closed = await stream.close()
        closed["heldBack"] = any(m.get("type") == "slow-down" for m in stream.messages)
    return closed


def measure(url: str, kind: str, seconds: float, size: int, fps: int, rate: int, runs: int,
            use_asyncio: bool, warmup: int = 1) -> Tuple[float, float, float, bool]:
    """(median rate x real time, median wall seconds, client CPU ms per frame, held back) of ``runs``
    runs after ``warmup`` runs that are not counted (the node's JIT compiler warms up in them)."""
    wsproto.use_numpy(kind == "numpy")
    frames, chunks = _media(kind, seconds, size, fps, rate)
    client = AvpushClient(url)
    walls: List[float] = []
    cpus: List[float] = []
    held = False
    for run in range(warmup + runs):
        sid = client.create_session(fps=fps, width=size, height=size)["sessionId"]
        try:
            cpu0, t0 = time.process_time(), time.perf_counter()
            if use_asyncio:
                closed = asyncio.run(_run_async(AsyncAvpushClient(url), sid, rate, frames, chunks))
            else:
                closed = _run_blocking(client, sid, rate, frames, chunks)
            if run >= warmup:
                walls.append(time.perf_counter() - t0)
                cpus.append(time.process_time() - cpu0)
                held = held or closed["heldBack"]
        finally:
            client.delete_session(sid)
    wall = statistics.median(walls)
    return len(frames) / fps / wall, wall, statistics.median(cpus) / len(frames) * 1000, held


def machine() -> str:
    """The machine the figures come from: CPU model, cores, kernel, load before, Python, time (UTC).

    Example: ``machine: AMD EPYC, 2 cores, kernel 6.1.0-27-amd64; load before: 0.46 1.01 1.31;
    Python 3.11.2; 2026-12-06T10:14:12Z``
    """
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        load = " ".join("%.2f" % x for x in os.getloadavg())
    except OSError:
        load = "unknown"
    return "machine: %s, %d cores, kernel %s; load before: %s; Python %s; %s" % (
        model, os.cpu_count() or 0, platform.release(), load, platform.python_version(),
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m avpush.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8080", help="the node (default %(default)s)")
    parser.add_argument("--seconds", type=float, default=4.0, help="media a run (default %(default)s)")
    parser.add_argument("--size", type=int, default=512, help="frame width and height (default %(default)s)")
    parser.add_argument("--fps", type=int, default=30, help="frame rate (default %(default)s)")
    parser.add_argument("--sample-rate", type=int, default=24000, help="audio rate (default %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each input, median taken (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted runs first (default %(default)s)")
    parser.add_argument("--inputs", default="numpy,bytes",
                        help="numpy (arrays, numpy masking) and/or bytes (numpy off) (default %(default)s)")
    parser.add_argument("--asyncio", action="store_true", help="measure AsyncAvpushClient instead")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.inputs.split(",") if k.strip()]
    for kind in kinds:
        if kind not in ("numpy", "bytes"):
            parser.error("--inputs takes numpy and bytes, not %r" % kind)
    if "numpy" in kinds and not wsproto.numpy_in_use():
        print("numpy is not installed: measuring bytes only", file=sys.stderr)
        kinds = [k for k in kinds if k != "numpy"]
    print(machine())
    print("%dx%d bgr24 at %d fps + %d Hz mono audio, %.1f s of media a run, median of %d runs after %d, %s client, %s"
          % (args.size, args.size, args.fps, args.sample_rate, args.seconds, args.runs, args.warmup,
             "asyncio" if args.asyncio else "blocking", args.url))
    for kind in kinds:
        rate, wall, cpu_ms, held = measure(args.url, kind, args.seconds, args.size, args.fps, args.sample_rate,
                                           args.runs, args.asyncio, args.warmup)
        label = "numpy arrays, numpy masking" if kind == "numpy" else "bytes, no numpy"
        print("%-28s %5.2fx real time  (%.2f s for %.1f s of media; client CPU %.1f ms per frame and its audio, "
              "%.0fx real time by itself)%s"
              % (label + ":", rate, wall, args.seconds, cpu_ms, 1000.0 / args.fps / cpu_ms if cpu_ms else float("inf"),
                 "  [held back by the node's stream buffer: lower --seconds]" if held else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
