#!/usr/bin/env bash
# Three avpush nodes as separate JVMs (plain java -jar, env vars, loopback), then measures:
#   placement: POST /api/sessions through each node in turn (time to place and start a session),
#   crash:     kill -9 of node 3; how long until a call for its session answers 410, and until a
#              new session is created through node 1 (each polled in its own loop).
# Usage: scripts/cluster-bench.sh [sessions=30]     Env: BUILD_DIR (where target/avpush.jar is)
# Needs curl; the jar is built if missing. Ports: HTTP 18081-18083, cluster 25531-25533.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-$PWD/target}"
N="${1:-30}"
JAR="$BUILD_DIR/avpush.jar"
[[ -f "$JAR" ]] || mvn -B -q -Davpush.buildDir="$BUILD_DIR" package -DskipTests
scripts/machine.sh
LOGS=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
now_ms() { date +%s%3N; }

for i in 1 2 3; do
  AVPUSH_HOST=127.0.0.1 AVPUSH_HTTP_PORT=$((18080 + i)) AVPUSH_CLUSTER_PORT=$((25530 + i)) \
  AVPUSH_SEED_NODES=127.0.0.1:25531,127.0.0.1:25532 \
    java -Xmx256m --enable-native-access=ALL-UNNAMED -jar "$JAR" >"$LOGS/node$i.log" 2>&1 &
  PIDS+=($!)
done
start=$(now_ms)
for i in 1 2 3; do
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((18080 + i))/health/ready")" == 200 ]]; do
    sleep 0.2
    (( $(now_ms) - start < 120000 )) || { echo "node $i not ready; log: $LOGS/node$i.log"; exit 1; }
  done
done
echo "3 nodes ready after $(( $(now_ms) - start )) ms (JVM start, WebRTC engine, cluster join); logs in $LOGS"

# Placement: sessions through nodes 1, 2, 3 in turn; each lands on the least loaded node.
times=()
for ((k = 0; k < N; k++)); do
  port=$((18081 + k % 3))
  t=$(curl -s -o "$LOGS/created" -w '%{time_total}' -XPOST "http://127.0.0.1:$port/api/sessions" -d '{"width":64,"height":64}')
  grep -q sessionId "$LOGS/created" || { echo "create failed: $(cat "$LOGS/created")"; exit 1; }
  times+=("$t")
done
curl -s http://127.0.0.1:18081/api/cluster | grep -o '"tag":"[a-z0-9]*"[^}]*"sessions":[0-9]*' | sed 's/"httpUrl":[^,]*,//' | tr -d '"' | sed 's/^/  /'
printf '%s\n' "${times[@]}" | sort -n | awk -v n="$N" '{ a[NR] = $1 * 1000 } END {
  printf "placement: %d sessions, time to place p50 %.1f ms, p90 %.1f ms, max %.1f ms\n", n, a[int(n * 0.5) + 1], a[int(n * 0.9) + 1], a[n] }'

# Crash: a session on node 3, then kill -9 node 3.
victim=""
for k in 1 2 3 4 5 6; do
  [[ -z "$victim" ]] || break
  id=$(curl -s -XPOST http://127.0.0.1:18083/api/sessions -d '{"width":64,"height":64}' | grep -o '"sessionId":"[^"]*"' | cut -d'"' -f4)
  tag3=$(curl -s http://127.0.0.1:18083/api/cluster | grep -o '"selfTag":"[^"]*"' | cut -d'"' -f4)
  [[ "$id" == "$tag3"-* ]] && victim=$id
done
[[ -n "$victim" ]] || { echo "no session landed on node 3"; exit 1; }
kill -9 "${PIDS[2]}"
crash=$(now_ms)
(
  while true; do
    code=$(curl -s -m 15 -o "$LOGS/lost" -w '%{http_code}' "http://127.0.0.1:18082/api/sessions/$victim")
    [[ "$code" == 410 ]] && { echo "crash: a call for the dead node's session answered 410 after $(( $(now_ms) - crash )) ms"; break; }
    sleep 0.1
  done
) &
lost=$!
(
  while true; do
    code=$(curl -s -m 15 -o /dev/null -w '%{http_code}' -XPOST http://127.0.0.1:18081/api/sessions -d '{"width":64,"height":64}')
    [[ "$code" == 201 ]] && { echo "crash: first new session after the crash created after $(( $(now_ms) - crash )) ms"; break; }
    sleep 0.1
  done
) &
created=$!
wait "$lost" "$created"
echo "  410 body: $(cat "$LOGS/lost")"
removed=$(grep -m1 -i "Marking unreachable\|SBR took decision\|Leader is removing" "$LOGS/node1.log" | cut -c1-160 || true)
echo "  node 1 log: $removed"
