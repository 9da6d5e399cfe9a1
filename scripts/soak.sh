#!/usr/bin/env bash
# Soak benchmark of one avpush node (src/bench/java/io/avpush/bench/SoakBench.java): the real server
# in-process and 1,000 sessions of create → connect a webrtc-java viewer through the offer route →
# stream the demo clip → DELETE, a few at a time. Prints RSS, the native memory outside the JVM's own
# (RSS minus Native Memory Tracking's committed total) and the heap every 100 sessions, then the
# growth after the warm-up against the target bound (MET / NOT MET).
#
# Runs inside a private network namespace (scripts/in-netns.sh; libwebrtc ignores loopback for ICE),
# so it needs root (or CAP_SYS_ADMIN + CAP_NET_ADMIN) and every Maven artifact already in ~/.m2.
#
# Usage: scripts/soak.sh [sessions=1000] [seconds=1] [parallel=4] [report=100] [warmup=100] [boundKb=20]
# Env:   BUILD_DIR (default target), JAVA_OPTS (extra JVM flags, e.g. -Davpush.webrtc.release-native-refs=false
#        to measure webrtc-java's own close()), MALLOC_ARENA_MAX (glibc arenas; unset by default),
#        ALLOCATOR=jemalloc (preload Debian's libjemalloc2; scripts/run.sh and the Dockerfile keep glibc) or glibc.
# Heap is fixed and pre-touched (-Xms=-Xmx, AlwaysPreTouch), so RSS growth is off-heap.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${BUILD_DIR:-$PWD/target}"
mvn -o -q -B -Davpush.buildDir="$BUILD_DIR" test-compile dependency:build-classpath \
  -Dmdep.outputFile="$BUILD_DIR/soak-classpath.txt" -Dmdep.includeScope=test >/dev/null
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/soak-classpath.txt")"

PRELOAD=()
case "${ALLOCATOR:-glibc}" in
  glibc) ;;
  jemalloc)
    JEMALLOC="$(ldconfig -p | awk '/libjemalloc\.so\.2 .*x86-64/ {print $NF; exit}')"
    [[ -n "$JEMALLOC" ]] || { echo "ALLOCATOR=jemalloc: libjemalloc.so.2 not found (apt-get install libjemalloc2)" >&2; exit 2; }
    PRELOAD=(env "LD_PRELOAD=$JEMALLOC") ;;
  *) echo "ALLOCATOR must be glibc or jemalloc" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086
scripts/machine.sh
exec scripts/in-netns.sh "${PRELOAD[@]}" java --enable-native-access=ALL-UNNAMED -Xms1g -Xmx1g -XX:+AlwaysPreTouch -XX:+UseG1GC \
  -XX:NativeMemoryTracking=summary ${JAVA_OPTS:-} -cp "$CP" io.avpush.bench.SoakBench "$@"
