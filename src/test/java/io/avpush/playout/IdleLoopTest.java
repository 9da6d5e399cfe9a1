package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameFit;
import io.avpush.media.FrameRate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The idle loop's tick arithmetic, exactly: where each pass starts, which frame and which samples each tick plays. */
class IdleLoopTest {

    private static Segment clip(int frames, int samples, FrameRate fps) {
        byte[][] i420 = new byte[frames][];
        for (int i = 0; i < frames; i++) {
            i420[i] = new byte[] {(byte) i};
        }
        short[] pcm = new short[samples];
        for (int i = 0; i < samples; i++) {
            pcm[i] = (short) (1 + i % 30_000);
        }
        long ticks = samples > 0 ? FrameFit.frameTicks(samples, fps) : frames;
        return new Segment("loop", pcm, i420, 2, 2, fps, ticks);
    }

    @ParameterizedTest
    @CsvSource({
        // fps, audio samples of the clip, ticks to run
        "30, 48000, 400",
        "30000/1001, 48000, 400",
        "30000/1001, 12345, 400",
        "30000/1001, 1602, 400", // a pass lasts 2 ticks or 1, by where it starts (FrameFit)
        "25, 47999, 300",
        "24000/1001, 16016, 500",
    })
    void passesFollowEachOtherAndEachPlacesItsWholeAudioFromItsFirstTick(String rate, int samples, int ticks) {
        FrameRate fps = FrameRate.parse(rate);
        IdleLoop loop = new IdleLoop(fps);
        loop.set(clip(7, samples, fps));
        long end = fps.sampleIndexAtFrame(ticks, AudioChunks.SAMPLE_RATE);
        short[] timeline = new short[(int) end];
        long placedUpTo = 0;
        long passStart = 0;
        int passes = 0;
        for (long t = 0; t < ticks; t++) {
            IdleLoop.Step step = loop.onTick(t);
            long tickStart = fps.sampleIndexAtFrame(t, AudioChunks.SAMPLE_RATE);
            assertEquals(tickStart, step.startSample(), "tick " + t + "'s audio starts on the tick");
            assertTrue(step.startSample() >= placedUpTo, "no overlap at tick " + t);
            long tickLength = fps.sampleIndexAtFrame(t + 1, AudioChunks.SAMPLE_RATE) - tickStart;
            assertTrue(step.pcm().length <= tickLength, "tick " + t + " places at most its own span");
            System.arraycopy(step.pcm(), 0, timeline, (int) step.startSample(), step.pcm().length);
            placedUpTo = step.startSample() + step.pcm().length;
            if (t == 0 || passStart + FrameFit.frameTicks(samples, fps, passStart) == t) {
                passStart = t;
                passes++;
            }
            long inPass = t - passStart;
            assertEquals(Math.min(inPass, 6), step.frame()[0], "tick " + t + " shows the pass's frame (last one held)");
        }
        // every pass: the clip's samples from the pass's first tick, then silence to the next pass (< 1 frame)
        long start = 0;
        int checked = 0;
        while (true) {
            long ticksInPass = FrameFit.frameTicks(samples, fps, start);
            long next = start + ticksInPass;
            if (next > ticks) {
                break;
            }
            long s0 = fps.sampleIndexAtFrame(start, AudioChunks.SAMPLE_RATE);
            long s1 = fps.sampleIndexAtFrame(next, AudioChunks.SAMPLE_RATE);
            for (int i = 0; i < samples; i++) {
                assertEquals(1 + i % 30_000, timeline[(int) (s0 + i)], "pass from tick " + start + ", sample " + i);
            }
            for (long i = s0 + samples; i < s1; i++) {
                assertEquals(0, timeline[(int) i], "padding of the pass from tick " + start);
            }
            assertTrue(
                    s1 - s0 - samples < fps.sampleIndexAtFrame(1, AudioChunks.SAMPLE_RATE) + 1,
                    "padding under one frame");
            start = next;
            checked++;
        }
        assertTrue(checked >= 5, "checked " + checked + " passes");
        assertEquals(passes, checked + (start < ticks ? 1 : 0), "one pass counted per start");
        assertEquals(passes, loop.info(ticks).passes());
    }

    @Test
    void aTickTheLoopDidNotPlayRestartsItFromItsFirstFrame() {
        FrameRate fps = new FrameRate(30, 1);
        IdleLoop loop = new IdleLoop(fps);
        loop.set(clip(10, 16_000, fps));
        for (long t = 0; t < 4; t++) {
            assertEquals(t, loop.onTick(t).frame()[0]);
        }
        assertFalse(loop.info(9).playing(), "a segment plays ticks 4..8");
        IdleLoop.Step resumed = loop.onTick(9);
        assertEquals(0, resumed.frame()[0], "back from its first frame");
        assertEquals(9 * 1600, resumed.startSample());
        assertEquals(1, resumed.pcm()[0], "and its first sample");
        assertTrue(loop.info(10).playing());
        assertEquals(2, loop.info(10).passes());
    }

    @Test
    void settingALoopRestartsItAndClearingEndsIt() {
        FrameRate fps = new FrameRate(30, 1);
        IdleLoop loop = new IdleLoop(fps);
        assertNull(loop.onTick(0), "no loop: nothing to play");
        assertNull(loop.info(1));
        Segment first = clip(10, 0, fps);
        loop.set(first);
        loop.onTick(1);
        loop.onTick(2);
        Segment second = clip(3, 0, fps);
        loop.set(second);
        IdleLoop.Step step = loop.onTick(3);
        assertSame(second.framesI420()[0], step.frame(), "the new loop starts from its first frame on the next tick");
        assertEquals(0, step.pcm().length, "a loop without audio places nothing: silence");
        IdleLoop.Info info = loop.info(4);
        assertEquals(3, info.frames());
        assertEquals(3, info.frameTicks());
        assertFalse(info.audio());
        assertEquals(100.0, info.durationMs(), 1e-9);
        assertEquals("loop", loop.clear());
        assertNull(loop.onTick(4));
        assertNull(loop.clear());
    }
}
