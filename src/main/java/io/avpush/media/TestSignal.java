package io.avpush.media;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A built-in clip that a person and a test can both judge sync on: a white flash frame and a
 * loud beep start at the same instant, once every few seconds, over a quiet tone and a picture
 * that never stands still (so the encoder keeps sending frames). Looking and listening shows
 * the offset; {@link MarkerDetector} measures it.
 */
public final class TestSignal {

    static final double TONE_HZ = 220;
    static final double TONE_AMPLITUDE = 0.05;
    static final double BEEP_HZ = 1000;
    static final double BEEP_AMPLITUDE = 0.7;
    static final int BEEP_SAMPLES = 4800; // 100 ms
    static final int FADE_SAMPLES = 96; // 2 ms raised-cosine fade in and out

    private static final int RATE = AudioChunks.SAMPLE_RATE;
    private static final int BACKGROUND = 48;
    private static final int BAR = 160;

    private TestSignal() {
    }

    /**
     * A clip of about {@code seconds} (audio padded to the end of its last frame) with marker k
     * (k = 1, 2, ...) on frame round(k * markerEverySeconds * fps) and its beep starting at
     * sampleIndexAtFrame(that frame). Markers whose 100 ms beep would not fit are left out.
     * Example: 29.97 fps, markers every 1 s → marker 1 on frame 30 at sample 48048.
     */
    public static MarkerClip markers(int width, int height, FrameRate fps, double seconds, double markerEverySeconds) {
        if (!(seconds > 0) || !(markerEverySeconds > 0)) {
            throw new IllegalArgumentException("seconds and markerEverySeconds must be positive");
        }
        long samples = Math.round(seconds * RATE);
        int frameCount = Math.toIntExact(FrameFit.frameTicks(samples, fps));
        short[] pcm = new short[Math.toIntExact(FrameFit.paddedSamples(samples, fps))];

        long[] found = new long[frameCount];
        int markerCount = 0;
        for (int k = 1; ; k++) {
            long frame = Math.round(k * markerEverySeconds * fps.num() / fps.den());
            long sample = fps.sampleIndexAtFrame(frame, RATE);
            if (frame >= frameCount || sample + BEEP_SAMPLES > pcm.length) {
                break;
            }
            if (markerCount == 0 || sample > found[markerCount - 1]) {
                found[markerCount++] = sample;
            }
        }
        long[] markerSamples = Arrays.copyOf(found, markerCount);
        writeAudio(pcm, markerSamples);
        return new MarkerClip(pcm, frames(width, height, fps, frameCount, markerSamples), width, height, fps,
                markerSamples);
    }

    /** Quiet tone everywhere, plus a faded 1 kHz beep from each marker sample. */
    private static void writeAudio(short[] pcm, long[] markerSamples) {
        double[] mix = new double[pcm.length];
        for (int n = 0; n < mix.length; n++) {
            mix[n] = TONE_AMPLITUDE * Math.sin(2 * Math.PI * TONE_HZ * n / RATE);
        }
        for (long start : markerSamples) {
            for (int i = 0; i < BEEP_SAMPLES; i++) {
                mix[(int) start + i] += BEEP_AMPLITUDE * fade(i) * Math.sin(2 * Math.PI * BEEP_HZ * i / RATE);
            }
        }
        for (int n = 0; n < mix.length; n++) {
            pcm[n] = (short) Math.round(mix[n] * 32767);
        }
    }

    /** Raised-cosine envelope over the first and last 2 ms of a beep. */
    private static double fade(int i) {
        int edge = Math.min(i, BEEP_SAMPLES - 1 - i);
        return edge >= FADE_SAMPLES ? 1 : 0.5 * (1 - Math.cos(Math.PI * edge / FADE_SAMPLES));
    }

    /** Dark grey with a light vertical bar moving right; marker frames all white. */
    private static byte[][] frames(int width, int height, FrameRate fps, int frameCount, long[] markerSamples) {
        byte[] white = I420.solid(width, height, 255, 255, 255);
        byte[] background = I420.solid(width, height, BACKGROUND, BACKGROUND, BACKGROUND);
        int barWidth = Math.max(2, width / 16);
        int barStep = Math.max(1, width / 60);
        int barY = I420.y(BAR, BAR, BAR);
        Map<Integer, byte[]> byBarPosition = new HashMap<>();
        byte[][] frames = new byte[frameCount][];
        int nextMarker = 0;
        for (int f = 0; f < frameCount; f++) {
            if (nextMarker < markerSamples.length && fps.sampleIndexAtFrame(f, RATE) == markerSamples[nextMarker]) {
                frames[f] = white;
                nextMarker++;
                continue;
            }
            int barX = (int) ((long) f * barStep % width);
            frames[f] = byBarPosition.computeIfAbsent(barX, x -> {
                byte[] frame = background.clone();
                for (int row = 0; row < height; row++) {
                    for (int col = x; col < Math.min(width, x + barWidth); col++) {
                        frame[row * width + col] = (byte) barY;
                    }
                }
                return frame;
            });
        }
        return frames;
    }
}
