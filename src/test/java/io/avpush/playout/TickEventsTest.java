package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.avpush.media.FrameRate;
import io.avpush.playout.SessionEvents.Event;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The events of each tick at 30 fps: what a viewer sees start, end, wait and speak. */
class TickEventsTest {

    private static final FrameRate FPS = new FrameRate(30, 1);

    private static Sequencer.TickPlan plan(String finishedId, String startedId, boolean gap) {
        return new Sequencer.TickPlan(new byte[1], null, -1, finishedId, startedId, null, gap);
    }

    private static final Sequencer.TickPlan NOTHING = plan(null, null, false);

    private static String describe(List<Event> events) {
        return String.join(
                ", ",
                events.stream()
                        .map(e -> e.type()
                                + (e.segmentId() != null ? " " + e.segmentId() : "")
                                + (e.speaking() != null ? " " + e.speaking() : "")
                                + (e.frame() != null ? " @" + e.frame() : "")
                                + (e.durationMs() != null ? " " + Math.round(e.durationMs()) + " ms" : "")
                                + (e.gapTicks() != null ? " gap " + e.gapTicks() : ""))
                        .toList());
    }

    @Test
    void aSegmentThatSpeaksStartsAndFinishes() {
        TickEvents events = new TickEvents(FPS);
        assertEquals("", describe(events.onTick(9, NOTHING, null, false, 0)));
        assertEquals(
                "segment-started s1 @10, speaking true @10",
                describe(events.onTick(10, plan(null, "s1", false), "s1", true, 0)));
        assertEquals("", describe(events.onTick(11, NOTHING, "s1", true, 0)));
        List<Event> end = events.onTick(70, plan("s1", null, false), null, false, -3.333);
        assertEquals("segment-finished s1 @70 2000 ms, speaking false @70", describe(end));
        assertEquals(2333.333, end.get(0).mediaMs(), 0.001, "the frame's time on the session's clock");
        assertEquals(-3.333, end.get(0).avDiffMs(), 0.001, "the release difference at the end");
        assertEquals(1, events.segmentsPlayed());
    }

    @Test
    void oneSegmentFollowsAnotherOnTheSameTickWithoutASpeakingGap() {
        TickEvents events = new TickEvents(FPS);
        events.onTick(0, plan(null, "s1", false), "s1", true, 0);
        assertEquals(
                "segment-finished s1 @30 1000 ms, segment-started s2 @30",
                describe(events.onTick(30, plan("s1", "s2", false), "s2", true, 0)));
    }

    @Test
    void aCutSegmentEndsInterruptedOnceThenSegmentsFinishAgain() {
        TickEvents events = new TickEvents(FPS);
        events.onTick(10, plan(null, "s1", false), "s1", true, 0);
        Sequencer.TickPlan cut = new Sequencer.TickPlan(new byte[1], null, -1, "s1", null, null, false, -1, true);
        assertEquals(
                "segment-interrupted s1 @40 1000 ms, speaking false @40",
                describe(events.onTick(40, cut, null, false, 0)));
        events.onTick(41, plan(null, "s2", false), "s2", true, 0);
        assertEquals(
                "segment-finished s2 @50 300 ms, speaking false @50",
                describe(events.onTick(50, plan("s2", null, false), null, false, 0)));
    }

    @Test
    void aStreamedSegmentsGapIsReportedWhenItsMediaArrivesAgain() {
        TickEvents events = new TickEvents(FPS);
        events.onTick(0, plan(null, "w1", false), "w1", true, 0);
        for (long n = 5; n < 12; n++) {
            assertEquals("", describe(events.onTick(n, plan(null, null, true), "w1", true, 0)), "tick " + n);
        }
        assertEquals("stream-gap w1 @12 gap 7", describe(events.onTick(12, NOTHING, "w1", true, 0)));
        assertEquals(7, events.streamGapTicks());
        Sequencer.TickPlan finished = new Sequencer.TickPlan(new byte[1], null, -1, "w1", null, null, false, 7, false);
        List<Event> end = events.onTick(30, finished, null, false, 0);
        assertEquals("segment-finished w1 @30 1000 ms gap 7, speaking false @30", describe(end));
        assertEquals(233.333, end.get(0).gapMs(), 0.001);
    }

    @Test
    void aStreamedSegmentCutAtALimitEndsInterrupted() {
        TickEvents events = new TickEvents(FPS);
        events.onTick(0, plan(null, "w1", false), "w1", true, 0);
        Sequencer.TickPlan cut = new Sequencer.TickPlan(new byte[1], null, -1, "w1", null, null, false, 0, true);
        assertEquals(
                "segment-interrupted w1 @9 300 ms gap 0, speaking false @9",
                describe(events.onTick(9, cut, null, false, 0)));
    }

    @Test
    void aSilentSegmentIsNotSpeech() {
        TickEvents events = new TickEvents(FPS);
        assertEquals("segment-started v1 @0", describe(events.onTick(0, plan(null, "v1", false), "v1", false, 0)));
        assertEquals(
                "segment-finished v1 @15 500 ms", describe(events.onTick(15, plan("v1", null, false), null, false, 0)));
    }
}
