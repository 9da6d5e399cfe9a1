package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.AudioChunks;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AudioTimelineTest {

    private static final int CHUNK = AudioChunks.CHUNK_SAMPLES; // 480
    private static final int TICK = 1600; // 30 fps at 48 kHz

    /** A clip whose sample i is i + 1 (never 0, so silence shows). */
    private static short[] clip(int samples) {
        short[] pcm = new short[samples];
        for (int i = 0; i < samples; i++) {
            pcm[i] = (short) (i + 1);
        }
        return pcm;
    }

    private static short[] samples(AudioTimeline.Chunk c) {
        return Arrays.copyOfRange(c.pcm(), c.offset(), c.offset() + CHUNK);
    }

    /**
     * The idle loop places its clip one tick's span at a time (1600 samples, not a multiple of a
     * chunk): the chunks are the clip's samples in order, and every one is a view on the clip, also
     * those that straddle two ticks.
     */
    @Test
    void aClipPlacedTickByTickIsChunkedAsOneWithoutCopies() {
        short[] clip = clip(30 * TICK);
        AudioTimeline timeline = new AudioTimeline();
        long start = 7 * TICK; // the pass starts on tick 7, chunk 23.33: the first chunk holds silence, then the clip
        for (int t = 0; t < 30; t++) {
            timeline.place(start + (long) t * TICK, clip, t * TICK, (t + 1) * TICK);
        }
        long firstWhole = (start + CHUNK - 1) / CHUNK;
        AudioTimeline.Chunk straddling = timeline.chunk(firstWhole - 1);
        short[] expected = new short[CHUNK];
        int lead = (int) (start - (firstWhole - 1) * CHUNK);
        System.arraycopy(clip, 0, expected, lead, CHUNK - lead);
        assertArrayEquals(expected, samples(straddling), "silence, then the clip's first samples");
        for (long c = firstWhole; (c + 1) * CHUNK <= start + clip.length; c++) {
            AudioTimeline.Chunk chunk = timeline.chunk(c);
            assertSame(clip, chunk.pcm(), "chunk " + c + " is a view on the clip");
            assertFalse(chunk.silent());
            assertEquals(c * CHUNK - start, chunk.offset(), "chunk " + c + " starts at its sample of the clip");
        }
    }

    /** The next pass starts again from the clip's first sample: the chunk across the two passes joins them. */
    @Test
    void aNewPassJoinsThePreviousOneInTheChunkAcrossThem() {
        short[] clip = clip(3 * TICK); // 4800 samples: 10 chunks exactly
        AudioTimeline timeline = new AudioTimeline();
        for (int pass = 0; pass < 2; pass++) {
            for (int t = 0; t < 3; t++) {
                timeline.place((long) (pass * 3 + t) * TICK + 100, clip, t * TICK, (t + 1) * TICK);
            }
        }
        // chunk 10 = samples 4800..5280: clip 4700..4800 (end of pass 0), then clip 0..380 (pass 1 starts at 4900)
        short[] expected = new short[CHUNK];
        System.arraycopy(clip, 4700, expected, 0, 100);
        System.arraycopy(clip, 0, expected, 100, 380);
        assertArrayEquals(expected, samples(timeline.chunk(10)));
        assertSame(clip, timeline.chunk(11).pcm(), "inside pass 1: a view again");
        assertEquals(5280 - 4900, timeline.chunk(11).offset());
    }

    /** An interrupt silences what follows the cut, also inside a placement that was extended tick by tick. */
    @Test
    void aCutSilencesTheRestOfAnExtendedPlacement() {
        short[] clip = clip(6 * TICK);
        AudioTimeline timeline = new AudioTimeline();
        for (int t = 0; t < 6; t++) {
            timeline.place((long) t * TICK, clip, t * TICK, (t + 1) * TICK);
        }
        timeline.cutAt(10 * CHUNK);
        assertArrayEquals(Arrays.copyOfRange(clip, 9 * CHUNK, 10 * CHUNK), samples(timeline.chunk(9)));
        assertTrue(timeline.chunk(10).silent(), "after the cut: silence");
        assertTrue(timeline.chunk(15).silent());
    }

    /** Other arrays, or the same array not continued where it ended, are placements of their own. */
    @Test
    void onlyAnExactContinuationExtendsAPlacement() {
        short[] a = clip(CHUNK * 2);
        short[] b = clip(CHUNK * 2);
        AudioTimeline timeline = new AudioTimeline();
        timeline.place(0, a, 0, CHUNK);
        timeline.place(CHUNK, b, CHUNK, 2 * CHUNK); // other array at the right place
        timeline.place(2 * CHUNK, a, 0, CHUNK); // same array, not where it left off
        assertSame(a, timeline.chunk(0).pcm());
        assertSame(b, timeline.chunk(1).pcm());
        assertEquals(CHUNK, timeline.chunk(1).offset());
        assertSame(a, timeline.chunk(2).pcm());
        assertEquals(0, timeline.chunk(2).offset());
    }
}
