package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PushPacerTest {

  private static final long MS = 1_000_000L;

  private record Ran(String name, long deadlineNs, long ranNs) {}

  /**
   * Pushes (spinning) and actor wake-ups (parking only) share one deadline order, and none runs
   * before its deadline, whatever the order they were handed in.
   */
  @Test
  void pushesAndWakeUpsRunInDeadlineOrderNeverEarly() throws InterruptedException {
    List<Ran> ran = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(5);
    try (PushPacer pacer = new PushPacer()) {
      long t0 = System.nanoTime() + 20 * MS;
      schedulePush(pacer, "push 30", t0 + 30 * MS, ran, done);
      scheduleWake(pacer, "wake 20", t0 + 20 * MS, ran, done);
      schedulePush(pacer, "push 10", t0 + 10 * MS, ran, done);
      scheduleWake(pacer, "wake 0", t0, ran, done);
      schedulePush(pacer, "push 20", t0 + 20 * MS, ran, done);
      assertTrue(done.await(5, TimeUnit.SECONDS), "every task ran: " + ran);
    }
    assertEquals(List.of("wake 0", "push 10", "wake 20", "push 20", "push 30"),
        ran.stream().map(Ran::name).toList(), "deadline order, submission order at equal deadlines");
    for (Ran r : ran) {
      assertTrue(r.ranNs() >= r.deadlineNs(), r.name() + " ran " + (r.deadlineNs() - r.ranNs()) + " ns early");
    }
  }

  private static void schedulePush(PushPacer pacer, String name, long deadlineNs, List<Ran> ran, CountDownLatch done) {
    pacer.at(deadlineNs, now -> {
      ran.add(new Ran(name, deadlineNs, System.nanoTime()));
      done.countDown();
    });
  }

  private static void scheduleWake(PushPacer pacer, String name, long deadlineNs, List<Ran> ran, CountDownLatch done) {
    pacer.wakeAt(deadlineNs, () -> {
      ran.add(new Ran(name, deadlineNs, System.nanoTime()));
      done.countDown();
    });
  }
}
