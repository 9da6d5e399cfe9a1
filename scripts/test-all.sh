#!/usr/bin/env bash
# Runs every test of avpush on a fresh Debian machine, as root: installs what the tests need
# (coturn and socat: TurnRelayIT starts its own coturn inside network namespaces; firefox-esr and
# pulseaudio: FirefoxSyncIT plays through a PulseAudio null sink; nodejs and npm, unless a node and
# npm are on the PATH: EyevinnWhepPlayerIT's third-party WHEP player, see scripts/whep-player.sh;
# Debian's python3 with venv, pip, setuptools, wheel (and its .whl for pip's offline build), numpy
# and aiortc: PythonClientTest builds and installs the Python client and watches with aiortc),
# resolves Maven and npm dependencies while the network is there, then runs the whole suite (unit,
# actor, HTTP, WebRTC and Chromium tests) inside a private network namespace, because
# libwebrtc and Chromium ignore the loopback interface for ICE (the suite includes
# ReadmeWalkthroughTest, which needs curl and jq). First it validates both compose files
# (scripts/compose-check.sh: docker-compose config, no Docker engine needed).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in libpulse0 chromium firefox-esr pulseaudio coturn socat iproute2 util-linux maven python3 \
    python3-venv python3-pip python3-setuptools python3-wheel python3-wheel-whl python3-numpy python3-aiortc \
    docker-compose curl jq; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
# openssl: the Python client's TLS test makes its certificate with it.
command -v openssl >/dev/null || missing+=(openssl)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/compose-check.sh

# Everything Maven needs, fetched outside the namespace: plugins, and surefire's JUnit provider,
# which is only resolved when a test really runs (one small pure test does it).
mvn -B -q -Pall test-compile dependency:resolve-plugins >/dev/null
mvn -B -q -Pall test -Dtest=AudioChunksTest >/dev/null
# The WHEP player from npm, into the build directory the tests use (-Davpush.buildDir, or target).
build_dir=target
for arg in "$@"; do
  if [[ "$arg" == -Davpush.buildDir=* ]]; then build_dir="${arg#-Davpush.buildDir=}"; fi
done
scripts/whep-player.sh "$build_dir" >/dev/null

# The JS viewer module's pure logic (clients/js, no packages needed).
(cd clients/js && node --test test/)

scripts/in-netns.sh mvn -o -B -Pall test "$@"

# The cluster across hosts: three avpush JVMs in their own network namespaces, a webrtc-java viewer
# through node 1 to a session on node 3, node 2 killed (docs/operations.md, "Cluster"). About a minute.
scripts/multihost-test.sh
