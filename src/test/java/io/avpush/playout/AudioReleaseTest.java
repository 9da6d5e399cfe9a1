package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.FrameRate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What goes out with each released frame: whole 10 ms chunks (480 samples) that end by the frame's end. */
class AudioReleaseTest {

    private static final FrameRate FPS_30 = new FrameRate(30, 1);
    private static final FrameRate FPS_2997 = new FrameRate(30000, 1001);

    @ParameterizedTest(name = "{0} fps, frame {1}: {2} chunks out, {3} with it, audio {4} ms from the video")
    @CsvSource({
        // 30 fps: frames end at 1600, 3200, 4800 samples
        "30, 0, 3, 3, -3.333",
        "30, 1, 6, 3, -6.667",
        "30, 2, 10, 4, 0.0",
        "30, 3, 13, 3, -3.333",
        // 25 fps: 1920 samples a frame, always four chunks
        "25, 0, 4, 4, 0.0",
        "25, 1, 8, 4, 0.0",
        // 50 fps: 960 samples a frame, always two chunks
        "50, 7, 16, 2, 0.0",
        // 60 fps: 800 samples, one or two chunks
        "60, 0, 1, 1, -6.667",
        "60, 1, 3, 2, -3.333",
        "60, 2, 5, 2, 0.0",
    })
    void framesInOrderReleaseTheChunksThatEndByTheirEnd(int fps, int frames, long upTo, int last, double avDiffMs) {
        AudioRelease release = new AudioRelease(new FrameRate(fps, 1));
        AudioRelease.Step step = null;
        for (int n = 0; n <= frames; n++) {
            step = release.onFrame(n);
        }
        assertEquals(upTo, step.upTo());
        assertEquals(last, step.released());
        assertEquals(avDiffMs, step.avDiffMs(), 0.001);
        assertEquals(upTo, release.chunksReleased());
    }

    @Test
    void atNtscRatesAudioNeverLeadsAndTrailsByLessThanAChunk() {
        AudioRelease release = new AudioRelease(FPS_2997);
        for (long n = 0; n < 30_000; n++) {
            AudioRelease.Step step = release.onFrame(n);
            assertTrue(step.avDiffMs() <= 0 && step.avDiffMs() > -10, "frame " + n + ": " + step.avDiffMs());
            assertEquals(AudioRelease.chunksReleasedAfterFrame(FPS_2997, n), step.upTo());
        }
        assertTrue(release.minMs() > -10 && release.maxMs() <= 0);
    }

    @Test
    void aSkippedFramesAudioGoesWithTheNext() {
        AudioRelease release = new AudioRelease(FPS_30);
        release.onFrame(0);
        AudioRelease.Step step = release.onFrame(3); // frames 1 and 2 never released
        assertEquals(13, step.upTo());
        assertEquals(10, step.released());
        long[] histogram = release.histogram();
        assertEquals(1, histogram[3], "frame 0 released three chunks");
        assertEquals(1, histogram[7], "ten chunks at once count as seven or more");
    }

    @Test
    void theHistogramCountsTicksByChunksReleased() {
        AudioRelease release = new AudioRelease(FPS_30);
        for (int n = 0; n < 30; n++) {
            release.onFrame(n);
        }
        // 30 frames = 48,000 samples = 100 chunks: in each group of three frames 3, 3, 4
        assertArrayEquals(new long[] {0, 0, 0, 20, 10, 0, 0, 0}, release.histogram());
        assertEquals(100, release.chunksReleased());
    }

    @Test
    void aWindowIsReportedOnceASecondOfFramesThenStartsAgain() {
        AudioRelease release = new AudioRelease(FPS_30);
        int windows = 0;
        for (int n = 0; n <= 90; n++) {
            AudioRelease.Step step = release.onFrame(n);
            if (n > 0 && n % 30 == 0) {
                assertNotNull(step.window(), "frame " + n);
                assertEquals(step.avDiffMs(), step.window().lastMs());
                assertEquals(-6.667, step.window().minMs(), 0.001);
                assertEquals(0.0, step.window().maxMs(), 0.001);
                windows++;
            } else {
                assertNull(step.window(), "frame " + n);
            }
        }
        assertEquals(3, windows);
    }
}
