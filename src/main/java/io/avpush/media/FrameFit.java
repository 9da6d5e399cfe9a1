package io.avpush.media;

/**
 * Audio is master: what to show when a segment's frame count and its audio length disagree
 * (an avatar model that made 149 frames for 5.03 s of speech, or 160).
 *
 * <p>The segment lasts as long as its audio (in 48 kHz samples). It spans the frame ticks whose
 * start falls inside the audio. Tick i shows uploaded frame i; if there are fewer frames than
 * ticks the last frame is held, and frames beyond the audio are dropped. Segments always start on
 * a frame tick, so each segment's audio is padded with silence up to the start of the next free
 * tick (less than one frame). That way leftovers never pile up from one segment to the next.
 *
 * <p>Because frame starts are floored to whole samples (29.97 fps alternates 1601 and 1602
 * samples a frame), the padding of a segment depends on the tick it starts at. A caller that
 * queues segments back to back must use the {@code startTick} overloads; the overloads without
 * it describe a segment starting at tick 0 and, summed over many segments, would lose up to one
 * sample per segment.
 */
public final class FrameFit {

    private static final int RATE = AudioChunks.SAMPLE_RATE;

    private FrameFit() {}

    /**
     * Ticks whose start lies inside audio of {@code samples48k} samples starting at tick 0:
     * ceil(samples48k * num / (48000 * den)).
     * Example: 12345 samples at 30000/1001 → ceil(7.708) = 8 ticks; 1600 samples at 30/1 → 1.
     */
    public static long frameTicks(long samples48k, FrameRate fps) {
        requireNonNegative(samples48k);
        return ExactMath.mulMulDivCeil(samples48k, fps.num(), 1, RATE * fps.den());
    }

    /**
     * Ticks whose start lies inside audio of {@code samples48k} samples that begins at tick
     * {@code startTick}: the ticks t ≥ startTick with sampleIndexAtFrame(t) &lt; start + samples48k.
     * Example at 30000/1001: 1602 samples from tick 0 → 2 ticks (tick 1 starts at sample 1601);
     * from tick 1 → 1 tick (tick 1 is 3203 - 1601 = 1602 samples long). With startTick 0 this
     * equals {@link #frameTicks(long, FrameRate)}.
     */
    public static long frameTicks(long samples48k, FrameRate fps, long startTick) {
        requireNonNegative(samples48k);
        if (samples48k == 0) {
            return 0;
        }
        long startSample = fps.sampleIndexAtFrame(startTick, RATE);
        return fps.frameIndexAtSample(startSample + samples48k - 1, RATE) + 1 - startTick;
    }

    /**
     * Audio length after padding with silence to the end of the segment's last tick, for a
     * segment starting at tick 0: sampleIndexAtFrame(frameTicks).
     * Example: 12345 samples at 30000/1001 → 8 ticks → floor(12812.8) = 12812 samples.
     */
    public static long paddedSamples(long samples48k, FrameRate fps) {
        return fps.sampleIndexAtFrame(frameTicks(samples48k, fps), RATE);
    }

    /**
     * Padded audio length for a segment starting at tick {@code startTick}:
     * sampleIndexAtFrame(startTick + ticks) - sampleIndexAtFrame(startTick), so the next segment
     * starts exactly on its tick. Example: 12345 samples at 30000/1001 from tick 8 → 8 ticks →
     * 25625 - 12812 = 12813 samples.
     */
    public static long paddedSamples(long samples48k, FrameRate fps, long startTick) {
        long ticks = frameTicks(samples48k, fps, startTick);
        return fps.sampleIndexAtFrame(startTick + ticks, RATE) - fps.sampleIndexAtFrame(startTick, RATE);
    }

    /**
     * The uploaded frame to show on tick {@code tick} (counted from the segment's first tick):
     * min(tick, frameCount - 1). Returns -1 when the segment has no frames (keep what is on screen).
     * Example: 3 frames over 5 ticks → 0, 1, 2, 2, 2.
     *
     * @throws IllegalArgumentException if the tick is outside [0, frameTicks)
     */
    public static int frameForTick(int tick, int frameCount, long frameTicks) {
        if (tick < 0 || tick >= frameTicks) {
            throw new IllegalArgumentException("tick " + tick + " is outside the segment's " + frameTicks + " ticks");
        }
        if (frameCount < 0) {
            throw new IllegalArgumentException("frame count must not be negative, got " + frameCount);
        }
        return frameCount == 0 ? -1 : Math.min(tick, frameCount - 1);
    }

    private static void requireNonNegative(long samples48k) {
        if (samples48k < 0) {
            throw new IllegalArgumentException("sample count must not be negative, got " + samples48k);
        }
    }
}
