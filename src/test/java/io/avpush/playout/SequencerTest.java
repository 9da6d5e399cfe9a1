package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.FrameRate;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The queue tick by tick at 30 fps: what each tick shows and which segment starts or ends on it.
 * Frames hold their segment's letter and index, so a tick's picture names itself.
 */
class SequencerTest {

    private static final FrameRate FPS = new FrameRate(30, 1);
    private static final byte[] NEUTRAL = {0};

    /** A segment of {@code ticks} ticks with {@code frames} frames and a tick's audio per tick. */
    private static Segment segment(String id, long ticks, int frames) {
        byte[][] f = new byte[frames][];
        for (int k = 0; k < frames; k++) {
            f[k] = new byte[] {(byte) id.charAt(0), (byte) k};
        }
        return new Segment(id, new short[(int) ticks * 1600], f, 16, 16, FPS, ticks);
    }

    /** The picture a tick shows: "a2" for segment a's frame 2, "1" for a streamed one-byte frame. */
    private static String shown(Sequencer.TickPlan plan) {
        byte[] f = plan.frame();
        return f.length == 2 ? (char) f[0] + Integer.toString(f[1]) : Integer.toString(f[0]);
    }

    @Test
    void aSegmentWaitsForAViewerThenPlaysItsFramesAndTheLastIsHeldAfterIt() {
        Sequencer sequencer = new Sequencer(FPS, NEUTRAL);
        Segment a = segment("a", 3, 3);
        sequencer.enqueue(a);
        Sequencer.TickPlan waiting = sequencer.onTick(0, false);
        assertSame(NEUTRAL, waiting.frame(), "no viewer: the neutral picture, nothing starts");
        assertNull(waiting.startedId());
        assertEquals(1, sequencer.queued());

        Sequencer.TickPlan start = sequencer.onTick(1, true);
        assertSame(a, start.started());
        assertEquals("a", start.startedId());
        assertEquals(1600, start.startSample(), "its audio is placed at the tick's first sample");
        assertEquals("a0", shown(start));
        assertEquals("a1", shown(sequencer.onTick(2, true)));
        assertEquals("a2", shown(sequencer.onTick(3, true)));
        Sequencer.TickPlan end = sequencer.onTick(4, true);
        assertEquals("a", end.finishedId(), "it ends after its three ticks");
        assertFalse(end.finishedCut());
        assertEquals("a2", shown(end), "and its last frame is held");
        assertNull(sequencer.currentId());
        assertFalse(sequencer.speaking());
    }

    @Test
    void theNextSegmentStartsOnTheTickTheLastEnds() {
        Sequencer sequencer = new Sequencer(FPS, NEUTRAL);
        sequencer.enqueue(segment("a", 2, 2));
        sequencer.enqueue(segment("b", 2, 2));
        sequencer.onTick(0, true);
        sequencer.onTick(1, true);
        Sequencer.TickPlan next = sequencer.onTick(2, true);
        assertEquals("a", next.finishedId());
        assertEquals("b", next.startedId());
        assertEquals("b0", shown(next));
        assertEquals(3200, next.startSample());
    }

    @Test
    void framesRunningOutBeforeTheAudioHoldTheLastFrameAndAnAudioOnlySegmentHoldsThePictureBefore() {
        Sequencer sequencer = new Sequencer(FPS, NEUTRAL);
        sequencer.enqueue(segment("a", 3, 1));
        sequencer.enqueue(segment("b", 2, 0));
        assertEquals("a0", shown(sequencer.onTick(0, true)));
        assertEquals("a0", shown(sequencer.onTick(1, true)));
        assertEquals("a0", shown(sequencer.onTick(2, true)));
        Sequencer.TickPlan audioOnly = sequencer.onTick(3, true);
        assertEquals("b", audioOnly.startedId());
        assertEquals("a0", shown(audioOnly));
        assertTrue(sequencer.speaking());
    }

    @Test
    void anInterruptDropsTheQueueAndCutsThePlayingSegmentAtTheNextTick() {
        Sequencer sequencer = new Sequencer(FPS, NEUTRAL);
        sequencer.enqueue(segment("a", 30, 30));
        sequencer.enqueue(segment("b", 30, 30));
        sequencer.enqueue(segment("c", 30, 30));
        sequencer.onTick(5, true);
        for (long n = 6; n < 15; n++) {
            sequencer.onTick(n, true);
        }
        assertEquals(20 + 60, sequencer.pendingTicks(15), "the rest of a and all of b and c");
        assertEquals(List.of("b", "c"), sequencer.queuedIds());
        assertEquals(2 * (30 * 1600 * 2 + 30 * 2), sequencer.queuedBytes(), "b and c: their audio and frames");

        Sequencer.Cut cut = sequencer.interrupt(15);
        assertEquals(List.of("b", "c"), cut.droppedIds());
        assertEquals("a", cut.cutId());
        assertEquals(15, cut.cutAtTick());
        assertEquals(10, cut.cutAfterTicks(), "ticks 5..14 of a were released");
        assertEquals(0, sequencer.pendingTicks(15));
        Sequencer.TickPlan after = sequencer.onTick(15, true);
        assertEquals("a", after.finishedId());
        assertNull(after.startedId());
        assertEquals("a9", shown(after), "the last frame released is held");
        assertTrue(after.finishedCut(), "its end is an interruption");
    }

    @Test
    void anInterruptWithNothingPlayingCutsNothing() {
        Sequencer sequencer = new Sequencer(FPS, NEUTRAL);
        sequencer.enqueue(segment("a", 3, 3));
        Sequencer.Cut cut = sequencer.interrupt(0);
        assertEquals(List.of("a"), cut.droppedIds());
        assertNull(cut.cutId());
        assertNull(sequencer.onTick(0, true).startedId());
    }

    @Test
    void aStreamedSegmentStartsOnceItsLeadHasArrivedAndWaitsForLateMedia() {
        Sequencer sequencer = new Sequencer(FPS, NEUTRAL);
        LiveSegment live = new LiveSegment("w", true, true, 3200, 1600);
        sequencer.enqueue(live);
        live.appendAudio(new short[1600]);
        live.appendFrame(0, new byte[] {1});
        assertNull(sequencer.onTick(0, true).startedId(), "a tick of lead is not two");
        live.appendAudio(new short[1600]);
        live.appendFrame(1600, new byte[] {2});
        Sequencer.TickPlan start = sequencer.onTick(1, true);
        assertEquals("w", start.startedId());
        assertNull(start.started(), "not a whole segment");
        assertEquals(1600, start.livePcm().length);
        assertEquals("1", shown(start));
        assertEquals("2", shown(sequencer.onTick(2, true)));
        Sequencer.TickPlan gap = sequencer.onTick(3, true);
        assertTrue(gap.gap(), "the producer is behind: a gap");
        assertEquals("2", shown(gap), "the picture holds");
        assertEquals(0, gap.livePcm().length);
        live.appendAudio(new short[1600]);
        live.appendFrame(3200, new byte[] {3});
        live.close();
        assertEquals("3", shown(sequencer.onTick(4, true)), "it plays on where it stopped");
        assertEquals("w", sequencer.onTick(5, true).finishedId());
        assertArrayEquals(new byte[] {3}, sequencer.onTick(6, true).frame());
    }
}
