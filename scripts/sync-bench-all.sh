#!/usr/bin/env bash
# The lip-sync benchmark's matrix (docs/benchmarks.md "Lip sync"): three viewers (a plain page,
# Eyevinn's WHEP player, the demo page), back to back and with 2 s of idle after each segment, on a
# clean link and through the network lab at 40 +- 15 ms one-way jitter and 1 % loss each way, and
# the plain page in Firefox ESR; SECONDS (default 300) of markers each, 29.97 fps, 512x512. Prints
# one markdown row per run (first marker ms | outside R37 all/from 3 s/from 10 s | p95 all / from
# 10 s | std all / from 10 s | drift ms/min | concealed % | flashes) after the machine line.
# Usage: scripts/sync-bench-all.sh [SECONDS]   (about 6 min a run, 14 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
net="delay=40,jitter=15,loss=1"
runs=(
  "viewer=plain" "viewer=plain gap=2000"
  "viewer=eyevinn" "viewer=eyevinn gap=2000"
  "viewer=demo" "viewer=demo gap=2000"
  "viewer=plain net=$net" "viewer=plain gap=2000 net=$net"
  "viewer=eyevinn net=$net" "viewer=eyevinn gap=2000 net=$net"
  "viewer=demo net=$net" "viewer=demo gap=2000 net=$net"
  "viewer=plain browser=firefox" "viewer=plain browser=firefox gap=2000"
)
echo "| run | first ms | outside R37 | p95 ms | std ms | drift ms/min | concealed % | flashes | first-frame latency ms |"
echo "|---|---:|---|---|---|---:|---:|---|---|"
for run in "${runs[@]}"; do
  # shellcheck disable=SC2086
  out=$(scripts/sync-bench.sh seconds="$seconds" $run 2>&1) || true
  row=$(grep -m1 '^SYNC-ROW' <<<"$out" || echo "SYNC-ROW | $run | failed: $(tail -1 <<<"$out")")
  echo "${row#SYNC-ROW }"
done
