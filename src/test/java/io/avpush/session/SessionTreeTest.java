package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.api.ApiError;
import io.avpush.config.LimitSettings;
import io.avpush.config.MediaSettings;
import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.media.I420;
import io.avpush.media.MarkerDetector;
import io.avpush.pacing.PushPacer;
import io.avpush.playout.UploadedMedia;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
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
 * The whole session tree in real time against a recording transport: what a viewer would receive,
 * frame by frame and sample by sample. Timing is real (the node's pacer) but every assertion is
 * on media positions, so a busy machine cannot make it flaky.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class SessionTreeTest {

    private static final int W = 32;
    private static final int H = 32;
    private static final FrameRate FPS = new FrameRate(30, 1);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    @JUnit5TestKit
    public ActorTestKit testKit = ActorTestKit.create();

    private PushPacer pacer;
    private RecordingTransport output;
    private ActorRef<Session.Command> session;

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
                IDLE_TIMEOUT,
                Duration.ofSeconds(1),
                16,
                Duration.ofSeconds(60),
                CONNECT_TIMEOUT);
        Session.Deps deps = new Session.Deps(id -> output, pacer, System::nanoTime, Runnable::run, media, limits);
        session = testKit.spawn(Session.create(new Session.Spec("t", FPS, W, H), deps));
    }

    @AfterEach
    void stop() {
        testKit.stop(session);
        pacer.close();
    }

    private void connectViewer() {
        TestProbe<Outcome<SessionReplies.Answer>> probe = testKit.createTestProbe();
        session.tell(new Session.Offer("v=0 test", probe.getRef()));
        assertTrue(probe.receiveMessage() instanceof Outcome.Ok);
    }

    private SessionReplies.SegmentAccepted upload(UploadedMedia media) {
        TestProbe<Outcome<SessionReplies.SegmentAccepted>> probe = testKit.createTestProbe();
        session.tell(new Session.Upload(media, probe.getRef()));
        Outcome<SessionReplies.SegmentAccepted> o = probe.receiveMessage(Duration.ofSeconds(10));
        assertTrue(o instanceof Outcome.Ok, () -> "accepted: " + o);
        return ((Outcome.Ok<SessionReplies.SegmentAccepted>) o).value();
    }

    private SessionStatus status() {
        TestProbe<SessionStatus> probe = testKit.createTestProbe();
        session.tell(new Session.GetStatus(probe.getRef()));
        return probe.receiveMessage();
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        TestProbe<SessionStatus> tick = testKit.createTestProbe();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            session.tell(new Session.GetStatus(tick.getRef()));
            tick.receiveMessage();
        }
    }

    @Test
    void demoMarkersReachTheViewerWithEachBeepStartingOnItsFlashFrame() {
        connectViewer();
        TestProbe<Outcome<SessionReplies.SegmentAccepted>> probe = testKit.createTestProbe();
        session.tell(new Session.PlayDemo(3.0, probe.getRef()));
        assertTrue(probe.receiveMessage(Duration.ofSeconds(10)) instanceof Outcome.Ok);
        await("the demo to finish", () -> status().segmentsPlayed() == 1);
        await("audio past the segment", () -> output.sampleCount() > output.frameCount() * 1600 - 1600);

        List<byte[]> frames = output.framesCopy();
        short[] samples = output.samplesCopy();
        MarkerDetector.BeepDetector beeps = new MarkerDetector.BeepDetector();
        beeps.accept(samples, 0, samples.length, 0);
        long[] onsets = beeps.onsets();
        int flashes = 0;
        for (int f = 1; f < frames.size(); f++) {
            if (MarkerDetector.isFlash(frames.get(f), W, H) && !MarkerDetector.isFlash(frames.get(f - 1), W, H)) {
                long flashSample = FPS.sampleIndexAtFrame(f, AudioChunks.SAMPLE_RATE);
                long nearest = Long.MAX_VALUE;
                for (long onset : onsets) {
                    nearest = Math.abs(onset - flashSample) < Math.abs(nearest - flashSample) ? onset : nearest;
                }
                long offsetSamples = nearest - flashSample;
                assertTrue(
                        offsetSamples >= 0 && offsetSamples < 96,
                        "beep of flash at frame " + f + " starts " + offsetSamples
                                + " samples from it (detector needs < 2 ms)");
                flashes++;
            }
        }
        assertEquals(2, flashes, "a 3 s demo has markers at 1 s and 2 s");
        assertEquals(2, onsets.length, "and exactly as many beeps");
    }

    @Test
    void audioIsTheMasterFramesAreHeldToItsEndAndTheNextSegmentStartsOnTheNextTick() {
        connectViewer();
        // 1 s of audio (30 ticks at 30 fps) but only 10 frames: frame 9 is held for ticks 10..29.
        short[] tone = new short[48_000];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (short) (1000 + i % 100);
        }
        SessionReplies.SegmentAccepted first = upload(new UploadedMedia(wav(tone), bgrFrames(10, 0), W, H, "30"));
        assertEquals(30, first.frameTicks());
        // then 5 frames and no audio: 5 ticks of silence
        upload(new UploadedMedia(null, bgrFrames(5, 100), W, H, "30"));
        await("both segments to play", () -> status().segmentsPlayed() == 2);

        List<byte[]> frames = output.framesCopy();
        byte[] firstFrame = I420.fromBgr24(bgrFrames(1, 0), 0, W, H);
        int start = indexOf(frames, firstFrame);
        assertTrue(start >= 0, "segment 1 reached the viewer");
        byte[] uploaded = bgrFrames(10, 0);
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(
                    I420.fromBgr24(uploaded, i * W * H * 3, W, H),
                    frames.get(start + i),
                    "frame " + i + " of segment 1");
        }
        for (int t = 10; t < 30; t++) {
            assertSame(frames.get(start + 9), frames.get(start + t), "tick " + t + " holds the last frame");
        }
        byte[] second = frames.get(start + 30);
        assertArrayEquals(I420.fromBgr24(bgrFrames(1, 100), 0, W, H), second, "segment 2 starts on the very next tick");

        int audioStart = (int) FPS.sampleIndexAtFrame(start, AudioChunks.SAMPLE_RATE);
        // "segmentsPlayed" counts at the release; the last chunks are pushed up to a frame later.
        int needed = audioStart + tone.length + 5 * 1600;
        await("the segments' audio to be pushed", () -> output.samplesCopy().length >= needed);
        short[] samples = output.samplesCopy();
        assertEquals(0, samples[audioStart - 1], "silence before the segment");
        for (int i = 0; i < tone.length; i++) {
            assertEquals(tone[i], samples[audioStart + i], "sample " + i + " plays at the segment's first tick");
        }
        for (int i = audioStart + tone.length; i < audioStart + tone.length + 5 * 1600; i++) {
            assertEquals(0, samples[i], "a segment without audio plays silence");
        }
    }

    @Test
    void interruptDropsTheQueueAndCutsThePlayingSegmentWithinOneFrame() {
        connectViewer();
        short[] tone = new short[48_000 * 5];
        java.util.Arrays.fill(tone, (short) 3000);
        String playing = upload(new UploadedMedia(wav(tone), bgrFrames(150, 0), W, H, "30"))
                .segmentId();
        String queued =
                upload(new UploadedMedia(wav(tone), null, null, null, null)).segmentId();
        await(
                "the segment to play for a while",
                () -> status().framesReleased() > 0
                        && output.sampleCount() > 20_000
                        && playing.equals(status().playing()));

        TestProbe<Outcome<SessionReplies.Interrupted>> probe = testKit.createTestProbe();
        int framesAtInterrupt = output.frameCount();
        session.tell(new Session.Interrupt(probe.getRef()));
        SessionReplies.Interrupted cut = ((Outcome.Ok<SessionReplies.Interrupted>) probe.receiveMessage()).value();
        assertEquals(playing, cut.cut());
        assertEquals(List.of(queued), cut.dropped());
        long cutTick = Math.round(cut.cutAtMs() * 30 / 1000);
        assertTrue(
                cutTick - framesAtInterrupt <= 2,
                "cut at tick " + cutTick + ", " + (cutTick - framesAtInterrupt)
                        + " ticks after the viewer's last frame");

        await("frames past the cut", () -> output.frameCount() > cutTick + 10);
        SessionStatus after = status();
        assertNull(after.playing());
        assertTrue(after.queued().isEmpty());
        List<byte[]> frames = output.framesCopy();
        for (int t = (int) cutTick; t < cutTick + 10; t++) {
            assertSame(frames.get((int) cutTick - 1), frames.get(t), "the picture holds after the cut");
        }
        short[] samples = output.samplesCopy();
        int cutSample = (int) FPS.sampleIndexAtFrame(cutTick, AudioChunks.SAMPLE_RATE);
        assertEquals(3000, samples[cutSample - 1], "audio plays up to the cut");
        for (int i = cutSample; i < cutSample + 10 * 1600 && i < samples.length; i++) {
            assertEquals(0, samples[i], "silence from the cut on");
        }
        int startSample = 0;
        while (samples[startSample] != 3000) {
            startSample++;
        }
        long startTick = FPS.frameIndexAtSample(startSample, AudioChunks.SAMPLE_RATE);
        assertEquals(
                FPS.frameStartNs(cutTick - startTick) / 1e6,
                cut.cutAfterMs(),
                1e-6,
                "cutAfterMs is how far into the cut segment the cut came (it started on tick " + startTick + ", cut on "
                        + cutTick + ")");
    }

    @Test
    void idleSessionKeepsStreamingAndWaitsForAViewerBeforeStartingASegment() {
        short[] tone = new short[4800];
        java.util.Arrays.fill(tone, (short) 500);
        upload(new UploadedMedia(wav(tone), null, null, null, null));
        await("frames while idle", () -> output.frameCount() > 15);
        SessionStatus waiting = status();
        assertEquals("waiting-for-viewer", waiting.state().wire());
        assertEquals(1, waiting.queued().size());
        int silentUpTo = output.sampleCount();
        short[] before = output.samplesCopy();
        for (int i = 0; i < silentUpTo; i++) {
            assertEquals(0, before[i], "silence while nobody watches");
        }
        byte[] neutral = output.framesCopy().get(0);
        assertNotNull(neutral);
        connectViewer();
        await("the segment to play", () -> status().segmentsPlayed() == 1);
        SessionStatus s = status();
        assertTrue(s.avDiffMs() <= 0 && s.avDiffMs() > -10, "audio within one chunk of video: " + s.avDiffMs());
        assertTrue(
                s.avDiffMinMs() > -10 && s.avDiffMaxMs() <= 0, "always: " + s.avDiffMinMs() + ".." + s.avDiffMaxMs());
    }

    @Test
    void aFullQueueRefusesTheNextSegmentWithTheLimitAndKeepsWhatIsQueued() {
        short[] twelveSeconds = new short[48_000 * 12];
        upload(new UploadedMedia(wav(twelveSeconds), null, null, null, null));
        upload(new UploadedMedia(wav(twelveSeconds), null, null, null, null));
        TestProbe<Outcome<SessionReplies.SegmentAccepted>> probe = testKit.createTestProbe();
        session.tell(new Session.Upload(new UploadedMedia(wav(twelveSeconds), null, null, null, null), probe.getRef()));
        Outcome<SessionReplies.SegmentAccepted> refused = probe.receiveMessage(Duration.ofSeconds(10));
        assertTrue(refused instanceof Outcome.Failed, "a third 12 s segment exceeds 30 s");
        ApiError error = ((Outcome.Failed<SessionReplies.SegmentAccepted>) refused).error();
        assertEquals(429, error.status());
        assertTrue(
                error.message().contains("max-queued-duration")
                        && error.message().contains("30.0 s"),
                error.message());
        assertEquals(2, status().queued().size(), "the queued segments are kept");
    }

    @Test
    void aViewerThatStaysDisconnectedIsDroppedAndTheSessionHoldsItsQueue() {
        connectViewer();
        assertEquals(1, status().viewersConnected());
        output.setState(Transport.ViewerState.DISCONNECTED);
        await("the vanished viewer to be dropped", () -> status().viewers() == 0);
        assertTrue(output.disconnected().contains("t-v1"), "its peer connection is freed");
    }

    @Test
    void aViewerThatNeverConnectsIsDroppedAfterTheConnectTimeout() {
        output.stateOnConnect(Transport.ViewerState.CONNECTING);
        connectViewer();
        SessionStatus connecting = status();
        assertEquals(1, connecting.viewers(), "it holds a place while it connects");
        assertEquals(0, connecting.viewersConnected());
        await("the viewer that never connected to be dropped", () -> status().viewers() == 0);
        assertTrue(output.disconnected().contains("t-v1"), "its peer connection is freed");
    }

    @Test
    void aViewerThatConnectsIsNotDroppedByTheConnectTimeout() {
        output.stateOnConnect(Transport.ViewerState.CONNECTING);
        connectViewer();
        output.setState(Transport.ViewerState.CONNECTED);
        TestProbe<Object> quiet = testKit.createTestProbe();
        quiet.expectNoMessage(CONNECT_TIMEOUT.plusSeconds(1));
        assertEquals(1, status().viewersConnected());
        assertTrue(output.disconnected().isEmpty(), "nothing freed: " + output.disconnected());
    }

    @Test
    void aSessionNobodyWatchesOrCallsEndsAfterTheIdleTimeoutAndFreesItsTransport() {
        TestProbe<Object> watcher = testKit.createTestProbe();
        status();
        watcher.expectTerminated(session, Duration.ofSeconds(10));
        assertTrue(output.isClosed(), "the transport's native resources are freed");
    }

    @Test
    void aWatchedSessionDoesNotExpire() {
        connectViewer();
        TestProbe<Object> watcher = testKit.createTestProbe();
        watcher.expectNoMessage(IDLE_TIMEOUT.plusSeconds(2));
        assertEquals("idle", status().state().wire());
    }

    private static int indexOf(List<byte[]> frames, byte[] frame) {
        for (int i = 0; i < frames.size(); i++) {
            if (java.util.Arrays.equals(frames.get(i), frame)) {
                return i;
            }
        }
        return -1;
    }

    /** {@code count} grey frames; frame i has the level {@code base + 2i} (its Y differs per frame). */
    private static byte[] bgrFrames(int count, int base) {
        byte[] out = new byte[count * W * H * 3];
        for (int i = 0; i < count; i++) {
            java.util.Arrays.fill(out, i * W * H * 3, (i + 1) * W * H * 3, (byte) (base + 2 * i));
        }
        return out;
    }

    /** A 48 kHz mono s16 WAV: what the resampler passes through bit-exact. */
    static byte[] wav(short[] pcm) {
        ByteBuffer b = ByteBuffer.allocate(44 + pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + pcm.length * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes())
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 1)
                .putInt(48000)
                .putInt(96000)
                .putShort((short) 2)
                .putShort((short) 16);
        b.put("data".getBytes()).putInt(pcm.length * 2);
        for (short s : pcm) {
            b.putShort(s);
        }
        return b.array();
    }
}
