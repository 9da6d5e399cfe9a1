package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.config.LimitSettings;
import io.avpush.config.MediaSettings;
import io.avpush.config.StreamSettings;
import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.media.I420;
import io.avpush.pacing.PushPacer;
import io.avpush.playout.SessionEvents;
import io.avpush.playout.UploadedMedia;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Streamed segments and events through the whole session tree against a recording transport:
 * what the viewer gets frame by frame and sample by sample, and when events say it got it.
 * Real time (the node's pacer); assertions are on media positions and push instants, and waits
 * are on conditions, so a busy machine cannot make them flaky.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class StreamedSegmentTest {

    private static final int W = 32;
    private static final int H = 32;
    private static final FrameRate FPS = new FrameRate(30, 1);
    private static final int TICK = 1600;

    @JUnit5TestKit
    public ActorTestKit testKit = ActorTestKit.create();

    private PushPacer pacer;
    private RecordingTransport output;
    private ActorRef<Session.Command> session;
    private final List<SessionEvents.Event> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        pacer = new PushPacer();
        output = new RecordingTransport();
        MediaSettings media = new MediaSettings(FPS, W, H, Duration.ofMillis(25), Duration.ofMillis(50), Duration.ZERO);
        LimitSettings limits = new LimitSettings(
                1 << 26,
                Duration.ofSeconds(60),
                1920,
                1080,
                8,
                Duration.ofSeconds(30),
                1L << 30,
                65536,
                Duration.ofSeconds(30),
                Duration.ofSeconds(1),
                16,
                Duration.ofSeconds(60));
        Session.Deps deps = new Session.Deps(
                id -> output,
                pacer,
                System::nanoTime,
                Runnable::run,
                media,
                limits,
                new StreamSettings(Duration.ofMillis(100), Duration.ofMillis(500)));
        session = testKit.spawn(Session.create(new Session.Spec("t", FPS, W, H), deps));
        TestProbe<SessionEvents> probe = testKit.createTestProbe();
        session.tell(new Session.GetEvents(probe.getRef()));
        probe.receiveMessage().subscribe(events::add);
    }

    @AfterEach
    void stop() {
        testKit.stop(session);
        pacer.close();
    }

    @Test
    void streamedMediaPlaysInSyncAndAProducerBehindRealTimeMakesGapsNotDrift() {
        connectViewer();
        String id = open(true, true);
        for (int k = 0; k < 6; k++) {
            sendTick(id, k);
        }
        await("the producer to fall behind (gap ticks)", () -> status().streamGapTicks() >= 4);
        for (int k = 6; k < 12; k++) {
            sendTick(id, k);
        }
        close(id);
        await("the streamed segment to finish", () -> status().segmentsPlayed() == 1);
        awaitPushedPastReleases();

        List<byte[]> frames = output.framesCopy();
        short[] samples = output.samplesCopy();
        int start = indexOf(frames, i420(0));
        assertTrue(start > 0, "the stream reached the viewer");
        int shown = -1;
        int holds = 0;
        for (int t = start; shown < 11; t++) {
            int k = indexOfFrame(frames.get(t));
            int from = (int) FPS.sampleIndexAtFrame(t, AudioChunks.SAMPLE_RATE);
            if (k == shown) {
                holds++;
                for (int i = from; i < from + TICK; i++) {
                    assertEquals(0, samples[i], "a gap tick (" + t + ") is silent");
                }
                continue;
            }
            assertEquals(shown + 1, k, "tick " + t + " shows the next streamed frame");
            shown = k;
            for (int i = from; i < from + TICK; i++) {
                assertEquals(level(k), samples[i], "tick " + t + " plays the audio made with frame " + k);
            }
        }
        SessionStatus s = status();
        assertEquals(holds, s.streamGapTicks(), "every gap tick is counted");
        assertTrue(holds >= 4, "the stall shows as held ticks: " + holds);
        assertTrue(
                events.stream().anyMatch(e -> e.type().equals("stream-gap") && e.gapTicks() >= 4),
                "the gap is reported: " + types());
        SessionEvents.Event finished = find("segment-finished", id);
        assertEquals(s.streamGapTicks(), finished.gapTicks());
    }

    @Test
    void aProducerAheadOfTheBufferIsHeldBackUntilTheSegmentPlaysDown() {
        String id = open(true, false);
        SessionReplies.StreamCredit credit = null;
        for (int k = 0; k < 30; k++) {
            credit = append(id, audio(k), null, -1);
        }
        assertTrue(credit.slowDown(), "1 s of unplayed audio is over the 500 ms buffer: " + credit);
        assertEquals(1000.0, credit.bufferedMs(), 0.01);
        TestProbe<Outcome<SessionReplies.StreamCredit>> room = testKit.createTestProbe();
        session.tell(new Session.AwaitRoom(id, room.getRef()));
        room.expectNoMessage(Duration.ofMillis(300));
        connectViewer();
        Outcome<SessionReplies.StreamCredit> resumed = room.receiveMessage(Duration.ofSeconds(10));
        SessionReplies.StreamCredit after = ((Outcome.Ok<SessionReplies.StreamCredit>) resumed).value();
        assertFalse(after.slowDown());
        assertTrue(after.bufferedMs() <= 500, "room once played down to the buffer: " + after);
    }

    @Test
    void eventsComeInOrderAtThePushOfTheFramesTheyConcern() {
        connectViewer();
        TestProbe<Outcome<SessionReplies.SegmentAccepted>> accepted = testKit.createTestProbe();
        session.tell(new Session.Upload(
                new UploadedMedia(SessionTreeTest.wav(pcm(9600, (short) 700)), bgr(level(20)), W, H, "30"),
                accepted.getRef()));
        String upload = ((Outcome.Ok<SessionReplies.SegmentAccepted>) accepted.receiveMessage(Duration.ofSeconds(10)))
                .value()
                .segmentId();
        String streamed = open(true, true);
        for (int k = 0; k < 6; k++) {
            sendTick(streamed, k);
        }
        close(streamed);
        await("both segments to finish", () -> status().segmentsPlayed() == 2);
        awaitPushedPastReleases();
        await(
                "the last events",
                () -> events.stream().filter(e -> e.type().equals("speaking")).count() == 2);

        List<String> order = new ArrayList<>();
        for (SessionEvents.Event e : events) {
            if (!e.type().equals("av-diff")) {
                order.add(e.type()
                        + (e.segmentId() == null ? "" : " " + e.segmentId())
                        + (e.speaking() == null ? "" : " " + e.speaking()));
            }
        }
        assertEquals(
                List.of(
                        "viewer-joined",
                        "segment-queued " + upload,
                        "segment-queued " + streamed,
                        "segment-started " + upload,
                        "speaking true",
                        "segment-finished " + upload,
                        "segment-started " + streamed,
                        "segment-finished " + streamed,
                        "speaking false"),
                order);

        List<byte[]> frames = output.framesCopy();
        SessionEvents.Event started = find("segment-started", upload);
        int f = started.frame().intValue();
        assertArrayEquals(
                I420.fromBgr24(bgr(level(20)), 0, W, H), frames.get(f), "started names the segment's first frame");
        assertFalse(Arrays.equals(frames.get(f - 1), frames.get(f)), "which the frame before is not");
        assertEquals(FPS.frameStartNs(f) / 1e6, started.mediaMs(), 1e-9);
        assertPushedAt(started, f);
        SessionEvents.Event finished = find("segment-finished", upload);
        assertEquals(f + 6, finished.frame(), "200 ms of audio is 6 ticks");
        assertPushedAt(finished, finished.frame().intValue());
        SessionEvents.Event streamStart = find("segment-started", streamed);
        assertEquals(finished.frame(), streamStart.frame(), "the streamed segment starts on the next tick");
        assertArrayEquals(i420(0), frames.get(streamStart.frame().intValue()));
        assertPushedAt(
                find("segment-finished", streamed),
                find("segment-finished", streamed).frame().intValue());
        assertEquals(
                types(),
                output.eventsCopy().stream()
                        .map(SessionEvents.Event::type)
                        .toList()
                        .subList(0, events.size()),
                "the viewers' data channels get the same events");
    }

    /** The event was published at the push of frame {@code f}: within a millisecond of it, far inside a frame. */
    private void assertPushedAt(SessionEvents.Event e, int f) {
        long diffNs = Math.abs(e.pushNs() - output.framePushNs(f));
        assertTrue(diffNs < 1_000_000, e.type() + " published " + diffNs / 1e6 + " ms from the push of frame " + f);
    }

    private SessionEvents.Event find(String type, String segmentId) {
        return events.stream()
                .filter(e -> e.type().equals(type) && segmentId.equals(e.segmentId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " for " + segmentId + " in " + types()));
    }

    private List<String> types() {
        return events.stream().map(SessionEvents.Event::type).toList();
    }

    private void sendTick(String id, int k) {
        append(id, audio(k), null, -1);
        append(id, null, i420(k), (long) k * TICK);
    }

    private static short level(int k) {
        return (short) (100 * (k + 1));
    }

    private static short[] audio(int k) {
        return pcm(TICK, level(k));
    }

    private static short[] pcm(int n, short value) {
        short[] pcm = new short[n];
        Arrays.fill(pcm, value);
        return pcm;
    }

    private static byte[] bgr(int level) {
        byte[] b = new byte[W * H * 3];
        Arrays.fill(b, (byte) level);
        return b;
    }

    /** Streamed frame k: grey level 40 + 8k. */
    private static byte[] i420(int k) {
        return I420.fromBgr24(bgr(40 + 8 * k), 0, W, H);
    }

    private static int indexOfFrame(byte[] frame) {
        for (int k = 0; k < 12; k++) {
            if (Arrays.equals(frame, i420(k))) {
                return k;
            }
        }
        return -1;
    }

    private static int indexOf(List<byte[]> frames, byte[] frame) {
        for (int i = 0; i < frames.size(); i++) {
            if (Arrays.equals(frames.get(i), frame)) {
                return i;
            }
        }
        return -1;
    }

    private String open(boolean audio, boolean video) {
        TestProbe<Outcome<SessionReplies.StreamOpened>> probe = testKit.createTestProbe();
        session.tell(new Session.OpenStream(audio, video, probe.getRef()));
        return ((Outcome.Ok<SessionReplies.StreamOpened>) probe.receiveMessage())
                .value()
                .segmentId();
    }

    private SessionReplies.StreamCredit append(String id, short[] pcm, byte[] frame, long tsSamples) {
        TestProbe<Outcome<SessionReplies.StreamCredit>> probe = testKit.createTestProbe();
        session.tell(new Session.StreamAppend(id, pcm, frame, tsSamples, probe.getRef()));
        Outcome<SessionReplies.StreamCredit> o = probe.receiveMessage();
        assertTrue(o instanceof Outcome.Ok, () -> "appended: " + o);
        return ((Outcome.Ok<SessionReplies.StreamCredit>) o).value();
    }

    private void close(String id) {
        TestProbe<Outcome<SessionReplies.StreamClosed>> probe = testKit.createTestProbe();
        session.tell(new Session.CloseStream(id, probe.getRef()));
        assertTrue(probe.receiveMessage() instanceof Outcome.Ok);
    }

    private void connectViewer() {
        TestProbe<Outcome<SessionReplies.Answer>> probe = testKit.createTestProbe();
        session.tell(new Session.Offer("v=0 test", probe.getRef()));
        assertTrue(probe.receiveMessage() instanceof Outcome.Ok);
    }

    private SessionStatus status() {
        TestProbe<SessionStatus> probe = testKit.createTestProbe();
        session.tell(new Session.GetStatus(probe.getRef()));
        return probe.receiveMessage();
    }

    /** Releases run 25 ms ahead of pushes: waits until the viewer has what was released so far, and more. */
    private void awaitPushedPastReleases() {
        long released = status().framesReleased();
        await(
                "the pushes to catch up",
                () -> output.frameCount() > released + 3
                        && output.sampleCount() >= FPS.sampleIndexAtFrame(released + 3, AudioChunks.SAMPLE_RATE));
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            status();
        }
    }
}
