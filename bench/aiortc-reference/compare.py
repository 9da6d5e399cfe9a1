"""One stream, side by side: server CPU of avpush against the aiortc reference, same workload.

Run by scripts/aiortc-compare.sh inside a private network namespace (scripts/in-netns.sh), with
Debian's /usr/bin/python3 (aiortc, av, numpy). Starts avpush as scripts/run.sh ships it and the
reference (reference_server.py), then for each mode runs one session on each server in turn:
512x512 bgr24 at 30 fps with 48 kHz speech-like audio (StreamBench's picture and audio), one
aiortc viewer (clients/python/tests/webrtc_viewer.py, its own process at nice 19, not counted),
``--warmup`` seconds, then a window of ``--seconds`` over which it reads each server process's
CPU (utime + stime of /proc/PID/stat: every thread, ended ones included) and what the viewer got.

Modes: ``upload``: 2 s segments (a 47 MB form each) uploaded whenever the server's queue holds
under 2.5 s, as StreamBench feeds, so every tick plays a new raw frame; ``idle``: the same 2 s
segment set once as the idle loop, no upload in the window. First, ``--prime`` seconds of upload
on each server that are not measured: avpush's first run in a fresh JVM costs a third more while
the JIT compiles (0.36 against 0.28 s per stream-second, measured).
"""

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WIDTH, HEIGHT, FPS, RATE, SEGMENT_FRAMES = 512, 512, 30, 48000, 60
QUEUE_LOW_MS = 2500
NEUTRAL_LUMA = 30
BOUNDARY = "avpush-5f0c3e9a1b7d4e2f8a6c0b9d3e1f7a2c"  # StreamBench's length: Pekko's parser cost depends on it
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---- media: StreamBench's moving picture and speech-like audio, in numpy

