package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.FrameRate;
import io.avpush.pacing.Pacer;
import io.avpush.playout.TickPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
class VideoTickerTest {

    private static final long MS = 1_000_000L;

    @JUnit5TestKit
    public ActorTestKit testKit =
            new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

    /**
     * The frame clock on ManualTime: 150 wake-ups a frame period apart, jittered by -8..+12 ms, with
     * one 300 ms stall in the middle. The supervisor (a probe here) gets every frame once and in
     * order, each due at anchor + exact frame time, released at most the lead ahead and never more
     * than the catch-up bound late; the stall re-anchors the clock once, the jitter never does.
     * (ManualTime sleeps 100 ms per step, so the ten-minute run is TickPolicyTest's pure simulation.)
     */
    @Test
    void jitteredWakeupsAndAStallReleaseEveryFrameOnceAndInTime() {
        ManualTime manualTime = ManualTime.get(testKit.system());
        FrameRate fps = new FrameRate(30000, 1001);
        TickPolicy policy = new TickPolicy(fps, 25 * MS, 50 * MS);
        AtomicLong clock = new AtomicLong(1_000 * MS);
        TestProbe<SyncSupervisor.Command> sync = testKit.createTestProbe();
        TestProbe<VideoTicker.State> state = testKit.createTestProbe();
        // The pacer's wake-ups on ManualTime's scheduler, in the fake clock's time domain.
        Pacer pacer = (deadlineNs, task) -> testKit.system()
                .scheduler()
                .scheduleOnce(
                        Duration.ofNanos(Math.max(0, deadlineNs - clock.get())),
                        () -> task.accept(clock.get()),
                        testKit.system().executionContext());
        ActorRef<VideoTicker.Command> ticker =
                testKit.spawn(VideoTicker.create(policy, clock::get, pacer, sync.getRef()));

        Random random = new Random(7);
        long received = 0;
        long lastDue = Long.MIN_VALUE;
        long start = clock.get();
        for (int step = 0; step < 150; step++) {
            ticker.tell(new VideoTicker.GetState(state.getRef()));
            VideoTicker.State s = state.receiveMessage();
            if (s.nextFrame() > received) {
                List<SyncSupervisor.Command> ticks = sync.receiveSeveralMessages((int) (s.nextFrame() - received));
                for (SyncSupervisor.Command c : ticks) {
                    SyncSupervisor.FrameTick t = (SyncSupervisor.FrameTick) c;
                    assertEquals(received, t.frameIndex(), "frames arrive once and in order");
                    assertTrue(t.dueNs() > lastDue, "due times increase");
                    assertEquals(
                            s.anchorNs() + fps.frameStartNs(t.frameIndex()),
                            t.dueNs(),
                            "due at anchor + exact frame time");
                    assertTrue(t.dueNs() - clock.get() <= 25 * MS + 1, "released at most the lead ahead");
                    assertTrue(clock.get() - t.dueNs() <= 50 * MS, "never more than the catch-up bound overdue");
                    lastDue = t.dueNs();
                    received++;
                }
            }
            long stepNs = fps.frameStartNs(1) + (random.nextInt(21) - 8) * MS;
            if (step == 75) {
                stepNs += 300 * MS;
            }
            clock.addAndGet(stepNs);
            manualTime.timePasses(Duration.ofNanos(stepNs));
        }
        ticker.tell(new VideoTicker.GetState(state.getRef()));
        VideoTicker.State last = state.receiveMessage();
        assertEquals(1, last.reanchors(), "the 300 ms stall re-anchors the clock once, jitter never does");
        long expected = fps.frameIndexAtNs(clock.get() - start - 300 * MS);
        assertTrue(
                Math.abs(received - expected) <= 3,
                "every frame of the elapsed time, less the stall: " + received + " vs " + expected);
    }
}
