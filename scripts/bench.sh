#!/usr/bin/env bash
# Streaming benchmark of one avpush node (src/bench/java/io/avpush/bench/StreamBench.java): the real
# server in-process, N sessions over HTTP, one in-JVM WebRTC receiver per session, 2 s segments of a
# moving 512x512 picture + 48 kHz audio uploaded continuously; prints CPU per stream-second (process
# and by thread group), frames pushed/encoded/sent/received, pacing lateness, first-frame latency,
# allocation, GC, RSS per session, upload ingestion and A/V marker offset, plus a markdown table.
#
# Runs inside a private network namespace (scripts/in-netns.sh; libwebrtc ignores loopback for ICE),
# so it needs root (or CAP_SYS_ADMIN + CAP_NET_ADMIN) and every Maven artifact already in ~/.m2.
#
# Usage: scripts/bench.sh [sessions=1,4,8] [seconds=20] [warmup=3] [markers=true|false] [prime=true|false] [prime-seconds=5]
#                         [threads=12] [ingest=true|false] [ingest-count=6] [ingest-only=false] [find-max=LO..HI] [source=upload|idle] [receivers=realtime|background]
#                         [threads-detail=true|false]
#   source:   upload (default: 2 s segments uploaded continuously) or idle (each session streams its idle
#             loop, set once by PUT .../idle: streaming cost alone; ingest then defaults to false)
#   receivers: realtime (default: libwebrtc's priorities, receivers' decoders SCHED_FIFO 98 as root) or
#             background (the receivers' threads SCHED_OTHER, nice 19: they take only what the server leaves)
#   threads-detail: lists threads by when they were born (server / receiver set-up / later) with CPU and
#             context switches per stream-second
#   markers:  extra runs at N=1 and N=max where the first session plays TestSignal markers (A/V offset)
#   prime:    a discarded run of one session first (JIT), prime-seconds long (default 5; the JIT still
#             compiles the upload path after minutes); threads: how many thread names to list per run
#   ingest:   first, upload throughput (MB/s) and server CPU per MB of one session without viewer, and decoding alone
#   ingest-count: uploads measured (default 6); ingest-only=true stops after the ingestion figures
#   find-max: instead of sessions=, runs N = LO, LO+1, ... and prints the largest N with no dropped
#             frame, no re-anchor and frame/audio push p99 < 5 ms over the window (the issue's capacity gate)
#   trace-first: prints the first session's sender stats every 10 ms after its first upload (where the first
#             frame's latency goes: encode, RTP pacing, bitrate)
# Heap is fixed and pre-touched (-Xms=-Xmx, AlwaysPreTouch), so RSS growth is off-heap (natives, buffers).
# RSS is RssAnon: ZGC maps its heap as shared memory (three times on JDK 17), which VmRSS would count.
# Env:   BUILD_DIR (default target; e.g. /tmp/build-bench), JAVA_OPTS (extra JVM flags),
#        GC_OPTS (the collector; default -XX:+UseZGC as scripts/run.sh ships it; e.g. GC_OPTS=-XX:+UseG1GC to compare),
#        BENCH_DEBUG_THREAD=<name prefix> prints per-thread CPU ticks of matching threads.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${BUILD_DIR:-$PWD/target}"
if [[ "$(getconf CLK_TCK)" != 100 ]]; then
  echo "warning: CLK_TCK is $(getconf CLK_TCK), StreamBench assumes 100 for per-thread CPU" >&2
fi
# Compile and resolve the test classpath (offline; run once with network if ~/.m2 lacks something).
mvn -o -q -B -Davpush.buildDir="$BUILD_DIR" test-compile dependency:build-classpath \
  -Dmdep.outputFile="$BUILD_DIR/bench-classpath.txt" -Dmdep.includeScope=test >/dev/null
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/bench-classpath.txt")"

scripts/machine.sh
# shellcheck disable=SC2086
exec scripts/in-netns.sh java --enable-native-access=ALL-UNNAMED -Xms3g -Xmx3g -XX:+AlwaysPreTouch ${GC_OPTS:--XX:+UseZGC} ${JAVA_OPTS:-} \
  -cp "$CP" io.avpush.bench.StreamBench "$@"
