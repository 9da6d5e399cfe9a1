package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A streamed segment tick by tick at 30 fps (1600 samples a tick), 100 ms lead (4800 samples). */
class LiveSegmentTest {

    private static final long TICK = 1600;

    private static LiveSegment segment() {
        return new LiveSegment("w1", true, true, 4800, TICK);
    }

    /** {@code n} samples, each holding its own index in the stream (mod 32768). */
    private static short[] audio(long from, int n) {
        short[] pcm = new short[n];
        for (int i = 0; i < n; i++) {
            pcm[i] = (short) ((from + i) % 32768);
        }
        return pcm;
    }

    private static byte[] frame(int k) {
        return new byte[] {(byte) k};
    }

    @ParameterizedTest
    @CsvSource({
        "4799, 3, false", // audio one sample short of the lead
        "4800, 2, true", // frames 0..2 cover 0..4800: the last frame (3200) + a tick reaches the lead
        "4800, 1, false", // frames 0..1 cover only up to 3200
        "9600, 3, true"
    })
    void startsOnceTheLeadOfBothKindsHasArrived(int samples, int lastFrame, boolean startable) {
        LiveSegment s = segment();
        s.appendAudio(audio(0, samples));
        for (int k = 0; k <= lastFrame; k++) {
            s.appendFrame(k * TICK, frame(k));
        }
        assertEquals(startable, s.startable());
    }

    @Test
    void aClosedSegmentStartsWhateverItHolds() {
        LiveSegment s = segment();
        s.appendAudio(audio(0, 100));
        assertFalse(s.startable());
        s.close();
        assertTrue(s.startable());
    }

    @Test
    void eachTickPlaysItsAudioAndTheFrameNearestItsStart() {
        LiveSegment s = segment();
        s.appendAudio(audio(0, 3 * 1600));
        // frames at 25 fps (1920 samples apart): ticks at 0, 1600, 3200 show frames 0, 1 (1920 <= 2400), 2 (3840 <=
        // 4000)
        for (int k = 0; k < 3; k++) {
            s.appendFrame(k * 1920L, frame(k));
        }
        int[] expectedFrames = {0, 1, 2};
        for (int t = 0; t < 3; t++) {
            LiveSegment.TickMedia m = s.tick(TICK);
            assertFalse(m.gap());
            assertEquals(expectedFrames[t], m.frame()[0], "frame of tick " + t);
            assertArrayEquals(audio(t * TICK, 1600), m.pcm48k(), "audio of tick " + t);
        }
    }

    @Test
    void aTickWhoseMediaHasNotArrivedIsAGapAndTheRestPlaysAfterItUnchanged() {
        LiveSegment s = segment();
        s.appendAudio(audio(0, 1600));
        s.appendFrame(0, frame(0));
        assertEquals(0, s.tick(TICK).frame()[0]);
        LiveSegment.TickMedia gap = s.tick(TICK);
        assertTrue(gap.gap());
        assertNull(gap.frame(), "the picture holds");
        assertEquals(0, gap.pcm48k().length, "silence");
        s.appendAudio(audio(1600, 1600));
        assertTrue(s.tick(TICK).gap(), "audio alone is not enough: the frame for 1600 is missing");
        s.appendFrame(1600, frame(1));
        LiveSegment.TickMedia resumed = s.tick(TICK);
        assertFalse(resumed.gap());
        assertEquals(1, resumed.frame()[0]);
        assertArrayEquals(audio(1600, 1600), resumed.pcm48k(), "nothing was dropped");
        assertEquals(2, s.gapTicks());
    }

    @Test
    void aClosedSegmentPlaysToTheEndOfItsAudioHoldingItsLastFrame() {
        LiveSegment s = segment();
        s.appendAudio(audio(0, 2000));
        s.appendFrame(0, frame(0));
        s.close();
        LiveSegment.TickMedia first = s.tick(TICK);
        assertEquals(0, first.frame()[0]);
        LiveSegment.TickMedia last = s.tick(TICK);
        assertFalse(last.gap());
        assertSame(first.frame(), last.frame(), "the last frame is held");
        assertArrayEquals(audio(1600, 400), last.pcm48k(), "the audio's tail, silence after it");
        assertTrue(s.tick(TICK).ended());
    }

    @Test
    void aVideoOnlySegmentShowsEachFrameForATickAndEndsAfterTheLast() {
        LiveSegment s = new LiveSegment("w2", false, true, 4800, TICK);
        for (int k = 0; k < 3; k++) {
            s.appendFrame(k * TICK, frame(k));
        }
        s.close();
        for (int k = 0; k < 3; k++) {
            LiveSegment.TickMedia m = s.tick(TICK);
            assertEquals(k, m.frame()[0]);
            assertEquals(0, m.pcm48k().length);
        }
        assertTrue(s.tick(TICK).ended());
    }

    @Test
    void aCutSegmentEndsOnItsNextTick() {
        LiveSegment s = segment();
        s.appendAudio(audio(0, 48_000));
        s.appendFrame(0, frame(0));
        s.tick(TICK);
        s.cut();
        assertTrue(s.tick(TICK).ended());
    }

    @Test
    void unplayedMediaIsTheShorterOfAudioAndVideoAhead() {
        LiveSegment s = segment();
        s.appendAudio(audio(0, 9600));
        s.appendFrame(0, frame(0));
        s.appendFrame(3200, frame(1));
        assertEquals(4800, s.unplayedSamples(), "frames up to 3200 + one tick");
        assertEquals(9600, s.receivedSamples());
        s.tick(TICK);
        assertEquals(3200, s.unplayedSamples());
        assertEquals(2, s.frameTicks());
    }
}
