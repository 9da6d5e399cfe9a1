package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.avpush.media.FrameRate;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What each tick releases at 30 fps, read as a table: the frame pushed, the audio placed on the
 * session's timeline, the chunks out in all after it and the events at its push. Frames hold their
 * segment's letter and index, so a tick's picture names itself.
 */
class PlayoutTest {

    private static final FrameRate FPS = new FrameRate(30, 1);
    private static final byte[] NEUTRAL = {'-', 0};

    /** A segment of {@code ticks} ticks, a frame and a tick's audio (1600 samples) per tick. */
    private static Segment segment(String id, int ticks) {
        byte[][] frames = new byte[ticks][];
        for (int k = 0; k < ticks; k++) {
            frames[k] = new byte[] {(byte) id.charAt(0), (byte) k};
        }
        return new Segment(id, new short[ticks * 1600], frames, 16, 16, FPS, ticks);
    }

    /** A tick as a table row: "frame | placed | chunks out | events". */
    private static String row(Playout.Tick t) {
        String placed = t.placed().stream()
                .map(p -> p.segmentId() + "[" + p.from() + ".." + p.to() + ")@" + p.startSample())
                .collect(Collectors.joining(" "));
        String events = t.atPush().stream()
                .map(e -> e.type() + (e.segmentId() != null ? " " + e.segmentId() : ""))
                .collect(Collectors.joining(", "));
        return (char) t.frame()[0] + Integer.toString(t.frame()[1]) + " | " + placed + " | "
                + t.release().upTo() + " | " + events;
    }

    @Test
    void aSegmentStartsWithAViewerAndTheIdleLoopPlaysAroundIt() {
        Playout playout = new Playout(FPS, NEUTRAL);
        playout.setIdle(segment("i", 2));
        playout.enqueue(segment("a", 2));
        // tick 0 has no viewer: the loop plays, the segment waits
        List<String> expected = List.of(
                "i0 | i[0..1600)@0 | 3 | ",
                "a0 | a[0..3200)@1600 | 6 | segment-started a, speaking",
                "a1 |  | 10 | ",
                "i0 | i[0..1600)@4800 | 13 | segment-finished a, speaking",
                "i1 | i[1600..3200)@6400 | 16 | ",
                "i0 | i[0..1600)@8000 | 20 | ");
        for (int n = 0; n < expected.size(); n++) {
            assertEquals(expected.get(n), row(playout.onTick(n, n > 0)), "tick " + n);
        }
        assertEquals(6, playout.nextTick());
        assertEquals(1, playout.tickEvents().segmentsPlayed());
    }

    @Test
    void aTickLogsWhatStartedAndFinishedOnIt() {
        Playout playout = new Playout(FPS, NEUTRAL);
        playout.enqueue(segment("a", 2));
        assertEquals(
                List.of("segment a started at frame 0 (67 ms)"),
                playout.onTick(0, true).logLines());
        assertEquals(List.of(), playout.onTick(1, true).logLines());
        assertEquals(
                List.of("segment a finished at frame 2"),
                playout.onTick(2, true).logLines());
    }

    @Test
    void anInterruptCutsAtTheNextTickAndThePictureHolds() {
        Playout playout = new Playout(FPS, NEUTRAL);
        playout.enqueue(segment("a", 30));
        playout.enqueue(segment("b", 30));
        for (int n = 0; n < 10; n++) {
            playout.onTick(n, true);
        }
        assertEquals(List.of("b"), playout.queuedIds());
        assertEquals(50, playout.pendingTicks(), "20 ticks of a and 30 of b");
        Sequencer.Cut cut = playout.interrupt();
        assertEquals(new Sequencer.Cut(List.of("b"), "a", 10, 10), cut);
        assertEquals("a9 |  | 36 | segment-interrupted a, speaking", row(playout.onTick(10, true)));
        assertNull(playout.playing());
        assertEquals(0, playout.pendingTicks());
    }

    @Test
    void aStreamedSegmentPlacesEachTicksAudioAsItPlays() {
        Playout playout = new Playout(FPS, NEUTRAL);
        LiveSegment live = new LiveSegment("w", true, true, 1600, 1600);
        playout.enqueue(live);
        for (int k = 0; k < 2; k++) {
            live.appendAudio(new short[1600]);
            live.appendFrame(k * 1600L, new byte[] {'w', (byte) k});
        }
        assertEquals("w0 | w[0..1600)@0 | 3 | segment-started w, speaking", row(playout.onTick(0, true)));
        assertEquals("w1 | w[0..1600)@1600 | 6 | ", row(playout.onTick(1, true)));
        assertEquals("w1 |  | 10 | ", row(playout.onTick(2, true)), "the producer is behind: the picture holds");
        assertEquals(1, playout.tickEvents().streamGapTicks());
    }
}
