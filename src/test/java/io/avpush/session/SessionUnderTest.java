package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.config.LimitSettings;
import io.avpush.config.MediaSettings;
import io.avpush.media.FrameRate;
import io.avpush.pacing.PushPacer;
import io.avpush.playout.UploadedMedia;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One session's whole tree in real time (the node's pacer, the decoder inline) against a
 * {@link RecordingTransport}, and the calls a client makes, each answered or failing the test.
 */
final class SessionUnderTest implements AutoCloseable {

    final FrameRate fps;
    final int width;
    final int height;
    final RecordingTransport output = new RecordingTransport();
    private final ActorTestKit testKit;
    private final PushPacer pacer = new PushPacer();
    private final ActorRef<Session.Command> session;

    SessionUnderTest(ActorTestKit testKit, FrameRate fps, int width, int height, int backgroundRgb) {
        this(testKit, fps, width, height, backgroundRgb, 1L << 30);
    }

    SessionUnderTest(
            ActorTestKit testKit, FrameRate fps, int width, int height, int backgroundRgb, long maxQueuedBytes) {
        this.testKit = testKit;
        this.fps = fps;
        this.width = width;
        this.height = height;
        MediaSettings media = new MediaSettings(
                fps, width, height, Duration.ofMillis(25), Duration.ofMillis(50), Duration.ZERO, backgroundRgb);
        LimitSettings limits = new LimitSettings(
                1 << 26,
                Duration.ofSeconds(60),
                1920,
                1080,
                8,
                Duration.ofSeconds(30),
                maxQueuedBytes,
                65536,
                Duration.ofMinutes(5),
                Duration.ofSeconds(1),
                16,
                Duration.ofSeconds(60));
        Session.Deps deps = new Session.Deps(id -> output, pacer, System::nanoTime, Runnable::run, media, limits);
        session = testKit.spawn(Session.create(new Session.Spec("t", fps, width, height), deps));
    }

    void connectViewer() {
        TestProbe<Outcome<SessionReplies.Answer>> probe = testKit.createTestProbe();
        session.tell(new Session.Offer("v=0 test", probe.getRef()));
        assertTrue(probe.receiveMessage() instanceof Outcome.Ok);
    }

    Outcome<SessionReplies.SegmentAccepted> tryUpload(UploadedMedia media) {
        TestProbe<Outcome<SessionReplies.SegmentAccepted>> probe = testKit.createTestProbe();
        session.tell(new Session.Upload(media, probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    SessionReplies.SegmentAccepted upload(UploadedMedia media) {
        Outcome<SessionReplies.SegmentAccepted> o = tryUpload(media);
        assertTrue(o instanceof Outcome.Ok, () -> "accepted: " + o);
        return ((Outcome.Ok<SessionReplies.SegmentAccepted>) o).value();
    }

    Outcome<SessionReplies.IdleAccepted> trySetIdle(UploadedMedia media) {
        TestProbe<Outcome<SessionReplies.IdleAccepted>> probe = testKit.createTestProbe();
        session.tell(new Session.SetIdle(media, probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    SessionReplies.IdleAccepted setIdle(UploadedMedia media) {
        Outcome<SessionReplies.IdleAccepted> o = trySetIdle(media);
        assertTrue(o instanceof Outcome.Ok, () -> "idle loop accepted: " + o);
        return ((Outcome.Ok<SessionReplies.IdleAccepted>) o).value();
    }

    void clearIdle() {
        TestProbe<Done> probe = testKit.createTestProbe();
        session.tell(new Session.ClearIdle(probe.getRef()));
        probe.receiveMessage();
    }

    SessionReplies.Interrupted interrupt() {
        TestProbe<Outcome<SessionReplies.Interrupted>> probe = testKit.createTestProbe();
        session.tell(new Session.Interrupt(probe.getRef()));
        return ((Outcome.Ok<SessionReplies.Interrupted>) probe.receiveMessage()).value();
    }

    SessionStatus status() {
        TestProbe<SessionStatus> probe = testKit.createTestProbe();
        session.tell(new Session.GetStatus(probe.getRef()));
        return probe.receiveMessage();
    }

    /** Waits (20 s at most) by asking the session for its status until {@code condition} holds. */
    void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            status();
        }
    }

    /** Where the viewer got {@code frame} (by content) first, from {@code from} on; -1 if never. */
    static int indexOf(List<byte[]> frames, byte[] frame, int from) {
        for (int i = from; i < frames.size(); i++) {
            if (java.util.Arrays.equals(frames.get(i), frame)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        testKit.stop(session);
        pacer.close();
    }
}
