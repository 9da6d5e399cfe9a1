package io.avpush.bench;

/** One thread's utime + stime in clock ticks (CLK_TCK 100, which scripts/bench.sh checks) and its /proc comm. */
record ThreadCpu(String comm, long ticks) {
    /** Ticks since {@code earlier} (the same thread's reading), all of them for a thread born since (null). */
    long ticksSince(ThreadCpu earlier) {
        return ticks - (earlier == null ? 0 : earlier.ticks);
    }
}
