package io.avpush.pacing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one precise clock of a node that pushes every session's frames and audio chunks at their
 * own deadlines. Capture time in libwebrtc is the push instant, so push timing decides lip sync:
 * the actors decide WHAT is released (ahead of time), this thread decides WHEN it is pushed.
 * Tasks with equal deadlines run in submission order (a frame's audio chunk is released a tick
 * before the frame, so at equal deadlines audio goes first); a task that throws is logged and
 * dropped. The thread parks until {@code spinNs} before a deadline, then spins to it: parking
 * alone wakes ~30 µs late (p50) on Linux. avpush runs it with {@code spinNs} = 0
 * ({@code avpush.media.pacer-spin}; ten-minute Chromium runs met the sync gate as well without a
 * spin, docs/design.md "Other decisions"). Only frames may spin ({@link #at}): a frame's push instant
 * is its capture time. Audio chunks ({@link #parkedAt}: their RTP time counts samples) and
 * wake-ups of actors ({@link #wakeAt}, the sessions' frame clocks, whose precision is lost in the
 * actor's dispatch anyway) park to their deadline: spinning before all ~130 pushes a second of a
 * session cost 0.011 CPU s per stream-second, a tenth of its encoder (docs/benchmarks.md, "Pacing").
 *
 * <p>Where the process may, the thread runs SCHED_FIFO above libwebrtc's encoder threads (which
 * libwebrtc makes SCHED_FIFO 49 itself): otherwise a push that wakes an encoder thread hands it
 * the pacer's core for the whole encode, and every push behind it waits.
 */
public final class PushPacer implements Pacer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PushPacer.class);

    private record Task(long deadlineNs, long seq, boolean spin, LongConsumer action) {}

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) ->
            a.deadlineNs != b.deadlineNs ? Long.compare(a.deadlineNs, b.deadlineNs) : Long.compare(a.seq, b.seq));
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final LongSupplier clockNs;
    private final long spinNs;
    private final int realtimePriority;
    private final Thread thread;
    private long seq;
    private volatile boolean running = true;

    /** A pacer that parks to every deadline (no spin), at normal priority: the configured default. */
    public PushPacer() {
        this(System::nanoTime, 0L);
    }

    public PushPacer(long spinNs) {
        this(System::nanoTime, spinNs, 0);
    }

    /** @param realtimePriority SCHED_FIFO priority (1–99) the thread asks for; 0: normal priority */
    public PushPacer(long spinNs, int realtimePriority) {
        this(System::nanoTime, spinNs, realtimePriority);
    }

    PushPacer(LongSupplier clockNs, long spinNs) {
        this(clockNs, spinNs, 0);
    }

    private PushPacer(LongSupplier clockNs, long spinNs, int realtimePriority) {
        this.clockNs = clockNs;
        this.spinNs = spinNs;
        this.realtimePriority = realtimePriority;
        this.thread = new Thread(this::loop, "avpush-pacer");
        this.thread.setDaemon(true);
        this.thread.setPriority(Thread.MAX_PRIORITY);
        this.thread.start();
    }

    @Override
    public void at(long deadlineNs, LongConsumer action) {
        add(deadlineNs, true, action);
    }

    @Override
    public void parkedAt(long deadlineNs, LongConsumer task) {
        add(deadlineNs, false, task);
    }

    private void add(long deadlineNs, boolean spin, LongConsumer action) {
        lock.lock();
        try {
            Task task = new Task(deadlineNs, seq++, spin, action);
            queue.add(task);
            if (queue.peek() == task) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Tasks waiting for their deadline. */
    public int pending() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        if (realtimePriority > 0) {
            makeRealtime(realtimePriority);
        }
        while (running) {
            Task due;
            long now;
            lock.lock();
            try {
                Task head = queue.peek();
                if (head == null) {
                    changed.await(100, TimeUnit.MILLISECONDS);
                    continue;
                }
                now = clockNs.getAsLong();
                long waitNs = head.deadlineNs - now;
                long earlyNs = head.spin ? spinNs : 0;
                if (waitNs > earlyNs) {
                    changed.awaitNanos(waitNs - earlyNs);
                    continue;
                }
                due = queue.poll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            while (now < due.deadlineNs) {
                Thread.onSpinWait();
                now = clockNs.getAsLong();
            }
            try {
                due.action.accept(now);
            } catch (RuntimeException | Error e) {
                log.error("pacer task failed", e);
            }
        }
    }

    /**
     * Asks Linux to run the calling thread SCHED_FIFO at {@code priority}, with util-linux's chrt
     * (Java has no API for it). Needs CAP_SYS_NICE; without it the thread keeps its priority, and
     * libwebrtc's threads cannot be realtime either.
     */
    private static void makeRealtime(int priority) {
        try {
            // "/proc/thread-self" links to "<pid>/task/<tid>"
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self"))
                    .getFileName()
                    .toString();
            Process chrt = new ProcessBuilder("chrt", "--fifo", "--pid", String.valueOf(priority), tid)
                    .redirectErrorStream(true)
                    .start();
            String said = new String(chrt.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (chrt.waitFor() == 0) {
                log.info("pacer thread {} runs SCHED_FIFO {}", tid, priority);
            } else {
                log.info(
                        "pacer thread stays at normal priority (chrt: {}); without CAP_SYS_NICE libwebrtc's threads do too",
                        said);
            }
        } catch (IOException | UnsupportedOperationException e) {
            log.info("pacer thread stays at normal priority: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
