#!/usr/bin/env bash
# Lip-sync benchmark: the real avpush node streams its marker clip (a white flash and a 1 kHz beep
# at the same media instant, once a second) to one viewer in a headless browser; the page dates
# every flash it displays, a PulseAudio null sink dates every beep the browser plays, and the
# figures are what that viewer would notice: every marker's offset from the first after connect,
# EBU R37, p95 |offset|, std, drift, concealed audio, first-frame latency. The viewer gets no help:
# plain is what any web developer writes, eyevinn is Eyevinn's WHEP player given the URL, demo is
# avpush's demo page (src/test/java/io/avpush/browser/SyncLab.java). With NET, the browser runs on
# a viewer host behind the network lab (a seeded userspace router, src/test/java/io/avpush/netlab).
# Runs as root inside a private network namespace (scripts/in-netns.sh); prints the machine first.
#
# Usage: scripts/sync-bench.sh [key=value ...]
#   viewer=plain|plain-whep|eyevinn|demo  (default plain)     browser=chromium|firefox (chromium)
#   seconds=300        how long the segments play (10 s each)
#   gap=0              ms of idle after each segment (0: all queued at once, back to back)
#   idle=0             ms the viewer watches the idle session before the first segment
#   fps=29.97          29.97 sweeps each flash across headless Chromium's 16.667 ms refresh grid,
#                      so the drift can average the display's quantization out
#   net=none           impairment of both directions, e.g. net=delay=40,jitter=15,loss=1
#                      (keys delay, jitter, loss, reorder, rate, queue; ms, %, kbit/s);
#   down=... up=...    or each direction on its own
#   seed=1             the lab's random seed
#   interrupts=N       instead: N interrupts of a loud tone, each timed from the interrupt's reply
#                      to silence at the loudspeaker
#   outage=MS          instead: the lab's path drops everything for MS, 10 s into the run; prints
#                      when the picture moved again after the path came back, and whether avpush
#                      still counts the viewer (a 30 s outage: it frees it)
# Results: $AVPUSH_BUILD_DIR (default ./target)/sync-bench/<time>/{figures.txt,result.json,*.log}
# Env: MVN_OPTS_EXTRA (e.g. -o).
set -euo pipefail
cd "$(dirname "$0")/.."

props=()
for arg in "$@"; do
  key=${arg%%=*}
  value=${arg#*=}
  case "$key" in
    viewer|browser|seconds|fps|seed|interrupts) props+=("-Davpush.lab.$key=$value") ;;
    outage) props+=("-Davpush.lab.outageMs=$value") ;;
    gap) props+=("-Davpush.lab.gapMs=$value") ;;
    idle) props+=("-Davpush.lab.idleFirstMs=$value") ;;
    net) props+=("-Davpush.lab.down=$value" "-Davpush.lab.up=$value") ;;
    down|up) props+=("-Davpush.lab.$key=$value") ;;
    *) echo "unknown argument '$arg' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done

BUILD_DIR=${AVPUSH_BUILD_DIR:-$PWD/target}
OUT=$BUILD_DIR/sync-bench/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
{
  scripts/machine.sh
  echo "arguments: ${*:-(defaults)}"
} | tee "$OUT/machine.txt"
echo "results in $OUT"

status=0
scripts/in-netns.sh mvn -q -B ${MVN_OPTS_EXTRA:-} test -Pall -Dtest=SyncLabIT -Dsurefire.excludedGroups=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Davpush.buildDir="$BUILD_DIR" -Davpush.lab.out="$OUT" "${props[@]}" \
  >"$OUT/mvn.log" 2>&1 || status=$?

if grep -q '^SYNC-LAB' "$OUT/mvn.log"; then
  sed -n '/^SYNC-LAB/,/^results:/p' "$OUT/mvn.log"
  grep '^SYNC-ROW' "$OUT/mvn.log" || true
else
  echo "sync-bench: no figures (maven exit $status); last lines of $OUT/mvn.log:" >&2
  tail -30 "$OUT/mvn.log" >&2
fi
exit $status
