#!/usr/bin/env bash
# Lip-sync benchmark: the real avpush node streams its marker clip to headless Chromium for
# SECONDS (default 600) and prints what a viewer would notice: offset p50/p95/max, drift,
# max step, markers outside EBU R37, dropped frames, concealed audio, first-frame latency.
# It is ChromiumSyncIT run for longer, inside a private network namespace (see in-netns.sh);
# not part of the normal test run. Runs of different length or code are comparable; the
# absolute zero of the offset is not calibrated (see the comment in ChromiumSyncIT).
#
# Usage: scripts/sync-bench.sh [SECONDS] [PAGE_QUERY]
#   PAGE_QUERY is appended to measure.html's URL, e.g. '&gapMs=2000' (every segment from idle,
#   so every segment gives a first-frame latency) or '&jbt=120' (receiver jitterBufferTarget), or
#   '&jbt=120&fps=29.97': at 29.97 fps the content sweeps across headless Chromium's 16.666 ms
#   refresh grid every ~16 s, so the figures can average each flash's refresh quantization out
#   ("quantization averaged out: drift, max step"); at 30 fps that takes ~7 minutes (SyncFigures).
# The page queues a back-to-back run's segments up front, so the session's queue limit
# (avpush.limits.max-queued-duration, 600 s by default) is raised to the run's length + 2 min:
# at 29.97 fps 60 segments are 600.6 s and the 60th was refused (429) once.
# Env: AVPUSH_BUILD_DIR (Maven build directory, default ./target); MVN_OPTS_EXTRA (e.g. -o).
# Results: $AVPUSH_BUILD_DIR/sync-bench/<time>/{result.json,figures.txt,chromium.log,mvn.log}
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN=${1:-600}
QUERY=${2:-&jbt=120}
BUILD_DIR=${AVPUSH_BUILD_DIR:-$PWD/target}
OUT=$BUILD_DIR/sync-bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
echo "sync-bench: ${SECONDS_TO_RUN} s, results in $OUT"

status=0
scripts/in-netns.sh mvn -q -B ${MVN_OPTS_EXTRA:-} test -Pall -Dtest=ChromiumSyncIT -Dsurefire.failIfNoSpecifiedTests=false \
  -Davpush.buildDir="$BUILD_DIR" -Davpush.sync.seconds="$SECONDS_TO_RUN" -Davpush.sync.out="$OUT" \
  -Davpush.sync.query="$QUERY" -Davpush.sync.listen="${AVPUSH_LISTEN:-false}" \
  -Davpush.limits.max-queued-duration="$((SECONDS_TO_RUN + 120))s" >"$OUT/mvn.log" 2>&1 || status=$?

grep -E '^page: ' "$OUT/mvn.log" | tail -5 || true
if [[ -f "$OUT/figures.txt" ]]; then
  cat "$OUT/figures.txt"
else
  echo "sync-bench: no figures (maven exit $status); last lines of $OUT/mvn.log:" >&2
  tail -30 "$OUT/mvn.log" >&2
fi
[[ $status -eq 0 ]] || echo "sync-bench: the test's assertions or run failed (maven exit $status); see $OUT/mvn.log" >&2
exit $status
