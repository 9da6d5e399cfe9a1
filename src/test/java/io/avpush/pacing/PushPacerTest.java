package io.avpush.pacing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PushPacerTest {

    private static final long MS = 1_000_000L;

    private record Ran(String name, long deadlineNs, long ranNs) {}

    /**
     * Frame pushes (spinning), audio pushes and actor wake-ups (parking only) share one deadline order, and none runs
     * before its deadline, whatever the order they were handed in.
     */
    @ParameterizedTest(name = "spin {0} ns")
    @ValueSource(longs = {0L, 100_000L})
    void pushesAndWakeUpsRunInDeadlineOrderNeverEarly(long spinNs) throws InterruptedException {
        List<Ran> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(7);
        try (PushPacer pacer = new PushPacer(spinNs)) {
            long t0 = System.nanoTime() + 20 * MS;
            schedulePush(pacer, "push 30", t0 + 30 * MS, ran, done);
            scheduleParked(pacer, "audio 25", t0 + 25 * MS, ran, done);
            scheduleWake(pacer, "wake 20", t0 + 20 * MS, ran, done);
            schedulePush(pacer, "push 10", t0 + 10 * MS, ran, done);
            scheduleWake(pacer, "wake 0", t0, ran, done);
            scheduleParked(pacer, "audio 20", t0 + 20 * MS, ran, done);
            schedulePush(pacer, "push 20", t0 + 20 * MS, ran, done);
            assertTrue(done.await(5, TimeUnit.SECONDS), "every task ran: " + ran);
        }
        assertEquals(
                List.of("wake 0", "push 10", "wake 20", "audio 20", "push 20", "audio 25", "push 30"),
                ran.stream().map(Ran::name).toList(),
                "deadline order, submission order at equal deadlines");
        for (Ran r : ran) {
            assertTrue(r.ranNs() >= r.deadlineNs(), r.name() + " ran " + (r.deadlineNs() - r.ranNs()) + " ns early");
        }
    }

    /**
     * Where the process may (CAP_SYS_NICE, as root in CI), the pacer thread runs SCHED_FIFO at the
     * priority asked for, above libwebrtc's encoder threads; elsewhere it runs at normal priority.
     */
    @Test
    void thePacerThreadRunsFifoAtItsPriorityWhereTheProcessMay() throws Exception {
        AtomicReference<String> tid = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        try (PushPacer pacer = new PushPacer(100_000L, 60)) {
            pacer.at(System.nanoTime(), now -> {
                try {
                    tid.set(Files.readSymbolicLink(Path.of("/proc/thread-self"))
                            .getFileName()
                            .toString());
                } catch (IOException e) {
                    tid.set("unreadable: " + e);
                }
                ran.countDown();
            });
            assertTrue(ran.await(5, TimeUnit.SECONDS), "the task ran");
            // /proc/<pid>/task/<tid>/stat after "(comm) ": field 41 is the policy, 40 the realtime priority
            String[] stat = Files.readString(Path.of("/proc/self/task/" + tid.get() + "/stat"))
                    .replaceFirst(".*\\) ", "")
                    .split(" ");
            int policy = Integer.parseInt(stat[38]);
            int rtPriority = Integer.parseInt(stat[37]);
            if (mayUseRealtime()) {
                assertEquals(1, policy, "SCHED_FIFO");
                assertEquals(60, rtPriority);
            } else {
                assertEquals(0, policy, "SCHED_OTHER without CAP_SYS_NICE");
            }
        }
    }

    /** CAP_SYS_NICE (bit 23) in the effective capabilities. */
    private static boolean mayUseRealtime() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 23)) != 0;
            }
        }
        return false;
    }

    private static void schedulePush(
            PushPacer pacer, String name, long deadlineNs, List<Ran> ran, CountDownLatch done) {
        pacer.at(deadlineNs, now -> {
            ran.add(new Ran(name, deadlineNs, System.nanoTime()));
            done.countDown();
        });
    }

    private static void scheduleParked(
            PushPacer pacer, String name, long deadlineNs, List<Ran> ran, CountDownLatch done) {
        pacer.parkedAt(deadlineNs, now -> {
            ran.add(new Ran(name, deadlineNs, System.nanoTime()));
            done.countDown();
        });
    }

    private static void scheduleWake(
            PushPacer pacer, String name, long deadlineNs, List<Ran> ran, CountDownLatch done) {
        pacer.wakeAt(deadlineNs, () -> {
            ran.add(new Ran(name, deadlineNs, System.nanoTime()));
            done.countDown();
        });
    }
}
