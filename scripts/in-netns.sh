#!/usr/bin/env bash
# Runs a command inside a new, private network namespace with a veth pair on private addresses.
#
# Why: libwebrtc never gathers ICE candidates on the loopback interface, so two peers in one
# process (or on one host) find no candidate pair over "lo" alone. A veth pair avp0/avp1 with
# 10.203.0.1/24 and 10.203.0.2/24 gives them real, private interfaces to connect over, and the
# namespace keeps the test off every external interface of the machine. Needs root (or
# CAP_SYS_ADMIN + CAP_NET_ADMIN).
#
# Usage: scripts/in-netns.sh mvn -o -q -B test -Pall -Dtest=WebRtcEngineIT
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 command [args...]" >&2
  exit 2
fi

exec unshare -n -- bash -c '
  set -euo pipefail
  ip link set lo up
  ip link add avp0 type veth peer name avp1
  ip addr add 10.203.0.1/24 dev avp0
  ip addr add 10.203.0.2/24 dev avp1
  ip link set avp0 up
  ip link set avp1 up
  exec "$@"
' in-netns "$@"
