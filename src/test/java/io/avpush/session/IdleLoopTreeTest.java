package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.api.ApiError;
import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.media.I420;
import io.avpush.playout.AudioRelease;
import io.avpush.playout.UploadedMedia;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The idle loop through the whole session tree, as a viewer receives it, frame by frame and sample
 * by sample: it loops without a gap, a segment takes over on the next tick, the loop resumes from
 * its start after a segment or an interrupt, clearing it holds the picture in silence. Timing is
 * real but every assertion is on media positions (tick n is the n-th frame the viewer got).
 */
@ExtendWith(TestKitJUnit5Extension.class)
class IdleLoopTreeTest {

    private static final int W = 32;
    private static final int H = 32;
    private static final FrameRate FPS = new FrameRate(30, 1);
    private static final int SAMPLES_PER_TICK = 1600;

    @JUnit5TestKit
    public ActorTestKit testKit = ActorTestKit.create();

    private SessionUnderTest s;

    @BeforeEach
    void start() {
        s = new SessionUnderTest(testKit, FPS, W, H, 0);
    }

    @AfterEach
    void stop() {
        s.close();
    }

    @Test
    void theLoopPlaysOverAndOverWithoutAGapInFramesOrSamples() {
        Loop loop = new Loop(10, 100, 1);
        SessionReplies.IdleAccepted accepted = s.setIdle(loop.upload());
        long releasedAtSet = s.status().framesReleased();
        assertEquals(10, accepted.frames());
        assertEquals(10, accepted.frameTicks());
        assertTrue(accepted.audio());
        s.await(
                "five passes of the loop",
                () -> s.output.frameCount() > releasedAtSet + 50
                        && s.output.sampleCount() > (releasedAtSet + 50) * SAMPLES_PER_TICK);

        List<byte[]> frames = s.output.framesCopy();
        short[] samples = s.output.samplesCopy();
        int first = SessionUnderTest.indexOf(frames, loop.i420[0], 0);
        assertTrue(
                first >= 0 && first <= releasedAtSet,
                "the loop starts on the next tick: at " + first + ", the clock had released " + releasedAtSet
                        + " when it was set");
        for (int t = first; t < frames.size(); t++) {
            assertArrayEquals(loop.i420[(t - first) % 10], frames.get(t), "tick " + t + " shows the loop's frame");
        }
        int firstSample = first * SAMPLES_PER_TICK;
        for (int i = 0; i < firstSample; i++) {
            assertEquals(0, samples[i], "silence before the loop");
        }
        for (int i = firstSample; i < samples.length; i++) {
            assertEquals(
                    loop.pcm[(i - firstSample) % loop.pcm.length], samples[i], "sample " + i + " continues the loop");
        }

        SessionStatus status = s.status();
        assertEquals(
                AudioRelease.chunksReleasedAfterFrame(FPS, status.framesReleased() - 1),
                status.chunksReleased(),
                "every chunk up to the last frame's end is out");
        assertNotNull(status.idle());
        assertEquals(accepted.loopId(), status.idle().loopId());
        assertTrue(status.idle().playing());
        assertEquals((status.framesReleased() - first + 9) / 10, status.idle().passes(), "one pass per 10 ticks");
        assertEquals("idle", status.state().wire());
    }

