#!/usr/bin/env bash
# Ingestion benchmark (src/bench/java/io/avpush/bench/IngestBench.java): the server's CPU per MB of
# raw frames uploaded or streamed, by thread group, for each kind of client: the JDK's HttpClient,
# curl -F, Python urllib and requests, Node's fetch with FormData, and the Python client streaming
# over the WebSocket. The node runs in-process with no viewer (nothing is encoded), on loopback: no
# network namespace, no root needed. Clients that are not installed fail the run: leave them out.
#
# Usage: scripts/ingest-bench.sh [clients=jdk,curl,urllib,requests,node,stream] [count=30] [warmup=30]
#                                [python=python3] [jfr=DIR]
#   count:  uploads (2 s segments of 47.4 MB) measured per client, after every client made warmup
#           uploads to another session (at most about 80 of either: a session holds 2 GiB of queued media)
#   python: the interpreter of the urllib, requests and stream clients (requests: Debian's python3-requests)
#   jfr:    records each client's measured uploads (JFR "profile") into DIR/CLIENT.jfr
# Env: BUILD_DIR (default target), JAVA_OPTS (extra JVM flags), GC_OPTS (default -XX:+UseZGC as shipped).
# On a shared machine, pin it: nice -n 19 taskset -c 1 scripts/ingest-bench.sh ... (figures in
# docs/benchmarks.md say how they were taken).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR="${BUILD_DIR:-$PWD/target}"
if [[ "$(getconf CLK_TCK)" != 100 ]]; then
  echo "warning: CLK_TCK is $(getconf CLK_TCK), IngestBench assumes 100 for per-thread CPU" >&2
fi
mvn -o -q -B -Davpush.buildDir="$BUILD_DIR" test-compile dependency:build-classpath \
  -Dmdep.outputFile="$BUILD_DIR/bench-classpath.txt" -Dmdep.includeScope=test >/dev/null
CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/bench-classpath.txt")"

scripts/machine.sh
# shellcheck disable=SC2086
exec java --enable-native-access=ALL-UNNAMED -Xms3g -Xmx3g -XX:+AlwaysPreTouch ${GC_OPTS:--XX:+UseZGC} ${JAVA_OPTS:-} \
  -cp "$CP" io.avpush.bench.IngestBench "$@"
