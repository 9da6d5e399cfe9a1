#!/usr/bin/env bash
# Multi-host check of the cluster: three avpush JVMs, each in its own network namespace
# (10.204.0.1-3, joined by veth pairs to a bridge), and a webrtc-java viewer on the bridge
# (10.204.0.100). The viewer connects through node 1 to a session served by node 3, receives media
# from node 3, node 2 is killed (kill -9), the viewer must keep receiving without a gap, and a new
# session must be created (src/bench/java/io/avpush/webrtc/MultiHostCheck.java).
#
# Everything runs inside a private network namespace made with unshare, so the machine's own
# interfaces are never touched; the three node namespaces live inside it. Needs root.
# Usage: scripts/multihost-test.sh      Env: BUILD_DIR (default target)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-$PWD/target}"
# Always rebuilt: a jar left from an older checkout would test old code.
mvn -B -q -Davpush.buildDir="$BUILD_DIR" package -DskipTests
mvn -o -q -B -Davpush.buildDir="$BUILD_DIR" test-compile dependency:build-classpath \
  -Dmdep.outputFile="$BUILD_DIR/multihost-classpath.txt" -Dmdep.includeScope=test >/dev/null
export CP="$BUILD_DIR/test-classes:$BUILD_DIR/classes:$(cat "$BUILD_DIR/multihost-classpath.txt")"
export JAR="$BUILD_DIR/avpush.jar"
# The jar's configuration: every pekko.* setting of avpush (avpush-pekko.conf) must still hold
# after the shade plugin concatenated the reference.conf files (Pekko's defaults come last there).
java -cp "$JAR:$BUILD_DIR/test-classes" io.avpush.config.PackagedConfigCheck
export LOGS; LOGS=$(mktemp -d)
echo "logs in $LOGS"

exec unshare -n -- bash -c '
  set -euo pipefail
  ip link set lo up
  ip link add avpbr type bridge
  ip addr add 10.204.0.100/24 dev avpbr
  ip link set avpbr up
  NS=()
  PIDS=()
  cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for n in "${NS[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  }
  trap cleanup EXIT
  for i in 1 2 3; do
    ns="avp-$$-n$i"
    ip netns add "$ns"; NS+=("$ns")
    ip link add "avph$i" type veth peer name "avpn$i"
    ip link set "avpn$i" netns "$ns"
    ip link set "avph$i" master avpbr
    ip link set "avph$i" up
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip addr add "10.204.0.$i/24" dev "avpn$i"
    ip netns exec "$ns" ip link set "avpn$i" up
    ip netns exec "$ns" env AVPUSH_HOST="10.204.0.$i" AVPUSH_HTTP_HOST="10.204.0.$i" AVPUSH_HTTP_PORT=8080 \
      AVPUSH_CLUSTER_PORT=25520 AVPUSH_SEED_NODES=10.204.0.1:25520,10.204.0.2:25520 \
      java -Xmx256m --enable-native-access=ALL-UNNAMED -jar "$JAR" >"$LOGS/node$i.log" 2>&1 &
    PIDS+=($!)
  done
  start=$(date +%s)
  for i in 1 2 3; do
    until [[ "$(curl -s -o /dev/null -w "%{http_code}" "http://10.204.0.$i:8080/health/ready")" == 200 ]]; do
      sleep 0.5
      (( $(date +%s) - start < 180 )) || { echo "node $i not ready; see $LOGS/node$i.log"; exit 1; }
    done
  done
  echo "3 nodes ready after $(( $(date +%s) - start )) s"
  java --enable-native-access=ALL-UNNAMED -cp "$CP" io.avpush.webrtc.MultiHostCheck \
    http://10.204.0.1:8080 http://10.204.0.2:8080 http://10.204.0.3:8080 10.204.0.3 "${PIDS[1]}"
'
