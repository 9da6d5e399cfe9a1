#!/usr/bin/env bash
# Validates both compose files without a Docker engine: docker-compose config must accept each with
# AVPUSH_TOKEN_SECRET set (a dummy value: nothing is started) and refuse each without it, naming the
# variable, so that no deployment from them can start with no viewer-token secret. Installs Debian's
# docker-compose (1.29) when no docker-compose is on the PATH (as root; else asks for sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v docker-compose >/dev/null; then
  echo "compose-check: installing docker-compose"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi
failed=0
for file in docker-compose.single.yml docker-compose.yml; do
  if ! out=$(AVPUSH_TOKEN_SECRET=compose-check-dummy-secret-of-32-characters docker-compose -f "$file" config -q 2>&1); then
    echo "compose-check: $file is not valid: $out" >&2
    failed=1
  fi
  if out=$(env -u AVPUSH_TOKEN_SECRET docker-compose -f "$file" config -q 2>&1) || [[ $out != *AVPUSH_TOKEN_SECRET* ]]; then
    echo "compose-check: $file must refuse to run without AVPUSH_TOKEN_SECRET, naming it; got: ${out:-no error}" >&2
    failed=1
  fi
done
((failed == 0)) && echo "compose-check: docker-compose.single.yml and docker-compose.yml are valid and need AVPUSH_TOKEN_SECRET"
exit "$failed"
