package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.api.ApiError;
import io.avpush.config.StreamSettings;
import io.avpush.playout.LiveSegment;
import io.avpush.session.SessionReplies.StreamClosed;
import io.avpush.session.SessionReplies.StreamCredit;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A session's streamed segments at 30 fps (1600 samples a tick): 100 ms lead, 200 ms buffer, at
 * most 1 s a segment and 1 MB of unplayed media. A producer hears "slow down" past the buffer,
 * is held until the segment plays down to it, and gets a 4xx that says why when it is refused.
 */
class LiveStreamsTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final long TICK = 1600;

    private final LiveStreams streams = new LiveStreams(
            new StreamSettings(Duration.ofMillis(100), Duration.ofMillis(200)), TICK, Duration.ofSeconds(1), 1 << 20);

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static <T> T value(Outcome<T> outcome) {
        return ((Outcome.Ok<T>) outcome).value();
    }

    private static ApiError error(Outcome<?> outcome) {
        return ((Outcome.Failed<?>) outcome).error();
    }

    private static Session.StreamAppend audio(String id, int samples) {
        return new Session.StreamAppend(id, new short[samples], null, 0, null);
    }

    @Test
    void mediaIsTakenAndTheProducerHearsToSlowDownPastTheBuffer() {
        streams.open("w1", true, false);
        assertEquals(new SessionReplies.StreamOpened("w1", 1, 100.0, 200.0), streams.opened("w1", 1));
        Outcome<StreamCredit> within = streams.append(audio("w1", 9600));
        assertEquals(new StreamCredit("w1", 200.0, 200.0, false), value(within));
        Outcome<StreamCredit> over = streams.append(audio("w1", 480));
        assertEquals(new StreamCredit("w1", 210.0, 200.0, true), value(over));
    }

    @Test
    void aHeldProducerIsLetGoOnceTheSegmentHasPlayedDownToItsBuffer() {
        LiveSegment live = streams.open("w1", true, false);
        streams.append(audio("w1", 4 * 4800));
        TestProbe<Outcome<StreamCredit>> producer = testKit.createTestProbe();
        streams.awaitRoom("w1", producer.getRef());
        streams.releaseWaiters();
        producer.expectNoMessage(Duration.ofMillis(50));
        live.tick(TICK);
        live.tick(TICK);
        live.tick(TICK);
        streams.releaseWaiters();
        producer.expectNoMessage(Duration.ofMillis(50)); // 300 ms unplayed
        live.tick(TICK);
        live.tick(TICK);
        live.tick(TICK);
        streams.releaseWaiters();
        assertEquals(new StreamCredit("w1", 200.0, 200.0, false), value(producer.receiveMessage()), "200 ms unplayed");
    }

    @Test
    void aProducerHeldWhenItsSegmentEndsHearsWhy() {
        streams.open("w1", true, false);
        streams.append(audio("w1", 4 * 4800));
        TestProbe<Outcome<StreamCredit>> producer = testKit.createTestProbe();
        streams.awaitRoom("w1", producer.getRef());
        assertTrue(streams.remove("w1", "has ended") != null);
        ApiError why = error(producer.receiveMessage());
        assertEquals(409, why.status());
        assertEquals("streamed segment w1 has ended; open a new segment with {\"type\":\"open\"}", why.message());
        assertNull(streams.get("w1"));
    }

    @Test
    void aSegmentOverItsLongestDurationIsCutWith413AndTakesNoMore() {
        LiveSegment live = streams.open("w1", true, false);
        assertTrue(streams.append(audio("w1", 48_000)) instanceof Outcome.Ok, "exactly one second is taken");
        assertTrue(
                streams.append(audio("w1", 480)) instanceof Outcome.Ok,
                "the append that goes over is taken, the next is refused");
        ApiError refused = error(streams.append(audio("w1", 480)));
        assertEquals(413, refused.status());
        assertTrue(
                refused.message()
                        .startsWith("streamed segment w1 has received 1.0 s of media; the longest segment "
                                + "accepted is 1.0 s (avpush.limits.max-segment-duration); it is cut."),
                refused.message());
        assertTrue(live.isCut(), "its end will be reported as interrupted");
        assertEquals("segment_ended", error(streams.append(audio("w1", 480))).error());
    }

    @Test
    void aSegmentOverTheMemoryLimitIsCutWith429() {
        LiveSegment live = streams.open("w1", true, true);
        streams.append(new Session.StreamAppend("w1", null, new byte[(1 << 20) + 1], 0, null));
        ApiError refused = error(streams.append(audio("w1", 480)));
        assertEquals(429, refused.status());
        assertTrue(
                refused.message().contains("over the limit of 1 MB (avpush.limits.max-queued-bytes); it is cut"),
                refused.message());
        assertTrue(live.isCut());
    }

    @Test
    void aClosedSegmentTakesNoMoreMediaAndSaysWhatItReceived() {
        LiveSegment live = streams.open("w1", true, false);
        streams.append(audio("w1", 24_000));
        Outcome<StreamClosed> closed = streams.close("w1");
        assertEquals(new StreamClosed("w1", 500.0, 0), value(closed));
        ApiError refused = error(streams.append(audio("w1", 480)));
        assertEquals(409, refused.status());
        assertEquals("segment_closed", refused.error());
        assertFalse(live.isCut(), "closing is no interruption");
    }

    @Test
    void segmentsThatEndedOrWereCutAreForgottenAndTheirHeldProducersHearWhy() {
        LiveSegment played = streams.open("w1", true, false);
        LiveSegment dropped = streams.open("w2", true, false);
        LiveSegment waiting = streams.open("w3", true, false);
        streams.append(audio("w1", 1600));
        streams.append(audio("w2", 4 * 4800));
        TestProbe<Outcome<StreamCredit>> producer = testKit.createTestProbe();
        streams.awaitRoom("w2", producer.getRef());
        streams.close("w1");
        played.tick(TICK);
        played.tick(TICK);
        dropped.cut();
        streams.forgetEnded();
        assertNull(streams.get("w1"), "played to its end");
        assertNull(streams.get("w2"), "dropped by an interrupt");
        assertEquals(
                "streamed segment w2 was interrupted; open a new segment with {\"type\":\"open\"}",
                error(producer.receiveMessage()).message());
        assertTrue(streams.get("w3") == waiting && !streams.isEmpty(), "still open");
    }

    @Test
    void mediaForAnUnknownSegmentIsRefused() {
        ApiError refused = error(streams.append(audio("nope", 480)));
        assertEquals(409, refused.status());
        assertEquals("segment_ended", refused.error());
        assertTrue(streams.close("nope") instanceof Outcome.Failed);
    }
}
