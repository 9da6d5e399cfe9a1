package io.avpush.media;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A built-in clip that a person and a test can both judge sync on: a white flash frame and a
 * loud beep start at the same instant, once every few seconds, over a quiet murmur and a picture
 * that never stands still (so the encoder keeps sending frames). Looking and listening shows
 * the offset; {@link MarkerDetector} measures it.
 */
public final class TestSignal {

    /** The murmur's voice: 150 Hz, one period exactly 320 samples at 48 kHz. */
    static final int MURMUR_PERIOD_SAMPLES = 320;

    static final int MURMUR_HARMONICS = 20;
    /** Syllables a second: the murmur swells and fades like speech, 12,000 samples a syllable. */
    static final double MURMUR_SYLLABLES_HZ = 4;

    static final double MURMUR_AMPLITUDE = 0.045;
    static final double BEEP_HZ = 1000;
    static final double BEEP_AMPLITUDE = 0.7;
    static final int BEEP_SAMPLES = 4800; // 100 ms
    static final int FADE_SAMPLES = 96; // 2 ms raised-cosine fade in and out

    static final double FLASH_SECONDS = 0.1; // a flash of the demo lasts as long as its beep
    private static final int RATE = AudioChunks.SAMPLE_RATE;
    private static final int BACKGROUND = 48;
    private static final int BAR = 160;

    private TestSignal() {}

    /**
     * A clip of about {@code seconds} (audio padded to the end of its last frame) with marker k
     * (k = 1, 2, ...) on frame round(k * markerEverySeconds * fps) and its beep starting at
     * sampleIndexAtFrame(that frame). Markers whose 100 ms beep would not fit are left out.
     * Example: 29.97 fps, markers every 1 s → marker 1 on frame 30 at sample 48048.
     */
    public static MarkerClip markers(int width, int height, FrameRate fps, double seconds, double markerEverySeconds) {
        return markers(width, height, fps, seconds, markerEverySeconds, 1);
    }

    /**
     * As above, with each flash lasting {@code flashFrames} frames (cut short by the next marker):
     * its first frame all white, the others white with the moving bar and the left eighth of the
     * picture dark. Every flash frame passes {@link MarkerDetector#isFlash}; a browser page that
     * misses frames can still tell whether the one it saw was the flash's first (left edge white)
     * and so whether its display time is the flash's start. Example: 30 fps, 3 flash frames →
     * marker 1 on frames 30 (all white), 31 and 32 (white, left edge dark).
     */
    public static MarkerClip markers(
            int width, int height, FrameRate fps, double seconds, double markerEverySeconds, int flashFrames) {
        if (!(seconds > 0) || !(markerEverySeconds > 0)) {
            throw new IllegalArgumentException("seconds and markerEverySeconds must be positive");
        }
        if (flashFrames < 1) {
            throw new IllegalArgumentException("a flash lasts at least one frame, not " + flashFrames);
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
        return new MarkerClip(
                pcm,
                frames(width, height, fps, frameCount, markerSamples, flashFrames),
                width,
                height,
                fps,
                markerSamples);
    }

    /** Frames of a flash as long as its beep (100 ms), at least one. Example: 30 fps → 3, 10 fps → 1. */
    public static int flashFramesFor(FrameRate fps) {
        return (int) Math.max(1, Math.round(FLASH_SECONDS * fps.fps()));
    }

    private static final double[] VOICE = voicePeriod();

    /**
     * The bed under the beeps at sample n: a quiet murmur that codecs treat as speech (a 150 Hz
     * voice with 20 harmonics falling as 1/k, swelling and fading four times a second, peaks 0.08
     * of full scale: below the 0.1 that beep detectors take for quiet, far below a beep's 0.7).
     * A steady tone would not do: Opus codes in-band FEC only for what its voice detector calls
     * active, so a tone's lost packets are concealed where speech's are recovered, and a test on
     * it would not see what a viewer of speech gets.
     * Example: sample 0 (a syllable's start) is 0; sample 6000 (its peak) is 0.045 × the voice.
     */
    static double murmur(long n) {
        double swell = 0.5 * (1 - Math.cos(2 * Math.PI * MURMUR_SYLLABLES_HZ * n / RATE));
        return MURMUR_AMPLITUDE * swell * VOICE[(int) (n % MURMUR_PERIOD_SAMPLES)];
    }

    private static double[] voicePeriod() {
        double[] period = new double[MURMUR_PERIOD_SAMPLES];
        for (int i = 0; i < period.length; i++) {
            for (int k = 1; k <= MURMUR_HARMONICS; k++) {
                period[i] += Math.sin(2 * Math.PI * k * i / MURMUR_PERIOD_SAMPLES) / k;
            }
        }
        return period;
    }

    /** The murmur everywhere, plus a faded 1 kHz beep from each marker sample. */
    private static void writeAudio(short[] pcm, long[] markerSamples) {
        double[] mix = new double[pcm.length];
        for (int n = 0; n < mix.length; n++) {
            mix[n] = murmur(n);
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

    /**
     * Dark grey with a light vertical bar moving right; a marker's first frame all white, the rest
     * of its flash white with the bar and a dark left edge (1/8 of the width).
     */
    private static byte[][] frames(
            int width, int height, FrameRate fps, int frameCount, long[] markerSamples, int flashFrames) {
        byte[] white = I420.solid(width, height, 255, 255, 255);
        byte[] background = I420.solid(width, height, BACKGROUND, BACKGROUND, BACKGROUND);
        int barWidth = Math.max(2, width / 16);
        int barStep = Math.max(1, width / 60);
        int edgeWidth = Math.max(1, width / 8);
        int barY = I420.y(BAR, BAR, BAR);
        int edgeY = I420.y(BACKGROUND, BACKGROUND, BACKGROUND);
        Map<Integer, byte[]> byBarPosition = new HashMap<>();
        Map<Integer, byte[]> flashByBarPosition = new HashMap<>();
        byte[][] frames = new byte[frameCount][];
        int nextMarker = 0;
        int flashLeft = 0;
        for (int f = 0; f < frameCount; f++) {
            if (nextMarker < markerSamples.length && fps.sampleIndexAtFrame(f, RATE) == markerSamples[nextMarker]) {
                frames[f] = white;
                nextMarker++;
                flashLeft = flashFrames - 1;
                continue;
            }
            int barX = (int) ((long) f * barStep % width);
            if (flashLeft > 0) {
                flashLeft--;
                frames[f] = flashByBarPosition.computeIfAbsent(barX, x -> {
                    byte[] frame = withBar(white, width, height, x, barWidth, barY);
                    fillColumns(frame, width, height, 0, edgeWidth, edgeY);
                    return frame;
                });
                continue;
            }
            frames[f] = byBarPosition.computeIfAbsent(barX, x -> withBar(background, width, height, x, barWidth, barY));
        }
        return frames;
    }

    private static byte[] withBar(byte[] base, int width, int height, int x, int barWidth, int barY) {
        byte[] frame = base.clone();
        fillColumns(frame, width, height, x, Math.min(width, x + barWidth), barY);
        return frame;
    }

    /** Sets the luma of columns [from, to) of every row. */
    private static void fillColumns(byte[] i420, int width, int height, int from, int to, int y) {
        for (int row = 0; row < height; row++) {
            for (int col = from; col < to; col++) {
                i420[row * width + col] = (byte) y;
            }
        }
    }
}
