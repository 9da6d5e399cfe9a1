package io.avpush.netlab;

import java.io.IOException;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One direction of the lab's path: packets read from one TUN device meet their {@link Impairment}
 * and are written to the other at their departure instants. A reader thread timestamps and
 * schedules each packet as it arrives; a sender thread parks until the earliest departure. The
 * impairment can be replaced while packets flow (an outage: loss=100).
 */
final class Link implements AutoCloseable {

    /** Counters of one direction. */
    record Counts(long arrived, long dropped, long sent, long reordered) {}

    private record Packet(long departureNs, long seq, byte[] bytes) {}

    private final String name;
    private final Tun from;
    private final Tun to;
    private final long seed;
    private final PriorityQueue<Packet> queue = new PriorityQueue<>((a, b) ->
            a.departureNs != b.departureNs ? Long.compare(a.departureNs, b.departureNs) : Long.compare(a.seq, b.seq));
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final AtomicLong arrived = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong reordered = new AtomicLong();
    private final Thread reader;
    private final Thread sender;
    private volatile Impairment impairment;
    private volatile boolean running = true;
    private volatile IOException failure;
    private long seq;

    Link(String name, Tun from, Tun to, Impairment.Settings settings, long seed) {
        this.name = name;
        this.from = from;
        this.to = to;
        this.seed = seed;
        this.impairment = new Impairment(settings, seed);
        this.reader = new Thread(this::read, "netlab-" + name + "-in");
        this.sender = new Thread(this::send, "netlab-" + name + "-out");
        reader.setDaemon(true);
        sender.setDaemon(true);
        sender.setPriority(Thread.MAX_PRIORITY);
        reader.start();
        sender.start();
    }

    /** From now on, packets meet {@code settings} (its own random sequence, from the link's seed). */
    void impair(Impairment.Settings settings) {
        impairment = new Impairment(settings, seed + arrived.get());
    }

    Impairment.Settings settings() {
        return impairment.settings();
    }

    Counts counts() {
        return new Counts(arrived.get(), dropped.get(), sent.get(), reordered.get());
    }

    /** The first I/O failure of this direction, if any (the lab's path is broken then). */
    IOException failure() {
        return failure;
    }

    private void read() {
        byte[] buffer = new byte[65536];
        try {
            while (running) {
                int n = from.read(buffer, 100);
                if (n < 0) {
                    return;
                }
                if (n == 0) {
                    continue;
                }
                long now = System.nanoTime();
                arrived.incrementAndGet();
                Impairment.Fate fate = impairment.onPacket(now, n);
                if (fate.dropped()) {
                    dropped.incrementAndGet();
                    continue;
                }
                if (fate.reordered()) {
                    reordered.incrementAndGet();
                }
                byte[] packet = java.util.Arrays.copyOf(buffer, n);
                lock.lock();
                try {
                    Packet p = new Packet(fate.departureNs(), seq++, packet);
                    queue.add(p);
                    if (queue.peek() == p) {
                        changed.signal();
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            failure = e;
        }
    }

    private void send() {
        try {
            while (running) {
                Packet due;
                lock.lock();
                try {
                    Packet head = queue.peek();
                    if (head == null) {
                        changed.await(100, TimeUnit.MILLISECONDS);
                        continue;
                    }
                    long wait = head.departureNs - System.nanoTime();
                    if (wait > 0) {
                        changed.awaitNanos(wait);
                        continue;
                    }
                    due = queue.poll();
                } finally {
                    lock.unlock();
                }
                to.write(due.bytes, due.bytes.length);
                sent.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            failure = e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sender.interrupt();
        reader.join(2_000);
        sender.join(2_000);
    }

    @Override
    public String toString() {
        Counts c = counts();
        return name + " (" + impairment.settings() + "): " + c.arrived + " packets in, " + c.dropped + " dropped, "
                + c.sent + " sent, " + c.reordered + " reordered";
    }
}
