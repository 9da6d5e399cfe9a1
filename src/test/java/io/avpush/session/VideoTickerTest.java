package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.FrameRate;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
class VideoTickerTest {

  private static final long MS = 1_000_000L;

  @JUnit5TestKit
  public ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(ManualTime.config()).build();

  /**
   * Ten simulated minutes on ManualTime: the clock advances in jittered 4–16 ms steps, with one
   * 300 ms stall at 5 minutes. The supervisor (a probe here) gets every frame once, in order, each
   * due at anchor + exact frame time, never already overdue, and the stall re-anchors once.
   */
  @Test
  void tenSimulatedMinutesWithJitterAndAStallReleaseEveryFrameOnceAndInTime() {
    ManualTime manualTime = ManualTime.get(testKit.system());
    FrameRate fps = new FrameRate(30000, 1001);
    TickPolicy policy = new TickPolicy(fps, 25 * MS, 50 * MS);
    AtomicLong clock = new AtomicLong(1_000 * MS);
    TestProbe<SyncSupervisor.Command> sync = testKit.createTestProbe();
    TestProbe<VideoTicker.State> state = testKit.createTestProbe();
    ActorRef<VideoTicker.Command> ticker = testKit.spawn(VideoTicker.create(policy, clock::get, sync.getRef()));

    Random random = new Random(7);
    long received = 0;
    long lastDue = Long.MIN_VALUE;
    boolean stalled = false;
    long end = clock.get() + 600_000 * MS;
    while (clock.get() < end) {
      ticker.tell(new VideoTicker.GetState(state.getRef()));
      VideoTicker.State s = state.receiveMessage();
      if (s.nextFrame() > received) {
        List<SyncSupervisor.Command> ticks = sync.receiveSeveralMessages((int) (s.nextFrame() - received));
        for (SyncSupervisor.Command c : ticks) {
          SyncSupervisor.FrameTick t = (SyncSupervisor.FrameTick) c;
          assertEquals(received, t.frameIndex(), "frames arrive once and in order");
          assertTrue(t.dueNs() > lastDue, "due times increase");
          assertTrue(t.dueNs() >= clock.get(), "a released frame is not overdue: due " + t.dueNs() + " now " + clock.get());
          assertTrue(t.dueNs() - clock.get() <= 25 * MS + 1, "released at most the lead ahead");
          lastDue = t.dueNs();
          received++;
        }
      }
      long step = (4 + random.nextInt(13)) * MS;
      if (!stalled && clock.get() > end - 300_000 * MS) {
        step += 300 * MS;
        stalled = true;
      }
      clock.addAndGet(step);
      manualTime.timePasses(Duration.ofNanos(step));
    }
    ticker.tell(new VideoTicker.GetState(state.getRef()));
    VideoTicker.State last = state.receiveMessage();
    assertEquals(1, last.reanchors(), "the 300 ms stall re-anchors the clock once, jitter never does");
    long framesIn10Min = fps.frameIndexAtNs(600_000 * MS);
    assertTrue(received >= framesIn10Min - 12 && received <= framesIn10Min + 2,
        "about ten minutes of frames (less the 300 ms pause): " + received + " vs " + framesIn10Min);
  }
}
