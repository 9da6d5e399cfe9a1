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
exec java --enable-native-access=ALL-UNNAMED ${JAVA_OPTS:-} -jar target/avpush.jar "$@"
