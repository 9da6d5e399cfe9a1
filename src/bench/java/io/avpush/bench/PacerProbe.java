package io.avpush.bench;

import io.avpush.pacing.Pacer;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * The node's pacer as the benchmark sees it: wraps the real one and notes, for every push task,
 * when it was handed over (against its deadline), when it ran, how long it took and what it pushed
 * (the {@link TimedTransport} tells it). From that it splits each push's lateness by
 * cause: handed to the pacer after its deadline ("late release": the actors decided too late),
 * waiting behind the pushes before it ("pacer busy"), or neither (the pacer thread woke late).
 */
final class PacerProbe implements Pacer {

    static final int KIND_NONE = 0;
    static final int KIND_FRAME = 1;
    static final int KIND_AUDIO = 2;

    private final Pacer real;
    private final long frameLeadNs;
    private volatile boolean measuring;
    // Written by the pacer thread only (one thread runs every task); read after measuring stops.
    private final Rec frames = new Rec();
    private final Rec audio = new Rec();
    private int currentKind;
    private long currentCallNs;
    private long lastEndNs;

    /** @param frameLeadNs how long before its push deadline a frame is meant to reach the pacer (release-ahead + video-delay) */
    PacerProbe(Pacer real, long frameLeadNs) {
        this.real = real;
        this.frameLeadNs = frameLeadNs;
    }

    void measuring(boolean on) {
        measuring = on;
    }

    @Override
    public void at(long deadlineNs, LongConsumer task) {
        real.at(deadlineNs, probed(deadlineNs, task));
    }

    @Override
    public void parkedAt(long deadlineNs, LongConsumer task) {
        real.parkedAt(deadlineNs, probed(deadlineNs, task));
    }

    @Override
    public void wakeAt(long deadlineNs, Runnable wake) {
        real.wakeAt(deadlineNs, wake);
    }

    private LongConsumer probed(long deadlineNs, LongConsumer task) {
        long submittedNs = System.nanoTime();
        return now -> {
            long startNs = System.nanoTime();
            long previousEndNs = lastEndNs;
            currentKind = KIND_NONE;
            currentCallNs = 0;
            try {
                task.accept(now);
            } finally {
                long endNs = System.nanoTime();
                lastEndNs = endNs;
                if (measuring) {
                    Rec rec = currentKind == KIND_FRAME ? frames : currentKind == KIND_AUDIO ? audio : null;
                    if (rec != null) {
                        rec.add(deadlineNs, submittedNs, now, previousEndNs, currentCallNs, endNs - startNs);
                    }
                }
            }
        };
    }

    /** Called by the timed output on the pacer thread: what the running task pushed and how long the call took. */
    void pushed(int kind, long callNs) {
        currentKind = kind;
        currentCallNs += callNs;
    }

    void print() {
        print("frames", frames);
        if (frames.n > 0) {
            long[] releaseLate = new long[frames.n];
            for (int i = 0; i < frames.n; i++) {
                releaseLate[i] = frames.submittedNs[i] - (frames.deadlineNs[i] - frameLeadNs);
            }
            System.out.printf(
                    Locale.ROOT,
                    "    frames reached the pacer later than release-ahead + video-delay before their deadline "
                            + "(frame clock woke late + actor hops), ms p50/p99/max %s%n",
                    pct(releaseLate, frames.n));
        }
        print("audio ", audio);
    }

    /** p99 lateness (ms) of every frame (or audio) push of the measured window, all sessions together; NaN if none. */
    double lateP99Ms(boolean ofFrames) {
        Rec r = ofFrames ? frames : audio;
        if (r.n == 0) {
            return Double.NaN;
        }
        long[] late = new long[r.n];
        for (int i = 0; i < r.n; i++) {
            late[i] = r.runNs[i] - r.deadlineNs[i];
        }
        return q(sorted(late, r.n), 99) / 1e6;
    }

    private static void print(String what, Rec r) {
        if (r.n == 0) {
            return;
        }
        int n = r.n;
        long[] late = new long[n];
        long[] call = Arrays.copyOf(r.callNs, n);
        long[] task = Arrays.copyOf(r.taskNs, n);
        long[] slack = new long[n];
        int lateRelease = 0;
        int busy = 0;
        int wake = 0;
        long[] lateReleaseNs = new long[n];
        long[] busyNs = new long[n];
        long[] wakeNs = new long[n];
        for (int i = 0; i < n; i++) {
            late[i] = r.runNs[i] - r.deadlineNs[i];
            slack[i] = r.deadlineNs[i] - r.submittedNs[i];
            if (late[i] < 1_000_000) {
                continue;
            }
            if (r.submittedNs[i] > r.deadlineNs[i]) {
                lateReleaseNs[lateRelease++] = late[i];
            } else if (r.previousEndNs[i] > r.deadlineNs[i]) {
                busyNs[busy++] = late[i];
            } else {
                wakeNs[wake++] = late[i];
            }
        }
        System.out.printf(
                Locale.ROOT,
                "  pacer probe %s: %d pushes; late ms p50/p99/max %s | push call ms %s | whole task ms %s%n",
                what,
                n,
                pct(late, n),
                pct(call, n),
                pct(task, n));
        System.out.printf(
                Locale.ROOT,
                "    handed to the pacer ms before deadline: min %.2f p1 %.2f p50 %.2f%n",
                Arrays.stream(slack).min().orElse(0) / 1e6,
                q(sorted(slack, n), 1) / 1e6,
                q(sorted(slack, n), 50) / 1e6);
        System.out.printf(
                Locale.ROOT,
                "    late >= 1 ms: %d (%.2f %%) = released after deadline %d (ms p50/max %s), "
                        + "behind earlier pushes %d (%s), pacer woke late %d (%s)%n",
                lateRelease + busy + wake,
                100.0 * (lateRelease + busy + wake) / n,
                lateRelease,
                pct(lateReleaseNs, lateRelease),
                busy,
                pct(busyNs, busy),
                wake,
                pct(wakeNs, wake));
    }

    private static String pct(long[] values, int n) {
        if (n == 0) {
            return "-";
        }
        long[] s = sorted(values, n);
        return String.format(Locale.ROOT, "%.2f/%.2f/%.2f", q(s, 50) / 1e6, q(s, 99) / 1e6, s[n - 1] / 1e6);
    }

    private static long[] sorted(long[] values, int n) {
        long[] s = Arrays.copyOf(values, n);
        Arrays.sort(s);
        return s;
    }

    private static long q(long[] sorted, int percentile) {
        int i = Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)];
    }

    /** Figures of one kind of push, in arrays that grow. */
    private static final class Rec {
        int n;
        long[] deadlineNs = new long[1024];
        long[] submittedNs = new long[1024];
        long[] runNs = new long[1024];
        long[] previousEndNs = new long[1024];
        long[] callNs = new long[1024];
        long[] taskNs = new long[1024];

        void add(long deadline, long submitted, long run, long previousEnd, long call, long task) {
            if (n == deadlineNs.length) {
                int size = n * 2;
                deadlineNs = Arrays.copyOf(deadlineNs, size);
                submittedNs = Arrays.copyOf(submittedNs, size);
                runNs = Arrays.copyOf(runNs, size);
                previousEndNs = Arrays.copyOf(previousEndNs, size);
                callNs = Arrays.copyOf(callNs, size);
                taskNs = Arrays.copyOf(taskNs, size);
            }
            deadlineNs[n] = deadline;
            submittedNs[n] = submitted;
            runNs[n] = run;
            previousEndNs[n] = previousEnd;
            callNs[n] = call;
            taskNs[n] = task;
            n++;
        }
    }
}
