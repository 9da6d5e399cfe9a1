package io.avpush.webrtc;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds beep onsets in received audio: a 2 ms window whose RMS rises above a quarter of full scale
 * after at least 50 ms of windows below it. An onset's time is the chunk's arrival plus the window's
 * position in the chunk (the chunk plays from its arrival on).
 */
final class BeepDetector {
    static final double THRESHOLD = 0.25 * 32768;
    static final long QUIET_NANOS = 50_000_000L;

    private final List<Long> onsets = new ArrayList<>();
    private long quietSamples;
    private int quietRate = 48_000;

    void accept(long arrivalNanos, byte[] s16, int sampleRate, int channels, int frames) {
        int window = Math.max(1, sampleRate / 500);
        quietRate = sampleRate;
        for (int start = 0; start + window <= frames; start += window) {
            double sumSquares = 0;
            for (int i = start; i < start + window; i++) {
                int at = 2 * i * channels;
                int sample = (short) ((s16[at] & 0xff) | (s16[at + 1] << 8));
                sumSquares += (double) sample * sample;
            }
            double rms = Math.sqrt(sumSquares / window);
            if (rms >= THRESHOLD) {
                if (quietSamples * 1_000_000_000L / quietRate >= QUIET_NANOS) {
                    onsets.add(arrivalNanos + start * 1_000_000_000L / sampleRate);
                }
                quietSamples = 0;
            } else {
                quietSamples += window;
            }
        }
    }

    List<Long> onsets() {
        return List.copyOf(onsets);
    }
}
