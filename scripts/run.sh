#!/usr/bin/env bash
# Runs one avpush node with the settings of ./application.conf: the demo page is at
# http://localhost:8080/ (AVPUSH_HTTP_PORT changes the port). Builds target/avpush.jar first when
# it is missing or older than any file of src/main or pom.xml (REBUILD=1 forces a build), showing
# each build step; the whole build log is in target/build.log. Installs libpulse0 (the WebRTC
# natives need it) if missing. Arguments are passed to the JVM's main class.
# Env: BUILD_DIR builds and runs the jar there instead of target/ (e.g. /tmp/build-x, beside another checkout's);
#      JAVA_OPTS adds JVM flags (e.g. -Xmx4g, which overrides the heap share below); GC_OPTS replaces
# the collector choice below. A node started without these settings says so at start-up (JvmCheck).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "run.sh: $*"; }

if ! dpkg-query -W -f='${Status}' libpulse0 2>/dev/null | grep -q "install ok installed"; then
  say "installing libpulse0 (needed by the WebRTC natives)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq libpulse0 >/dev/null
fi

build_dir=$(realpath -m "${BUILD_DIR:-target}")
jar=$build_dir/avpush.jar
why=""
if [[ ! -f $jar ]]; then
  why="no $jar yet"
elif [[ -n "${REBUILD:-}" ]]; then
  why="REBUILD is set"
elif newer=$(find src/main pom.xml -newer "$jar" -type f -print -quit) && [[ -n $newer ]]; then
  why="$newer is newer than $jar"
fi
if [[ -n $why ]]; then
  say "building $jar ($why); about 30 s, the first time longer while Maven downloads dependencies"
  mkdir -p "$build_dir"
  # Maven 3.8 on Debian writes stray ANSI escape codes even in batch mode: they are stripped, and
  # only the step names, errors and the result are shown.
  status=0
  mvn -B -Dstyle.color=never -Dmaven.test.skip=true -Davpush.buildDir="$build_dir" package 2>&1 | sed -u 's/\x1b\[[0-9;]*[A-Za-z]//g' | tee "$build_dir/build.log" \
    | awk '/^\[INFO\] --- /   { sub(/^\[INFO\] --- /, ""); sub(/ ---$/, ""); print "run.sh: build step " $0; fflush() }
           /^Downloading from/ && !dl { print "run.sh: downloading Maven dependencies (first build only)"; dl = 1; fflush() }
           /^\[ERROR\]/       { print; fflush() }
           /BUILD (SUCCESS|FAILURE)|Total time/ { sub(/^\[INFO\] /, ""); print "run.sh: " $0; fflush() }' || status=$?
  if ((status != 0)) || [[ ! -f $jar ]]; then
    say "the build failed; the whole log is in $build_dir/build.log"
    exit 1
  fi
fi

# GC: ZGC, a concurrent collector. Queued segments are a large live set of frame-sized arrays that
# G1 and Parallel copy in every young pause (G1 paused up to 185 ms at 4 sessions, docs/benchmarks.md
# "Garbage collector"); ZGC's pauses stayed under 1 ms. Generational ZGC where the JDK has it but
# does not default to it (21, 22).
if [[ -z "${GC_OPTS:-}" ]]; then
  GC_OPTS="-XX:+UseZGC"
  if java -XX:+PrintFlagsFinal -version 2>/dev/null | grep -Eq 'bool ZGenerational +=? *false'; then
    GC_OPTS="$GC_OPTS -XX:+ZGenerational"
  fi
fi

# Heap: three quarters of the machine's (or the container's) memory, not the JVM's default quarter:
# raw uploads are tens of MB each and queued segments hundreds, and ZGC stalls the threads that
# allocate (the pacer among them) when the heap runs short. JAVA_OPTS=-Xmx... overrides it.
HEAP_OPTS="-XX:MaxRAMPercentage=75"

port=${AVPUSH_HTTP_PORT:-8080}
addresses=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -Ev '^(127\.|::1$|fe80:|$)' || true)
say "starting avpush; the demo page will be at http://localhost:$port/"
if [[ -n $addresses ]]; then
  for a in $addresses; do
    [[ $a == *:* ]] && a="[$a]"
    say "  from other machines: http://$a:$port/"
  done
  say "media (WebRTC, UDP) flows only between the browser and these addresses, not through the HTTP port: from a"
  say "VM, a container, over an SSH tunnel or from another machine, open the page at one of the addresses above that"
  say "the browser can reach, or configure a TURN server (avpush.webrtc.ice-servers); see README.md, \"Networking\""
else
  say "WARNING: this machine has no network address but loopback; WebRTC never uses 127.0.0.1, so no browser will"
  say "get media (black video, state 'waiting-for-viewer'); give it a network interface or configure a TURN server"
fi
say "stop it with Ctrl-C (or kill $$)"
# shellcheck disable=SC2086
exec java --enable-native-access=ALL-UNNAMED $GC_OPTS $HEAP_OPTS ${JAVA_OPTS:-} -jar "$jar" "$@"