    @Test
    void aSegmentStartsOnTheLoopsNextTickAndTheLoopResumesFromItsStartAfterIt() {
        s.connectViewer();
        Loop loop = new Loop(60, 100, 1);
        s.setIdle(loop.upload());
        s.await("the loop to play a while", () -> s.output.frameCount() > 20);
        short[] speech = new short[15 * SAMPLES_PER_TICK];
        for (int i = 0; i < speech.length; i++) {
            speech[i] = (short) -(1 + i);
        }
        byte[] segmentBgr = greyFrames(15, 30);
        s.upload(new UploadedMedia(SessionTreeTest.wav(speech), segmentBgr, W, H, "30"));
        long releasedAtAccept = s.status().framesReleased();
        s.await(
                "the segment and 70 ticks of loop after it",
                () -> s.status().segmentsPlayed() == 1
                        && s.output.frameCount() > releasedAtAccept + 15 + 70
                        && s.output.sampleCount() > (releasedAtAccept + 15 + 70) * SAMPLES_PER_TICK);

        List<byte[]> frames = s.output.framesCopy();
        short[] samples = s.output.samplesCopy();
        int first = SessionUnderTest.indexOf(frames, loop.i420[0], 0);
        int start = SessionUnderTest.indexOf(frames, I420.fromBgr24(segmentBgr, 0, W, H), 0);
        assertTrue(
                start > first && start <= releasedAtAccept,
                "the segment starts on the next tick (" + start
                        + "), not at the end of the loop's pass; the clock had released " + releasedAtAccept
                        + " when it was queued");
        for (int t = first; t < start; t++) {
            assertArrayEquals(loop.i420[(t - first) % 60], frames.get(t), "loop tick " + t + " before the segment");
        }
        for (int k = 0; k < 15; k++) {
            assertArrayEquals(
                    I420.fromBgr24(segmentBgr, k * W * H * 3, W, H), frames.get(start + k), "segment frame " + k);
        }
        int resume = start + 15;
        for (int t = resume; t < frames.size(); t++) {
            assertArrayEquals(
                    loop.i420[(t - resume) % 60], frames.get(t), "tick " + t + ": the loop resumes from its start");
        }

        int firstSample = first * SAMPLES_PER_TICK;
        int startSample = start * SAMPLES_PER_TICK;
        int resumeSample = resume * SAMPLES_PER_TICK;
        for (int i = firstSample; i < startSample; i++) {
            assertEquals(loop.pcm[(i - firstSample) % loop.pcm.length], samples[i], "loop sample " + i);
        }
        for (int i = 0; i < speech.length; i++) {
            assertEquals(speech[i], samples[startSample + i], "the segment's sample " + i + " at its first tick");
        }
        for (int i = resumeSample; i < samples.length; i++) {
            assertEquals(
                    loop.pcm[(i - resumeSample) % loop.pcm.length], samples[i], "sample " + i + " of the resumed loop");
        }
        assertTrue(s.status().idle().playing());
    }

    @Test
    void anAudioOnlySegmentHoldsTheLoopsFrameAndTheLoopResumesAfterIt() {
        s.connectViewer();
        Loop loop = new Loop(10, 100, 1);
        s.setIdle(loop.upload());
        s.await("the loop to play", () -> s.output.frameCount() > 15);
        short[] speech = new short[15 * SAMPLES_PER_TICK];
        java.util.Arrays.fill(speech, (short) -2000);
        s.upload(new UploadedMedia(SessionTreeTest.wav(speech), null, null, null, null));
        long releasedAtAccept = s.status().framesReleased();
        s.await(
                "the segment and 10 ticks after it",
                () -> s.status().segmentsPlayed() == 1 && s.output.frameCount() > releasedAtAccept + 25);

        List<byte[]> frames = s.output.framesCopy();
        short[] samples = s.output.samplesCopy();
        int startSample = 0;
        while (samples[startSample] != -2000) {
            startSample++;
        }
        assertEquals(0, startSample % SAMPLES_PER_TICK, "the segment's audio starts on a tick");
        int start = startSample / SAMPLES_PER_TICK;
        for (int t = start; t < start + 15; t++) {
            assertSame(frames.get(start - 1), frames.get(t), "tick " + t + " holds the loop's last frame");
        }
        assertArrayEquals(loop.i420[0], frames.get(start + 15), "the loop resumes from its start");
    }

