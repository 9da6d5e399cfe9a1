package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AudioChunksTest {

    @ParameterizedTest
    @CsvSource({
        "0,    0,  0",
        "1,    0,  1",
        "479,  0,  1",
        "480,  1,  1",
        "481,  1,  2",
        "959,  1,  2",
        "960,  2,  2",
        "48000, 100, 100",
    })
    void chunkMath(long samples, long chunkIndex, long chunksCovering) {
        assertEquals(chunkIndex, AudioChunks.chunkIndexAtSample(samples));
        assertEquals(chunksCovering, AudioChunks.chunksCoveringSamples(samples));
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1, 10000000", "150, 1500000000", "-1, -10000000"})
    void chunkStartNs(long chunkIndex, long ns) {
        assertEquals(ns, AudioChunks.chunkStartNs(chunkIndex));
    }

    @ParameterizedTest
    @CsvSource({"-1, -1", "-480, -1", "-481, -2"})
    void negativeSamplesFloor(long sampleIndex, long chunkIndex) {
        assertEquals(chunkIndex, AudioChunks.chunkIndexAtSample(sampleIndex));
    }
}
