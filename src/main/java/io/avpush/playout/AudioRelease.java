package io.avpush.playout;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;

/**
 * How much audio goes out with each released frame, and its accounting: every 10 ms chunk that
 * ends at or before the end of the released frame, so the audio position is always within one
 * chunk behind the video position, whatever the ticks' timing. Pure, one of the rules
 * {@link Playout} puts together.
 *
 * <p>Example: 30 fps at 48 kHz, frame 0 ends at sample 1600: 3 chunks (1440 samples) are out and
 * audio trails by 160 samples (−3.33 ms); frame 1 ends at 3200: 3 more (2880, −6.67 ms); frame 2
 * ends at 4800: 4 more (4800, 0 ms).
 */
public final class AudioRelease {

    /**
     * One frame's release.
     *
     * @param upTo chunks out in all once the frame is released
     * @param released chunks released with this frame (0 when none ends within it)
     * @param avDiffMs audio position minus video position after it, ms: in (−10, 0]
     * @param window once a second of frames: the last, smallest and largest difference of that second
     *     (then the next second starts), else null
     */
    public record Step(long upTo, int released, double avDiffMs, Window window) {}

    /** The audio−video release difference over about one second of frames, ms. */
    public record Window(double lastMs, double minMs, double maxMs) {}

    /** Ticks released 0, 1, 2, … 7 or more chunks: the histogram's length. */
    static final int HISTOGRAM_BINS = 8;

    private final FrameRate fps;
    private final long windowFrames;
    private final long[] chunksPerTick = new long[HISTOGRAM_BINS];
    private long chunksReleased;
    private int lastReleased;
    private double avDiffMs;
    private double minMs;
    private double maxMs;
    private double windowMinMs;
    private double windowMaxMs;

    public AudioRelease(FrameRate fps) {
        this.fps = fps;
        this.windowFrames = Math.max(1, Math.round(fps.fps()));
    }

    /** Chunks out in all once frame {@code n} is released: those that end by the frame's end. */
    public static long chunksReleasedAfterFrame(FrameRate fps, long n) {
        return Math.floorDiv(fps.sampleIndexAtFrame(n + 1, AudioChunks.SAMPLE_RATE), AudioChunks.CHUNK_SAMPLES);
    }

    /** Releases frame {@code n}'s audio; frames come in order, a skipped frame's audio goes with the next. */
    public Step onFrame(long n) {
        long upTo = chunksReleasedAfterFrame(fps, n);
        int released = (int) Math.max(0, upTo - chunksReleased);
        chunksReleased = Math.max(chunksReleased, upTo);
        lastReleased = released;
        chunksPerTick[Math.min(released, HISTOGRAM_BINS - 1)]++;
        long videoEndSample = fps.sampleIndexAtFrame(n + 1, AudioChunks.SAMPLE_RATE);
        avDiffMs = (chunksReleased * AudioChunks.CHUNK_SAMPLES - videoEndSample) * 1000.0 / AudioChunks.SAMPLE_RATE;
        minMs = Math.min(minMs, avDiffMs);
        maxMs = Math.max(maxMs, avDiffMs);
        windowMinMs = Math.min(windowMinMs, avDiffMs);
        windowMaxMs = Math.max(windowMaxMs, avDiffMs);
        Window window = null;
        if (n > 0 && n % windowFrames == 0) {
            window = new Window(avDiffMs, windowMinMs, windowMaxMs);
            windowMinMs = avDiffMs;
            windowMaxMs = avDiffMs;
        }
        return new Step(chunksReleased, released, avDiffMs, window);
    }

    public long chunksReleased() {
        return chunksReleased;
    }

    public int lastReleased() {
        return lastReleased;
    }

    public long[] histogram() {
        return chunksPerTick.clone();
    }

    public double avDiffMs() {
        return avDiffMs;
    }

    public double minMs() {
        return minMs;
    }

    public double maxMs() {
        return maxMs;
    }
}
