package io.avpush.media;

import java.util.Arrays;

/**
 * Finds the flashes and beeps of a {@link TestSignal} clip again, in frames and audio that have
 * been through the pipeline (or a browser), so tests and the benchmark can measure the
 * audio-video offset in samples instead of by eye.
 */
public final class MarkerDetector {

    static final int FLASH_LUMA = 180;
    private static final int GRID = 16;

    private MarkerDetector() {}

    /**
     * True when the mean of a 16×16 grid of luma samples is above 180 (a white flash frame;
     * the test clip's normal frames are around 60). Accepts a whole I420 frame or just its Y plane.
     * Example: {@code I420.solid(w, h, 255, 255, 255)} (Y 235) → true.
     */
    public static boolean isFlash(byte[] i420OrYPlane, int width, int height) {
        if (width <= 0 || height <= 0 || i420OrYPlane.length < (long) width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " luma plane needs "
                    + (long) width * height + " bytes, got " + i420OrYPlane.length);
        }
        long sum = 0;
        for (int gy = 0; gy < GRID; gy++) {
            int row = (int) ((2L * gy + 1) * height / (2 * GRID));
            for (int gx = 0; gx < GRID; gx++) {
                int col = (int) ((2L * gx + 1) * width / (2 * GRID));
                sum += i420OrYPlane[row * width + col] & 0xFF;
            }
        }
        return sum > (long) FLASH_LUMA * GRID * GRID;
    }

    /**
     * Finds beep onsets in a 48 kHz mono s16 stream fed in chunks of any size. An onset is where
     * the RMS over the last 2 ms (96 samples) rises above 0.25 of full scale after it stayed
     * below 0.1 for at least 50 ms (the rise may pass through the zone in between); the reported index is the first sample in that 2 ms window
     * whose magnitude exceeds 0.1 of full scale. For {@link TestSignal}'s faded beep that is
     * 28 to 32 samples (about 0.6 ms) after the true start; for an abrupt beep, the first loud
     * sample. Beeps in the first 50 ms of the stream are not reported.
     * Chunks must be contiguous; their sample indices are taken as given.
     */
    public static final class BeepDetector {

        static final int WINDOW = 96;
        static final int QUIET_SAMPLES = 2400;
        private static final double FULL_SCALE = 32768;
        private static final double LOUD_SUM = Math.pow(0.25 * FULL_SCALE, 2) * WINDOW;
        private static final double QUIET_SUM = Math.pow(0.1 * FULL_SCALE, 2) * WINDOW;
        private static final int QUIET_AMPLITUDE = (int) (0.1 * FULL_SCALE);

        private final short[] window = new short[WINDOW];
        private long sumOfSquares;
        private long quietRun;
        private boolean armed;
        private long seen;
        private long[] onsets = new long[8];
        private int onsetCount;

        public void accept(short[] pcm, int offset, int length, long firstSampleIndex) {
            for (int i = 0; i < length; i++) {
                short sample = pcm[offset + i];
                int slot = (int) (seen % WINDOW);
                sumOfSquares += (long) sample * sample - (long) window[slot] * window[slot];
                window[slot] = sample;
                seen++;
                if (sumOfSquares < QUIET_SUM) {
                    armed |= ++quietRun >= QUIET_SAMPLES;
                } else {
                    quietRun = 0;
                    if (armed && sumOfSquares > LOUD_SUM) {
                        record(firstSampleIndex + i - WINDOW + 1 + firstLoudInWindow());
                        armed = false;
                    }
                }
            }
        }

        /** Onset sample indices found so far, in order. */
        public long[] onsets() {
            return Arrays.copyOf(onsets, onsetCount);
        }

        /** Position, from the oldest sample of the window, of the first sample louder than 0.1 FS. */
        private int firstLoudInWindow() {
            for (int age = 0; age < WINDOW; age++) {
                if (Math.abs(window[(int) ((seen + age) % WINDOW)]) > QUIET_AMPLITUDE) {
                    return age;
                }
            }
            return WINDOW - 1;
        }

        private void record(long sampleIndex) {
            if (onsetCount == onsets.length) {
                onsets = Arrays.copyOf(onsets, onsetCount * 2);
            }
            onsets[onsetCount++] = sampleIndex;
        }
    }
}