    @Test
    void anInterruptCutsToTheLoopWithinAFrame() {
        s.connectViewer();
        Loop loop = new Loop(10, 100, 1);
        s.setIdle(loop.upload());
        short[] tone = new short[48_000 * 5];
        java.util.Arrays.fill(tone, (short) -3000);
        byte[] still = greyFrames(1, 40);
        String playing = s.upload(new UploadedMedia(SessionTreeTest.wav(tone), still, W, H, "30"))
                .segmentId();
        s.await(
                "the segment to play for a while",
                () -> playing.equals(s.status().playing()) && s.output.sampleCount() > 30_000);

        int framesAtInterrupt = s.output.frameCount();
        SessionReplies.Interrupted cut = s.interrupt();
        assertEquals(playing, cut.cut());
        int cutTick = (int) Math.round(cut.cutAtMs() * 30 / 1000);
        assertTrue(
                cutTick - framesAtInterrupt <= 2, "cut at tick " + cutTick + ", the viewer had " + framesAtInterrupt);
        s.await(
                "25 ticks past the cut",
                () -> s.output.frameCount() > cutTick + 25
                        && s.output.sampleCount() > (cutTick + 25) * SAMPLES_PER_TICK);

        List<byte[]> frames = s.output.framesCopy();
        short[] samples = s.output.samplesCopy();
        assertArrayEquals(I420.fromBgr24(still, 0, W, H), frames.get(cutTick - 1), "the segment plays up to the cut");
        for (int t = cutTick; t < frames.size(); t++) {
            assertArrayEquals(loop.i420[(t - cutTick) % 10], frames.get(t), "tick " + t + ": the loop from its start");
        }
        int cutSample = cutTick * SAMPLES_PER_TICK;
        assertEquals(-3000, samples[cutSample - 1], "the segment's audio up to the cut");
        for (int i = cutSample; i < samples.length; i++) {
            assertEquals(loop.pcm[(i - cutSample) % loop.pcm.length], samples[i], "sample " + i + ": the loop's audio");
        }
        SessionStatus after = s.status();
        assertNull(after.playing());
        assertTrue(after.idle().playing());
    }

    @Test
    void clearingTheLoopHoldsItsLastFrameInSilence() {
        Loop loop = new Loop(10, 100, 1);
        s.setIdle(loop.upload());
        s.await("the loop to play", () -> s.output.frameCount() > 15);
        s.clearIdle();
        long releasedAtClear = s.status().framesReleased();
        assertNull(s.status().idle());
        s.await(
                "20 ticks after clearing",
                () -> s.output.frameCount() > releasedAtClear + 20
                        && s.output.sampleCount() > (releasedAtClear + 20) * SAMPLES_PER_TICK);

        List<byte[]> frames = s.output.framesCopy();
        short[] samples = s.output.samplesCopy();
        int first = SessionUnderTest.indexOf(frames, loop.i420[0], 0);
        int end = first;
        while (java.util.Arrays.equals(loop.i420[(end - first) % 10], frames.get(end))) {
            end++;
        }
        assertTrue(end > first && end <= releasedAtClear, "the loop stops by the tick after clearing: " + end);
        for (int t = end; t < frames.size(); t++) {
            assertSame(frames.get(end - 1), frames.get(t), "tick " + t + " holds the loop's last frame");
        }
        int endSample = end * SAMPLES_PER_TICK;
        assertEquals(loop.pcm[(endSample - 1 - first * SAMPLES_PER_TICK) % loop.pcm.length], samples[endSample - 1]);
        for (int i = endSample; i < samples.length; i++) {
            assertEquals(0, samples[i], "silence after the loop");
        }
    }

    @Test
    void aLoopWithoutAudioLastsAsLongAsItsFramesAtTheirRate() {
        byte[] bgr = greyFrames(5, 100);
        SessionReplies.IdleAccepted accepted = s.setIdle(new UploadedMedia(null, bgr, W, H, "15"));
        assertEquals(10, accepted.frameTicks(), "5 frames at 15 fps are 10 ticks at 30 fps");
        assertFalse(accepted.audio());
        s.await("three passes", () -> s.output.frameCount() > 40);

        List<byte[]> frames = s.output.framesCopy();
        int first = SessionUnderTest.indexOf(frames, I420.fromBgr24(bgr, 0, W, H), 0);
        for (int t = first; t < frames.size(); t++) {
            int shown = (t - first) % 10 / 2;
            assertArrayEquals(I420.fromBgr24(bgr, shown * W * H * 3, W, H), frames.get(t), "tick " + t);
        }
        short[] samples = s.output.samplesCopy();
        for (short sample : samples) {
            assertEquals(0, sample, "a loop without audio plays silence");
        }
    }