def moving_frames(count):
    """bgr24: a noise-textured gradient panning 3 px a frame with two discs moving across it, so
    every macroblock changes (StreamBench.movingFrames, with numpy's noise for Java's)."""
    tw = 1024
    texture = np.random.default_rng(11).integers(0, 256, (tw, tw)).astype(np.int32)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    out = np.empty((count, HEIGHT, WIDTH, 3), dtype=np.uint8)
    for f in range(count):
        pan = 3 * f
        noise = texture[(y + pan // 2) & (tw - 1), (x + pan) & (tw - 1)] // 8 - 16
        r = 60 + (x + pan) % 256 // 3 + noise
        g = 70 + y // 4 + noise
        b = 90 + (x + y + 2 * pan) % 256 // 4 + noise
        c1x, c1y = 256 + 180 * math.cos(2 * math.pi * f / 60), 256 + 180 * math.sin(2 * math.pi * f / 60)
        c2x, c2y = (f * 7) % WIDTH, 300 + 60 * math.sin(2 * math.pi * f / 20)
        disc1 = (x - c1x) ** 2 + (y - c1y) ** 2 < 70 * 70
        disc2 = ((x - c2x) ** 2 + (y - c2y) ** 2 < 50 * 50) & ~disc1
        tn = texture[(y - int(c1y)) & (tw - 1), (x - int(c1x)) & (tw - 1)] // 4
        r = np.where(disc1, 200 - tn // 2, np.where(disc2, 30 + noise, r))
        g = np.where(disc1, 150 + tn // 4, np.where(disc2, 120 + noise, g))
        b = np.where(disc1, 40 + tn // 2, np.where(disc2, 200 + noise, b))
        out[f] = np.clip(np.stack([b, g, r], axis=-1), 0, 255)
    return out.tobytes()


def speech_like(samples):
    """48 kHz mono int16: voiced harmonics on a wandering pitch, a syllable envelope, a little noise."""
    t = np.arange(samples) / RATE
    phase = np.cumsum(2 * np.pi * (120 + 30 * np.sin(2 * np.pi * 0.7 * t)) / RATE)
    voiced = sum(np.sin(h * phase) / h for h in range(1, 9))
    v = 0.15 * (0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)) * voiced + 0.01 * np.random.default_rng(7).standard_normal(samples)
    return np.clip(np.round(v * 32767), -32768, 32767).astype("<i2")


def wav(pcm):
    data = pcm.tobytes()
    return (b"RIFF" + (36 + len(data)).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
            + (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + RATE.to_bytes(4, "little")
            + (RATE * 2).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
            + b"data" + len(data).to_bytes(4, "little") + data)


def segment_form():
    def field(name, value):
        return ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (BOUNDARY, name, value)).encode()

    def part(name, filename, content_type, data):
        return ('--%s\r\nContent-Disposition: form-data; name="%s"; filename="%s"\r\nContent-Type: %s\r\n\r\n'
                % (BOUNDARY, name, filename, content_type)).encode() + data + b"\r\n"

    return b"".join([field("width", WIDTH), field("height", HEIGHT), field("fps", FPS),
                     part("audio", "speech.wav", "audio/wav", wav(speech_like(SEGMENT_FRAMES * RATE // FPS))),
                     part("video", "frames.bgr", "application/octet-stream", moving_frames(SEGMENT_FRAMES)),
                     ("--%s--\r\n" % BOUNDARY).encode()])


# ---- HTTP

def call(method, url, body=None, content_type="application/json", timeout=60):
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        text = response.read()
        return response.status, (json.loads(text) if text else None)


def await_http(url, process, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server ended (exit %s) before it answered %s" % (process.returncode, url))
        try:
            call("GET", url, timeout=2)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise RuntimeError("no answer from %s within %d s" % (url, seconds))


# ---- processes

def cpu_seconds(pid):
    """utime + stime of the whole process (every thread, ended ones included), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def thread_cpu(pid):
    """{thread name: CPU seconds} of the process's live threads; the first thread is "main"."""
    by_name = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                head, rest = f.read().rsplit(")", 1)
        except OSError:
            continue  # ended meanwhile
        name = "main" if int(tid) == pid else head.split("(", 1)[1]
        fields = rest.split()
        by_name[name] = by_name.get(name, 0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return by_name


def machine_busy():
    """(busy, total) jiffies of all CPUs from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return sum(values) - values[3] - values[4], sum(values)


class Viewer:
    """webrtc_viewer.py in its own process at nice 19, over its JSON lines."""

    def __init__(self, log):
        self.process = subprocess.Popen(
            ["nice", "-n", "19", sys.executable, os.path.join(ROOT, "clients/python/tests/webrtc_viewer.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True)
        if not self._read().get("ready"):
            raise RuntimeError("the viewer did not start")

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the viewer process ended")
        return json.loads(line)

    def ask(self, command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._read()

    def stop(self):
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_servers(args, logs):
    env = dict(os.environ, AVPUSH_HTTP_PORT=str(args.avpush_port), BUILD_DIR=args.build_dir)
    avpush = subprocess.Popen([os.path.join(ROOT, "scripts/run.sh")], cwd=ROOT, env=env,
                              stdout=logs["avpush"], stderr=subprocess.STDOUT)
    reference = subprocess.Popen([sys.executable, os.path.join(HERE, "reference_server.py"), "--port", str(args.reference_port)],
                                 cwd=HERE, stdout=logs["reference"], stderr=subprocess.STDOUT)
    servers = {"avpush": (avpush, "http://127.0.0.1:%d" % args.avpush_port),
               "reference": (reference, "http://127.0.0.1:%d" % args.reference_port)}
    for name, (process, base) in servers.items():
        await_http(base + "/api/sessions", process, 120)
    return servers


# ---- one run

def run(name, process, base, mode, form, args, viewer_log, warmup=None, seconds=None):
    _, created = call("POST", base + "/api/sessions", json.dumps({"fps": FPS, "width": WIDTH, "height": HEIGHT}).encode())
    sid = created["sessionId"]
    url = base + "/api/sessions/" + sid
    content_type = "multipart/form-data; boundary=" + BOUNDARY
    viewer = Viewer(viewer_log)
    feeding = threading.Event()
    feeder = None
    result = {"server": name, "mode": mode, "uploads": 0, "uploadErrors": []}
    try:
        connected = viewer.ask({"connect": sid, "url": base})
        if "connected" not in connected:
            raise RuntimeError("the viewer of %s did not connect: %s" % (name, connected.get("error")))
        if mode == "idle":
            call("PUT", url + "/idle", form, content_type, timeout=120)
        else:
            feeding.set()

            def feed():
                while feeding.is_set():
                    try:
                        if call("GET", url)[1]["queuedMs"] >= QUEUE_LOW_MS:
                            time.sleep(0.2)
                            continue
                        call("POST", url + "/segments", form, content_type, timeout=120)
                        result["uploads"] += 1
                    except Exception as e:  # noted and shown: a server that refuses uploads fails the run
                        result["uploadErrors"].append(str(e))
                        time.sleep(0.5)

            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
        time.sleep(args.warmup if warmup is None else warmup)
        before = snapshot(process.pid, viewer, sid)
        time.sleep(args.seconds if seconds is None else seconds)
        after = snapshot(process.pid, viewer, sid)
        result.update(figures(before, after))
        result["status"] = call("GET", url)[1]
    finally:
        feeding.clear()
        if feeder is not None:
            feeder.join(130)
        try:
            viewer.ask({"close": sid})
        finally:
            viewer.stop()
            call("DELETE", url)
    return result


def snapshot(pid, viewer, sid):
    return {"t": time.monotonic(), "cpu": cpu_seconds(pid), "threads": thread_cpu(pid),
            "viewerCpu": cpu_seconds(viewer.process.pid),
            "machine": machine_busy(), "viewer": viewer.ask({"stats": sid})}


def figures(a, b):
    wall = b["t"] - a["t"]
    va, vb = a["viewer"], b["viewer"]
    frames = vb["frames"] - va["frames"]
    recent = vb["lumas"][-min(frames, len(vb["lumas"])):] if frames > 0 else []
    kbit = {}
    for kind, (bytes_b, _, time_b) in vb.get("senderReports", {}).items():
        bytes_a, _, time_a = va.get("senderReports", {}).get(kind, (0, 0, time_b))
        kbit[kind] = round((bytes_b - bytes_a) * 8 / 1000 / (time_b - time_a)) if time_b > time_a else None
    busy = (b["machine"][0] - a["machine"][0]) / max(1, b["machine"][1] - a["machine"][1])
    return {
        "windowS": round(wall, 2),
        "cpuPerStreamS": (b["cpu"] - a["cpu"]) / wall,
        "framesPerS": frames / wall,
        "audioFramesPerS": (vb["audioFrames"] - va["audioFrames"]) / wall,
        "loudShare": (vb["loudFrames"] - va["loudFrames"]) / max(1, vb["audioFrames"] - va["audioFrames"]),
        "neutralFrames": sum(1 for luma in recent if abs(luma - NEUTRAL_LUMA) <= 12),
        "neutralChecked": len(recent),
        "kbitPerS": kbit,
        "videoCodec": vb.get("videoCodec"),
        "sizes": {k: n - va.get("sizes", {}).get(k, 0) for k, n in vb.get("sizes", {}).items()
                  if n > va.get("sizes", {}).get(k, 0)},
        "viewerState": vb.get("state"),
        "viewerCpuPerS": (b["viewerCpu"] - a["viewerCpu"]) / wall,
        "machineBusyCores": busy * os.cpu_count(),
        # Live threads by name (a thread that ended in the window takes its CPU out of this split,
        # not out of cpuPerStreamS).
        "threadsPerStreamS": dict(sorted(((name, (cpu - a["threads"].get(name, 0)) / wall)
                                          for name, cpu in b["threads"].items()), key=lambda kv: -kv[1])),
    }


# ---- report

def machine_lines():
    def out(command):
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return ""
    model = next((line.split(":", 1)[1].strip() for line in out(["lscpu"]).splitlines() if line.startswith("Model name")), "?")
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    commit = out(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = " (with uncommitted changes)" if out(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"]) else ""
    return ["date: " + time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "commit: %s%s" % (commit, dirty),
            "machine: %s, %d cores, kernel %s" % (model, os.cpu_count(), os.uname().release),
            "load average before: " + load]


def verdict(r, args):
    why = []
    if r.get("framesPerS", 0) < args.min_fps:
        why.append("%.1f frames/s at the viewer (< %.0f)" % (r.get("framesPerS", 0), args.min_fps))
    if r.get("audioFramesPerS", 0) < 45:
        why.append("%.1f audio frames/s at the viewer (< 45 of 50)" % r.get("audioFramesPerS", 0))
    if r.get("neutralFrames", 0) > 0:
        why.append("%d neutral frames (nothing played)" % r["neutralFrames"])
    small = sum(n for size, n in r.get("sizes", {}).items() if size != "%dx%d" % (WIDTH, HEIGHT))
    if small:
        why.append("%d frames arrived smaller than %dx%d (the sender scaled down)" % (small, WIDTH, HEIGHT))
    if r["uploadErrors"]:
        why.append("%d upload errors, first: %s" % (len(r["uploadErrors"]), r["uploadErrors"][0]))
    return why


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--modes", default="upload,idle")
    parser.add_argument("--prime", type=float, default=20,
                        help="seconds of a discarded upload run on each server first (avpush's JIT compiles its paths in it)")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "target"))
    parser.add_argument("--out", default=None, help="directory for the servers' and viewers' logs and result.json")
    parser.add_argument("--avpush-port", type=int, default=8080)
    parser.add_argument("--reference-port", type=int, default=8090)
    parser.add_argument("--min-fps", type=float, default=28)
    args = parser.parse_args()
    out = args.out or os.path.join(args.build_dir, "aiortc-compare", time.strftime("%Y%m%d-%H%M%S"))
    os.makedirs(out, exist_ok=True)

    header = machine_lines()
    print("\n".join(header), flush=True)
    started = time.monotonic()
    form = segment_form()
    print("workload: one session, %dx%d bgr24 @ %d fps + %d Hz speech-like audio; segment form %.1f MB (2 s), built in %.1f s"
          % (WIDTH, HEIGHT, FPS, RATE, len(form) / 1e6, time.monotonic() - started), flush=True)
    logs = {name: open(os.path.join(out, name + ".log"), "wb") for name in ("avpush", "reference", "viewers")}
    servers = start_servers(args, logs)
    results = []
    try:
        if args.prime > 0:
            for name, (process, base) in servers.items():
                print("prime, %s: %.0f s of upload, discarded ..." % (name, args.prime), flush=True)
                run(name, process, base, "upload", form, args, logs["viewers"], warmup=args.prime, seconds=1)
        for mode in args.modes.split(","):
            for name, (process, base) in servers.items():
                print("%s, %s: %.0f s warm-up, %.0f s window ..." % (mode, name, args.warmup, args.seconds), flush=True)
                try:
                    r = run(name, process, base, mode, form, args, logs["viewers"])
                except Exception as e:  # one failed run fails the command, after the others have run
                    r = {"server": name, "mode": mode, "uploadErrors": [], "error": "%s: %s" % (type(e).__name__, e)}
                r["failed"] = verdict(r, args) + ([r["error"]] if "error" in r else [])
                results.append(r)
                if "cpuPerStreamS" in r:
                    print("  CPU %.3f s per stream-s, %.1f frames/s and %.1f audio frames/s at the viewer (%s, sizes %s), "
                          "sent video %s kbit/s, viewer %.2f cores, machine %.2f of %d cores busy%s"
                          % (r["cpuPerStreamS"], r["framesPerS"], r["audioFramesPerS"], r["videoCodec"],
                             " ".join("%s: %d" % kv for kv in r["sizes"].items()),
                             r["kbitPerS"].get("video"), r["viewerCpuPerS"], r["machineBusyCores"], os.cpu_count(),
                             ", uploads %d" % r["uploads"] if mode == "upload" else ""), flush=True)
                    print("  by thread: " + ", ".join("%s %.3f" % kv for kv in list(r["threadsPerStreamS"].items())[:8]))
                for reason in r["failed"]:
                    print("  FAILED: " + reason, flush=True)
    finally:
        for process, _ in servers.values():
            process.terminate()
        for process, _ in servers.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()

    with open("/proc/loadavg") as f:
        load_after = " ".join(f.read().split()[:3])
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump({"header": header, "loadAfter": load_after, "results": results}, f, indent=1)
    print()
    print("\n".join(header) + "\nload average after: " + load_after)
    print("window %.0f s after %.0f s of warm-up; CPU = utime + stime of each server process over the window" % (args.seconds, args.warmup))
    print()
    print("| mode | avpush CPU s per stream-s | reference CPU s per stream-s | avpush / reference | frames/s at viewer avpush / reference | audio frames/s avpush / reference | sent video kbit/s avpush / reference |")
    print("|---|---:|---:|---:|---|---|---|")
    by = {(r["mode"], r["server"]): r for r in results}
    for mode in args.modes.split(","):
        a, ref = by[(mode, "avpush")], by[(mode, "reference")]
        if "cpuPerStreamS" not in a or "cpuPerStreamS" not in ref:
            print("| %s | run failed: %s |" % (mode, "; ".join(a["failed"] + ref["failed"])))
            continue
        print("| %s | %.3f | %.3f | %.2f | %.1f / %.1f | %.1f / %.1f | %s / %s |" % (
            mode, a["cpuPerStreamS"], ref["cpuPerStreamS"], a["cpuPerStreamS"] / ref["cpuPerStreamS"],
            a["framesPerS"], ref["framesPerS"], a["audioFramesPerS"], ref["audioFramesPerS"],
            a["kbitPerS"].get("video"), ref["kbitPerS"].get("video")))
    print("\nlogs and result.json: " + out)
    failed = [r for r in results if r["failed"]]
    for r in failed:
        print("FAILED %s, %s: %s" % (r["mode"], r["server"], "; ".join(r["failed"])))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
