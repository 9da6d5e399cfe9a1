#!/usr/bin/env bash
# Builds avpush and runs one node with the defaults of application.conf: the demo page is at
# http://localhost:8080/ . Installs libpulse0 (needed by the webrtc-java natives) if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! dpkg-query -W -f='${Status}' libpulse0 2>/dev/null | grep -q "install ok installed"; then
  echo "installing libpulse0 (needed by the WebRTC natives)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq libpulse0 >/dev/null
fi
[[ -f target/avpush.jar && -z "${REBUILD:-}" ]] || mvn -B -q package -DskipTests
# GC: ZGC, a concurrent collector. Queued segments are a large live set of frame-sized arrays that
# G1 and Parallel copy in every young pause (G1 paused up to 185 ms at 4 sessions, README "Figures");
# ZGC's pauses stayed under 1 ms. Generational ZGC where the JDK has it but does not default to it
# (21, 22). GC_OPTS replaces this choice, JAVA_OPTS adds flags (e.g. -Xmx4g).
if [[ -z "${GC_OPTS:-}" ]]; then
  GC_OPTS="-XX:+UseZGC"
  if java -XX:+PrintFlagsFinal -version 2>/dev/null | grep -Eq 'bool ZGenerational +=? *false'; then
    GC_OPTS="$GC_OPTS -XX:+ZGenerational"
  fi
fi
# shellcheck disable=SC2086
exec java --enable-native-access=ALL-UNNAMED $GC_OPTS ${JAVA_OPTS:-} -jar target/avpush.jar "$@"
