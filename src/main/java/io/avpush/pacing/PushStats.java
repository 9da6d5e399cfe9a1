package io.avpush.pacing;

import io.avpush.metrics.Metrics;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What the pacer really pushed for one session and how late, written by the pacer thread and
 * read by status requests (and counted for the node in {@link Metrics}). Lateness is kept for
 * the last {@value #WINDOW} pushes of each kind. Pushes at least {@value #STALL_MS} ms past their
 * deadline are also kept as <em>stalls</em> (late pushes less than {@value #STALL_JOIN_MS} ms apart
 * are one stall), with the wall-clock instant they were due, so that a hiccup a viewer saw can be
 * told from one the server caused.
 */
public final class PushStats {

    static final int WINDOW = 1024;
    /** A push this late (ms) is a stall. */
    static final long STALL_MS = 10;

    private static final long STALL_NS = STALL_MS * 1_000_000;
    /** Late pushes due within this many ms of a stall's last one belong to it. */
    static final long STALL_JOIN_MS = 100;
    /** How many of the latest stalls are kept. */
    static final int STALLS_KEPT = 32;

    private final long[] frameLatenessNs = new long[WINDOW];
    private final long[] audioLatenessNs = new long[WINDOW];
    private long framesPushed;
    private long chunksPushed;
    private long lastFrameLatenessNs;
    private long lastAudioLatenessNs;
    private long stallCount;
    private final ArrayDeque<Stall> stalls = new ArrayDeque<>();
    private final LongSupplier epochMs;

    public PushStats() {
        this(System::currentTimeMillis);
    }

    /** @param epochMs the wall clock stalls are dated by (tests give their own) */
    public PushStats(LongSupplier epochMs) {
        this.epochMs = epochMs;
    }

    public synchronized void framePushed(long latenessNs) {
        frameLatenessNs[(int) (framesPushed % WINDOW)] = latenessNs;
        framesPushed++;
        lastFrameLatenessNs = latenessNs;
        if (latenessNs >= STALL_NS) {
            stalled(latenessNs, true);
        }
        Metrics.FRAMES_PUSHED.inc();
        Metrics.FRAME_LATENESS.observe(latenessNs / 1e9);
    }

    public synchronized void chunkPushed(long latenessNs) {
        audioLatenessNs[(int) (chunksPushed % WINDOW)] = latenessNs;
        chunksPushed++;
        lastAudioLatenessNs = latenessNs;
        if (latenessNs >= STALL_NS) {
            stalled(latenessNs, false);
        }
        Metrics.CHUNKS_PUSHED.inc();
        Metrics.AUDIO_LATENESS.observe(latenessNs / 1e9);
    }

    private void stalled(long latenessNs, boolean frame) {
        long dueEpochMs = epochMs.getAsLong() - latenessNs / 1_000_000;
        double lateMs = latenessNs / 1e6;
        Stall last = stalls.peekLast();
        if (last != null && dueEpochMs - last.lastDueEpochMs() <= STALL_JOIN_MS) {
            stalls.pollLast();
            stalls.addLast(new Stall(
                    Math.min(last.dueEpochMs(), dueEpochMs),
                    Math.max(last.lastDueEpochMs(), dueEpochMs),
                    Math.max(last.maxLateMs(), lateMs),
                    last.frames() + (frame ? 1 : 0),
                    last.chunks() + (frame ? 0 : 1)));
            return;
        }
        stallCount++;
        if (stalls.size() == STALLS_KEPT) {
            stalls.pollFirst();
        }
        stalls.addLast(new Stall(dueEpochMs, dueEpochMs, lateMs, frame ? 1 : 0, frame ? 0 : 1));
    }

    /** A consistent copy of the figures. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(
                framesPushed,
                chunksPushed,
                percentileMs(frameLatenessNs, framesPushed, 50),
                percentileMs(frameLatenessNs, framesPushed, 99),
                percentileMs(frameLatenessNs, framesPushed, 100),
                percentileMs(audioLatenessNs, chunksPushed, 50),
                percentileMs(audioLatenessNs, chunksPushed, 99),
                percentileMs(audioLatenessNs, chunksPushed, 100),
                (lastAudioLatenessNs - lastFrameLatenessNs) / 1e6,
                stallCount,
                List.copyOf(stalls));
    }

    private static double percentileMs(long[] ring, long count, int percentile) {
        int n = (int) Math.min(count, WINDOW);
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(ring, n);
        Arrays.sort(sorted);
        int index = Math.min(n - 1, (int) Math.ceil(percentile / 100.0 * n) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /**
     * Push figures of a session. {@code pushSkewMs} is how much later the last audio chunk was
     * pushed against its deadline than the last frame against its own (positive: audio late).
     * {@code stalls} counts every stall since the session began, {@code recentStalls} are the latest.
     */
    public record Snapshot(
            long framesPushed,
            long chunksPushed,
            double frameLatenessP50Ms,
            double frameLatenessP99Ms,
            double frameLatenessMaxMs,
            double audioLatenessP50Ms,
            double audioLatenessP99Ms,
            double audioLatenessMaxMs,
            double pushSkewMs,
            long stalls,
            List<Stall> recentStalls) {}

    /**
     * Pushes at least {@value #STALL_MS} ms late, due from {@code dueEpochMs} to {@code lastDueEpochMs}
     * (wall clock), the latest of them {@code maxLateMs} late; how many frames and audio chunks.
     */
    public record Stall(long dueEpochMs, long lastDueEpochMs, double maxLateMs, int frames, int chunks) {}
}
