#!/usr/bin/env bash
# Streaming start-up latency (src/bench/java/io/avpush/bench/StreamLatencyBench.java): first chunk
# sent over the WebSocket -> first frame of the streamed segment pushed to the peer, for a live
# producer (real-time 20 ms audio chunks and 512x512 frames at 30 fps), per stream-lead.
# In-process server on loopback, no WebRTC (pushes are timed, not encoded).
# Usage: scripts/stream-latency-bench.sh [runs=20] [lead=100ms,0ms]
# Env:   BUILD_DIR (default target)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-$PWD/target}"
mvn -o -q -B -Davpush.buildDir="$BUILD_DIR" test-compile dependency:build-classpath \
  -Dmdep.outputFile="$BUILD_DIR/bench-classpath.txt" -Dmdep.includeScope=test >/dev/null
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/bench-classpath.txt")"
scripts/machine.sh
exec java -cp "$CP" io.avpush.bench.StreamLatencyBench "$@"
