package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.api.ApiError;
import io.avpush.media.FrameRate;
import io.avpush.pacing.PushStats;
import io.avpush.playout.LiveSegment;
import io.avpush.playout.Segment;
import io.avpush.playout.SessionEvents;
import io.avpush.session.SessionReplies.Interrupted;
import io.avpush.session.SessionReplies.SegmentAccepted;
import io.avpush.session.SessionReplies.StreamOpened;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The supervisor alone, driven tick by tick with {@link SyncSupervisor.FrameTick} messages at
 * 30 fps; the chunker and the peer connection are probes, so each tick's frame, audio and events
 * are read as they leave it. Times are on the session's clock, in ms.
 */
class SyncSupervisorTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final FrameRate FPS = new FrameRate(30, 1);
    private static final byte[] NEUTRAL = {0};

    private TestProbe<AudioChunker.Command> chunker;
    private TestProbe<ViewerGroup.Command> peer;
    private ActorRef<SyncSupervisor.Command> sync;
    private final List<SessionEvents.Event> published = new CopyOnWriteArrayList<>();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @BeforeEach
    void spawn() {
        chunker = testKit.createTestProbe();
        peer = testKit.createTestProbe();
        SessionEvents events = new SessionEvents();
        events.subscribe(published::add);
        // 60 s and 8 MB of queue
        SyncSupervisor.Settings settings = new SyncSupervisor.Settings("s", FPS, 16, 16, 1800, 8 << 20, NEUTRAL);
        sync = testKit.spawn(SyncSupervisor.create(settings, chunker.getRef(), peer.getRef(), new PushStats(), events));
    }

    /** A segment of {@code ticks} ticks, a frame a tick, its audio the tick's index. */
    private static Segment segment(String id, int ticks) {
        byte[][] frames = new byte[ticks][];
        for (int k = 0; k < ticks; k++) {
            frames[k] = new byte[] {(byte) (k + 1)};
        }
        return new Segment(id, new short[ticks * 1600], frames, 16, 16, FPS, ticks);
    }

    private <T> T ask(java.util.function.Function<ActorRef<T>, SyncSupervisor.Command> command) {
        TestProbe<T> reply = testKit.createTestProbe();
        sync.tell(command.apply(reply.getRef()));
        return reply.receiveMessage();
    }

    private SegmentAccepted enqueue(Segment s) {
        Outcome<SegmentAccepted> o = ask(r -> new SyncSupervisor.Enqueue(s, r));
        return ((Outcome.Ok<SegmentAccepted>) o).value();
    }

    private SessionStatus status() {
        return ask(SyncSupervisor.GetStatus::new);
    }

    /** Tick {@code n}: the frame it pushes (and the events published at that push, if any). */
    private ViewerGroup.PushFrame tick(long n, List<SessionEvents.Event> atPush) {
        sync.tell(new SyncSupervisor.FrameTick(n, 1_000_000_000L + FPS.frameStartNs(n), 0));
        ViewerGroup.Command first = peer.receiveMessage();
        if (first instanceof ViewerGroup.PublishAtPush p) {
            assertEquals(n, p.frameIndex());
            atPush.addAll(p.events());
            first = peer.receiveMessage();
        }
        ViewerGroup.PushFrame frame = assertInstanceOf(ViewerGroup.PushFrame.class, first);
        assertEquals(n, frame.frameIndex());
        assertEquals(1_000_000_000L + FPS.frameStartNs(n), frame.deadlineNs(), "pushed at the tick's due time");
        return frame;
    }

    private static String types(List<SessionEvents.Event> events) {
        return String.join(", ", events.stream().map(SessionEvents.Event::type).toList());
    }

    @Test
    void aSegmentWaitsForAViewerThenPlaysWithItsAudioReleasedFrameByFrame() {
        SegmentAccepted accepted = enqueue(segment("a", 30));
        assertEquals(1000.0, accepted.durationMs());
        assertEquals(1, accepted.queuePosition());
        List<SessionEvents.Event> events = new ArrayList<>();
        assertSame(NEUTRAL, tick(0, events).i420(), "no viewer: the neutral picture");
        assertEquals(SessionState.WAITING_FOR_VIEWER, status().state());
        assertTrue(events.isEmpty());
        chunker.expectMessageClass(AudioChunker.Release.class); // the silence of tick 0

        sync.tell(new SyncSupervisor.ViewersChanged(1, 1));
        assertArrayEquals(new byte[] {1}, tick(1, events).i420(), "its first frame on the first tick with a viewer");
        assertEquals("segment-started, speaking", types(events));
        assertEquals(33.333, events.get(0).mediaMs(), 0.001);
        AudioChunker.Place place = chunker.expectMessageClass(AudioChunker.Place.class);
        assertEquals("a", place.segmentId());
        assertEquals(1600, place.startSample(), "its audio starts at the tick's first sample");
        AudioChunker.Release release = chunker.expectMessageClass(AudioChunker.Release.class);
        assertEquals(6, release.upToChunkExclusive(), "the chunks that end by the end of frame 1 (3200 samples)");
        assertEquals(SessionState.PLAYING, status().state());

        for (long n = 2; n <= 30; n++) {
            assertArrayEquals(new byte[] {(byte) n}, tick(n, events).i420());
            chunker.receiveMessage();
        }
        events.clear();
        tick(31, events);
        assertEquals("segment-finished, speaking", types(events));
        assertEquals(1000.0, events.get(0).durationMs(), 0.001);
        assertEquals(1033.333, events.get(0).mediaMs(), 0.001);
        SessionStatus status = status();
        assertEquals(SessionState.IDLE, status.state());
        assertEquals(1, status.segmentsPlayed());
        assertEquals(32, status.framesReleased());
        assertEquals(106, status.chunksReleased(), "32 frames = 51,200 samples: 106 whole chunks");
        assertTrue(status.avDiffMs() <= 0 && status.avDiffMs() > -10);
        assertTrue(
                published.stream().anyMatch(e -> e.type().equals("av-diff")), "the release difference once a second");
    }

    @Test
    void anInterruptCutsThePlayingSegmentAndSilencesItsReleasedAudio() {
        sync.tell(new SyncSupervisor.ViewersChanged(1, 1));
        enqueue(segment("a", 60));
        enqueue(segment("b", 60));
        List<SessionEvents.Event> events = new ArrayList<>();
        for (long n = 0; n < 15; n++) {
            tick(n, events);
        }
        chunker.receiveSeveralMessages(16); // a's audio placed, 15 releases
        Interrupted interrupted =
                ((Outcome.Ok<Interrupted>) this.<Outcome<Interrupted>>ask(SyncSupervisor.Interrupt::new)).value();
        assertEquals(List.of("b"), interrupted.dropped());
        assertEquals("a", interrupted.cut());
        assertEquals(500.0, interrupted.cutAtMs(), 0.001, "at the next tick, frame 15");
        assertEquals(500.0, interrupted.cutAfterMs(), 0.001);
        assertEquals(
                24_000, chunker.expectMessageClass(AudioChunker.CutAt.class).sample());
        assertEquals(
                50,
                peer.expectMessageClass(ViewerGroup.SilenceUnpushed.class).chunkIndex(),
                "what was released after the cut falls silent");
        events.clear();
        tick(15, events);
        assertEquals("segment-interrupted, speaking", types(events));
        assertEquals(500.0, events.get(0).durationMs(), 0.001);
        assertNull(status().playing());
        assertTrue(published.stream().anyMatch(e -> e.type().equals("segment-dropped") && "b".equals(e.segmentId())));
    }

    @Test
    void aSegmentOverTheQueuesLimitIsRefusedWith429AndTheQueueIsUnchanged() {
        enqueue(segment("a", 1000));
        enqueue(segment("b", 700));
        Outcome<SegmentAccepted> refused = ask(r -> new SyncSupervisor.Enqueue(segment("c", 101), r));
        ApiError error = ((Outcome.Failed<SegmentAccepted>) refused).error();
        assertEquals(429, error.status());
        assertTrue(error.message().startsWith("session s already holds 56.7 s of media"), error.message());
        assertEquals(List.of("a", "b"), status().queued());
        assertEquals(56_666.667, status().queuedMs(), 0.001);
    }

    @Test
    void aStreamedSegmentPlaysWhatArrivesAndWaitsWithoutLosingItsPlace() {
        sync.tell(new SyncSupervisor.ViewersChanged(1, 1));
        LiveSegment live = new LiveSegment("w1", true, true, 4800, 1600); // 100 ms of lead
        StreamOpened opened = ((Outcome.Ok<StreamOpened>) this.<Outcome<StreamOpened>>ask(
                        r -> new SyncSupervisor.QueueStream(live, new StreamOpened("w1", 0, 100, 5000), r)))
                .value();
        assertEquals(new StreamOpened("w1", 1, 100, 5000), opened, "its place in the queue");
        List<SessionEvents.Event> events = new ArrayList<>();
        tick(0, events);
        assertTrue(events.isEmpty(), "no lead yet");
        for (int k = 0; k < 4; k++) {
            live.appendAudio(new short[1600]);
            live.appendFrame(k * 1600L, new byte[] {(byte) (k + 1)});
        }
        assertArrayEquals(new byte[] {1}, tick(1, events).i420(), "the lead has arrived: it starts");
        assertEquals("segment-started, speaking", types(events));
        for (long n = 2; n <= 4; n++) {
            assertArrayEquals(new byte[] {(byte) n}, tick(n, events).i420());
        }
        events.clear();
        assertArrayEquals(new byte[] {4}, tick(5, events).i420(), "the producer is behind: the picture holds");
        assertEquals(1, status().streamGapTicks());
        live.appendAudio(new short[1600]);
        live.appendFrame(6400, new byte[] {5});
        live.close();
        assertArrayEquals(new byte[] {5}, tick(6, events).i420(), "it plays on where it stopped");
        assertEquals("stream-gap", types(events));
        assertEquals(1, events.get(0).gapTicks());
        events.clear();
        tick(7, events);
        assertEquals("segment-finished, speaking", types(events));
        assertEquals(1, events.get(0).gapTicks());
        assertTrue(live.isEnded(), "the intake forgets it");
    }
}
