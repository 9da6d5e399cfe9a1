#!/usr/bin/env bash
# Installs the third-party WHEP player EyevinnWhepPlayerIT plays avpush with: Eyevinn's
# @eyevinn/webrtc-player, pinned with its lockfile in src/test/whep-player/, installed by `npm ci`
# into BUILD_DIR/whep-player (never into src/) and bundled there by esbuild (pinned in the same
# package.json; the package ships CommonJS only) into one script for a plain page,
# BUILD_DIR/whep-player/webrtc-player.js. Needs the npm registry, so run it before entering a
# network namespace; scripts/test-all.sh does. Installs Debian's nodejs and npm if missing (root).
#
# Usage: scripts/whep-player.sh [BUILD_DIR]   (default: target, as the pom's avpush.buildDir)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-target}"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "installing nodejs and npm (for the WHEP player test)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

dest="$build_dir/whep-player"
mkdir -p "$dest"
cp src/test/whep-player/package.json src/test/whep-player/package-lock.json "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build -- --log-level=warning)
echo "WHEP player bundled: $dest/webrtc-player.js"
