package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TickPolicyTest {

    private static final long MS = 1_000_000L;
    private final TickPolicy policy = new TickPolicy(new FrameRate(30, 1), 25 * MS, 50 * MS);

    @ParameterizedTest(name = "wake at {0} ns, next frame {1} -> frames [{2},{3}), reanchored {4}")
    @CsvSource({
        // on time: frame 0 due at 0 is released from -25 ms
        "-25000000, 0, 0, 1, false",
        // early wake: nothing yet, frame 1 is released from 8.33 ms
        "0, 1, 1, 1, false",
        "8333334, 1, 1, 2, false",
        // 40 ms late for frame 1 (due 33.33): frames 1 and 2 go together (catch-up)
        "48333334, 1, 1, 3, false",
        // 300 ms stall: re-anchored, only the next frame goes now
        "308333334, 1, 1, 2, true",
    })
    void releasesDueFramesAndReanchorsAfterAStall(long nowNs, long nextFrame, long from, long to, boolean reanchored) {
        TickPolicy.Decision d = policy.decide(nowNs, 0, nextFrame);
        assertEquals(from, d.fromFrame());
        assertEquals(to, d.toFrameExclusive());
        assertEquals(reanchored, d.reanchored());
    }

    @Test
    void reanchoredClockMakesTheNextFrameDueNowPlusTheLead() {
        TickPolicy.Decision d = policy.decide(1_000 * MS, 0, 10);
        assertTrue(d.reanchored());
        assertEquals(1_000 * MS + 25 * MS, d.anchorNs() + policy.fps().frameStartNs(10));
    }

    /**
     * Ten simulated minutes at 29.97 fps: wake-ups jittered by up to 12 ms, one 300 ms stall at 5
     * minutes. Every frame is released exactly once and in order, audio after every tick trails the
     * video by less than one chunk, and every chunk's push instant keeps its exact media distance to
     * its frame's push instant (what the viewer's lip sync depends on), with one re-anchor only.
     */
    @Test
    void tenMinutesOfJitteredAndStalledWakeupsKeepAudioWithinOneChunkOfVideo() {
        FrameRate fps = new FrameRate(30000, 1001);
        TickPolicy p = new TickPolicy(fps, 25 * MS, 50 * MS);
        Random random = new Random(42);
        long now = 0;
        long anchor = 25 * MS;
        long nextFrame = 0;
        long chunksOut = 0;
        long reanchors = 0;
        long end = 600_000 * MS;
        boolean stalled = false;
        while (now < end) {
            TickPolicy.Decision d = p.decide(now, anchor, nextFrame);
            if (d.reanchored()) {
                reanchors++;
            }
            anchor = d.anchorNs();
            for (long f = d.fromFrame(); f < d.toFrameExclusive(); f++) {
                assertEquals(nextFrame, f, "frames are released once and in order");
                long frameDueNs = anchor + fps.frameStartNs(f);
                assertTrue(frameDueNs >= now, "a released frame is never already overdue after catch-up/re-anchor");
                long upTo = AudioRelease.chunksReleasedAfterFrame(fps, f);
                long videoEnd = fps.sampleIndexAtFrame(f + 1, AudioChunks.SAMPLE_RATE);
                long gap = videoEnd - upTo * AudioChunks.CHUNK_SAMPLES;
                assertTrue(gap >= 0 && gap < AudioChunks.CHUNK_SAMPLES, "audio within one chunk of video, gap " + gap);
                for (long c = chunksOut; c < upTo; c++) {
                    long chunkDueNs = frameDueNs + AudioChunks.chunkStartNs(c) - fps.frameStartNs(f);
                    // the exact media distance (rational ns), against the integer deadline
                    double exactMediaNs = c * 10_000_000.0 - f * 1_001_000_000.0 / 30.0;
                    assertTrue(
                            Math.abs((chunkDueNs - frameDueNs) - exactMediaNs) <= 1.0,
                            "chunk " + c + " keeps its media distance to frame " + f);
                }
                chunksOut = upTo;
                nextFrame = f + 1;
            }
            long sleepNs = Math.max(0, d.nextWakeNs() - now) + random.nextInt(12) * MS;
            if (!stalled && now > 300_000 * MS) {
                sleepNs += 300 * MS;
                stalled = true;
            }
            now += sleepNs;
        }
        assertEquals(1, reanchors, "only the 300 ms stall re-anchors the clock");
        long expectedFrames = fps.frameIndexAtNs(end - 300 * MS) - 2;
        assertTrue(nextFrame >= expectedFrames, "no frames lost: " + nextFrame + " >= " + expectedFrames);
    }
}