    @Test
    void aLoopWithoutFramesOrWithBadFramesIsRefusedAndTheOldLoopPlaysOn() {
        Loop loop = new Loop(10, 100, 1);
        String loopId = s.setIdle(loop.upload()).loopId();

        Outcome<SessionReplies.IdleAccepted> audioOnly =
                s.trySetIdle(new UploadedMedia(SessionTreeTest.wav(loop.pcm), null, null, null, null));
        ApiError error = ((Outcome.Failed<SessionReplies.IdleAccepted>) audioOnly).error();
        assertEquals(400, error.status());
        assertTrue(error.message().startsWith("an idle loop needs frames"), error.message());

        Outcome<SessionReplies.IdleAccepted> ragged =
                s.trySetIdle(new UploadedMedia(null, new byte[W * H * 3 + 1], W, H, null));
        assertTrue(((Outcome.Failed<SessionReplies.IdleAccepted>) ragged)
                .error()
                .message()
                .contains("1 bytes left over"));

        Outcome<SessionReplies.IdleAccepted> notImages = s.trySetIdle(
                new UploadedMedia(null, (byte[]) null, null, null, null, null, List.of("GIF89a?".getBytes())));
        assertTrue(((Outcome.Failed<SessionReplies.IdleAccepted>) notImages)
                .error()
                .message()
                .contains("frames must be PNG or JPEG"));

        assertEquals(loopId, s.status().idle().loopId(), "the loop set before is kept");
    }

    @Test
    void aLoopLargerThanTheSessionsMemoryLimitIs413() {
        try (SessionUnderTest small = new SessionUnderTest(testKit, FPS, W, H, 0, 10_000)) {
            Outcome<SessionReplies.IdleAccepted> big = small.trySetIdle(new Loop(10, 100, 1).upload());
            ApiError error = ((Outcome.Failed<SessionReplies.IdleAccepted>) big).error();
            assertEquals(413, error.status());
            assertTrue(error.message().contains("max-queued-bytes"), error.message());
            assertNull(small.status().idle());
        }
    }

    /**
     * A loop of {@code ticks} frames (grey levels base, base+2, ...) and as many ticks of audio whose
     * sample i is {@code pcmBase + i}: every frame and every sample tells where in the loop it is.
     */
    private static final class Loop {
        final byte[] bgr;
        final byte[][] i420;
        final short[] pcm;

        Loop(int ticks, int base, int pcmBase) {
            bgr = greyFrames(ticks, base);
            i420 = new byte[ticks][];
            for (int i = 0; i < ticks; i++) {
                i420[i] = I420.fromBgr24(bgr, i * W * H * 3, W, H);
            }
            pcm = new short[ticks * SAMPLES_PER_TICK];
            for (int i = 0; i < pcm.length; i++) {
                pcm[i] = (short) (pcmBase + i % 30_000);
            }
        }

        UploadedMedia upload() {
            return new UploadedMedia(SessionTreeTest.wav(pcm), bgr, W, H, "30");
        }
    }

    /** {@code count} grey bgr24 frames of levels base, base + 2, ...: each frame's I420 differs. */
    private static byte[] greyFrames(int count, int base) {
        byte[] out = new byte[count * W * H * 3];
        for (int i = 0; i < count; i++) {
            java.util.Arrays.fill(out, i * W * H * 3, (i + 1) * W * H * 3, (byte) (base + 2 * i));
        }
        return out;
    }

    static {
        assertEquals(SAMPLES_PER_TICK, FPS.sampleIndexAtFrame(1, AudioChunks.SAMPLE_RATE));
    }
}
