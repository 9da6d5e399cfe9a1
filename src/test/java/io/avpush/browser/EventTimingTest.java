package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class EventTimingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double FRAME_MS = 1000.0 / 30;

    @Test
    void flashesWholeSecondsFromTheShownEventsAreOnTime() throws Exception {
        EventTiming t = EventTiming.from(JSON.readTree("""
        {"posts": [{"segmentId": "s1", "durationMs": 3000}],
         "flashes": [2000, 3000], "flashRtp": [90000, 180000],
         "events": [
           {"t": 880, "shown": 1000, "by": "frame", "laterMs": 0.5, "rtp": 0, "type": "segment-started", "frame": 20, "segmentId": "s1"},
           {"t": 880, "shown": 1000, "by": "frame", "rtp": 0, "type": "speaking", "frame": 20},
           {"t": 3900, "shown": 4000, "by": "frame", "laterMs": 0, "rtp": 270000, "type": "segment-finished", "frame": 110, "segmentId": "s1"},
           {"t": 100, "shown": null, "by": "arrival", "type": "segment-queued", "segmentId": "s1"}]}
        """), FRAME_MS, 50);
        assertEquals(3, t.framedEvents());
        assertEquals(3, t.shownByFrame());
        assertEquals(2, t.frameChecks(), "the nearest flash of the start and of the finish");
        assertEquals(0.5, t.maxAbsFrameErrorMs(), 1e-9);
        assertEquals(2, t.displayChecks());
        assertEquals(0, t.maxAbsDisplayErrorMs(), 1e-9);
        assertEquals(120, t.medianLeadMs(), 1e-9);
        assertTrue(t.problems().isEmpty(), t.problems().toString());
    }

    @Test
    void anEventHandedOnAtItsArrivalIsOffByTheVideoDelay() throws Exception {
        // What a page acting on arrival would get: the frame is displayed ~120 ms later, and the frame
        // displayed at the arrival is four frames older than the event's.
        EventTiming t = EventTiming.from(JSON.readTree("""
        {"posts": [{"segmentId": "s1", "durationMs": 3000}],
         "flashes": [2000, 3000], "flashRtp": [90000, 180000],
         "events": [{"t": 880, "shown": 880, "by": "frame", "laterMs": 0, "rtp": -10800, "type": "segment-started", "frame": 20, "segmentId": "s1"}]}
        """), FRAME_MS, 50);
        assertEquals(120, t.maxAbsFrameErrorMs(), 1e-9);
        assertEquals(120, t.maxAbsDisplayErrorMs(), 1e-9);
        assertEquals(2, t.problems().size(), t.problems().toString());
        assertTrue(
                t.problems().get(0).contains("handed on with a frame -120.0 ms (RTP) from its own"),
                t.problems().get(0));
        assertTrue(t.problems().get(1).contains("+120.0 ms off"), t.problems().get(1));
    }

    @Test
    void theVideoDelayGrowingAtStartUpIsNotCountedAgainstTheEvent() throws Exception {
        // CI, 2026-11-24: the first segment's start shown at 947.2 ms, its flash 1 s later displayed at
        // 2030.5 ms, while the video delay went from 90.9 to 150.9 ms per frame (stats rows).
        String run = """
        {"posts": [{"segmentId": "s1", "durationMs": 10000}],
         "flashes": [2030.5], "flashRtp": [2132080481],
         "stats": [{"t": 1719.9, "video": {"jbDelay": 90.9}}, {"t": 2719.2, "video": {"jbDelay": 150.9}}],
         "events": [{"t": 800, "shown": 947.2, "by": "frame", "laterMs": 0, "rtp": 2131990481, "type": "segment-started", "frame": 0, "segmentId": "s1"}]}
        """;
        EventTiming t = EventTiming.from(JSON.readTree(run), FRAME_MS, 2 * FRAME_MS);
        assertEquals(60, EventTiming.videoDelayChange(JSON.readTree(run), 947.2, 2030.5), 1e-9);
        assertEquals(23.3, t.maxAbsDisplayErrorMs(), 0.05);
        assertTrue(t.problems().isEmpty(), t.problems().toString());

        // Without the stats the same display times are 83.3 ms off, more than two frames.
        EventTiming blind =
                EventTiming.from(JSON.readTree(run.replace("\"stats\"", "\"unused\"")), FRAME_MS, 2 * FRAME_MS);
        assertEquals(1, blind.problems().size(), blind.problems().toString());
        assertTrue(
                blind.problems().get(0).contains("+83.3 ms off"),
                blind.problems().get(0));
    }

    @Test
    void aMissedCallbackIsAFrameLaterAndSaysSo() throws Exception {
        // Handed on with the next frame (RTP +3000, laterMs 33.3) and its display time corrected by it.
        EventTiming t = EventTiming.from(JSON.readTree("""
        {"posts": [{"segmentId": "s1", "durationMs": 3000}],
         "flashes": [2000], "flashRtp": [90000],
         "events": [{"t": 880, "shown": 1000, "by": "frame", "laterMs": 33.3, "rtp": 3000, "type": "segment-started", "frame": 20, "segmentId": "s1"}]}
        """), FRAME_MS, 50);
        assertEquals(0, t.maxAbsFrameErrorMs(), 0.1);
        assertTrue(t.problems().isEmpty(), t.problems().toString());
    }

    @Test
    void aStartedEventNotTimedByAFrameIsAProblem() throws Exception {
        EventTiming t = EventTiming.from(JSON.readTree("""
        {"posts": [], "flashes": [],
         "events": [{"t": 880, "shown": null, "by": "timeout", "type": "segment-started", "frame": 20, "segmentId": "s1"}]}
        """), FRAME_MS, 50);
        assertEquals(0, t.shownByFrame());
        assertEquals(1, t.problems().size());
        assertTrue(
                t.problems().get(0).contains("handed on by timeout"),
                t.problems().get(0));
    }
}
