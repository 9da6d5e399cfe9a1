#!/usr/bin/env bash
# One stream, side by side: server CPU of avpush against a correctly paced aiortc server
# (bench/aiortc-reference, on Debian's python3-aiortc) under the same workload, in one run. For each
# mode, one session on each server in turn: 512x512 bgr24 @ 30 fps + 48 kHz speech-like audio, one
# aiortc viewer in its own process at nice 19 (not counted), a warm-up, then a steady window over
# which each server process's CPU (utime + stime of /proc/PID/stat, all threads) is read; prints
# the machine, date, commit and load, CPU s per stream-second of each, their ratio, and the frames/s,
# audio and video bitrate each viewer got. Exits non-zero if either server did not stream (under
# 28 frames/s or 45 audio frames/s at its viewer, or nothing but the neutral frame).
#
# avpush runs as scripts/run.sh ships it (ZGC, heap share, native access; the jar built here with
# `mvn -o` first). Everything runs inside a private network namespace (scripts/in-netns.sh; neither
# libwebrtc nor aiortc connects over loopback alone), so it needs root (or CAP_SYS_ADMIN +
# CAP_NET_ADMIN).
#
# Usage: scripts/aiortc-compare.sh [seconds=30] [warmup=10] [modes=upload,idle] [prime=20]
#   modes: upload (2 s segments uploaded whenever the queue holds under 2.5 s: a new raw frame every
#          tick) and/or idle (the same segment set once as the idle loop; no upload in the window)
#   prime: seconds of upload on each server first, not measured (avpush's JIT warms up; 0: none)
# Env:   BUILD_DIR (default target; e.g. /tmp/build-compare), PYTHON (default /usr/bin/python3: needs
#        aiortc, av, numpy). Logs and result.json go to $BUILD_DIR/aiortc-compare/<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=$(realpath -m "${BUILD_DIR:-target}")
PYTHON="${PYTHON:-/usr/bin/python3}"
seconds=30 warmup=10 modes=upload,idle prime=20
for arg in "$@"; do
  case $arg in
    seconds=*) seconds=${arg#*=} ;;
    warmup=*) warmup=${arg#*=} ;;
    modes=*) modes=${arg#*=} ;;
    prime=*) prime=${arg#*=} ;;
    *) echo "unknown argument '$arg'; usage: $0 [seconds=30] [warmup=10] [modes=upload,idle] [prime=20]" >&2; exit 2 ;;
  esac
done
if ! "$PYTHON" -c 'import aiortc, av, numpy' 2>/dev/null; then
  echo "$PYTHON lacks aiortc, av or numpy: install Debian's python3-aiortc python3-numpy, or set PYTHON" >&2
  exit 2
fi
echo "building $BUILD_DIR/avpush.jar (mvn -o package, tests skipped) ..."
mvn -o -q -B -Davpush.buildDir="$BUILD_DIR" -Dmaven.test.skip=true package >/dev/null
touch "$BUILD_DIR/avpush.jar"  # newer than the sources now: run.sh starts it as it is
exec scripts/in-netns.sh "$PYTHON" bench/aiortc-reference/compare.py --build-dir "$BUILD_DIR" \
  --seconds "$seconds" --warmup "$warmup" --modes "$modes" --prime "$prime"
