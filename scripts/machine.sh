#!/usr/bin/env bash
# Prints the machine a benchmark runs on, as every benchmark's first lines: CPU model, cores
# available, kernel, memory, load average before the run, the commit measured and the time (UTC).
# Example: machine: AMD EPYC 7B13, 2 cores, kernel 6.1.0-27-cloud-amd64, 23 GiB; load before: 0.46 1.01 1.31
#          commit 59082d5 (with changes); 2026-12-06T10:14:12Z
# Usage: scripts/machine.sh   (sourced or run by scripts/*bench*.sh and scripts/soak.sh)
model=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | xargs)
memory=$(awk '/^MemTotal:/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo 2>/dev/null)
echo "machine: ${model:-unknown CPU}, $(nproc) cores, kernel $(uname -r), ${memory:-unknown memory}; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
commit=$(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)
changes=$(git -C "$(dirname "$0")/.." diff --quiet HEAD 2>/dev/null || echo ' (with changes)')
echo "commit $commit$changes; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
