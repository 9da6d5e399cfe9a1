package io.avpush.media;

/**
 * The 10 ms, 48 kHz mono chunks libwebrtc takes through {@code CustomAudioSource.pushAudio}.
 * Everything that cuts, counts or times audio chunks uses these numbers, so a chunk index, a
 * sample index and a media time always agree.
 */
public final class AudioChunks {

    public static final int SAMPLE_RATE = 48000;
    public static final int CHUNK_SAMPLES = 480;
    public static final long CHUNK_NS = 10_000_000L;

    private AudioChunks() {}

    /**
     * The chunk that holds {@code sampleIndex}: floor(sampleIndex / 480).
     * Example: sample 959 → chunk 1, sample 960 → chunk 2, sample -1 → chunk -1.
     */
    public static long chunkIndexAtSample(long sampleIndex) {
        return Math.floorDiv(sampleIndex, CHUNK_SAMPLES);
    }

    /**
     * How many chunks it takes to hold {@code samples} samples: ceil(samples / 480).
     * Example: 480 → 1, 481 → 2, 0 → 0.
     */
    public static long chunksCoveringSamples(long samples) {
        if (samples < 0) {
            throw new IllegalArgumentException("sample count must not be negative, got " + samples);
        }
        return -Math.floorDiv(-samples, CHUNK_SAMPLES);
    }

    /**
     * Media time at which chunk {@code chunkIndex} starts: chunkIndex * 10_000_000 ns.
     * Example: chunk 150 → 1_500_000_000 ns.
     */
    public static long chunkStartNs(long chunkIndex) {
        return Math.multiplyExact(chunkIndex, CHUNK_NS);
    }
}
