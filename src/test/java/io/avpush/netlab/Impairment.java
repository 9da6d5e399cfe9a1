package io.avpush.netlab;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What one direction of a path does to the packets it carries, and the pure rule that decides each
 * packet's fate: dropped, or sent on at a departure instant.
 *
 * <ul>
 *   <li>{@code delayMs}: one-way delay every packet has.
 *   <li>{@code jitterMs}: each packet gets {@code delay + u} with {@code u} uniform in
 *       [−jitter, +jitter], but never leaves before the packet ahead of it (a queue, as on a real
 *       path): jitter alone does not reorder.
 *   <li>{@code lossPercent}: each packet is dropped with this probability, independently.
 *   <li>{@code reorderPercent}: this share of packets ignores the queue order (leaves at its own
 *       delayed instant, possibly before packets that arrived earlier).
 *   <li>{@code rateKbps}: a bottleneck (0: none); a packet leaves no sooner than its size after the
 *       one before, and is dropped when it would wait more than {@code queueMs} for the bottleneck.
 * </ul>
 *
 * Every choice comes from one {@link SplittableRandom} seeded with {@code seed}: the same packets at
 * the same instants meet the same fate. Example: delay 40, jitter 15, packets arriving at 0 and
 * 1 ms with draws u = +10 and −12 leave at 50 ms and max(1 + 28, 50) = 50 ms.
 */
public final class Impairment {

    /** The settings of one direction. */
    public record Settings(
            double delayMs,
            double jitterMs,
            double lossPercent,
            double reorderPercent,
            double rateKbps,
            double queueMs) {

        /** A clean path: every packet passes at once. */
        public static final Settings NONE = new Settings(0, 0, 0, 0, 0, 200);

        public Settings {
            if (delayMs < 0
                    || jitterMs < 0
                    || jitterMs > delayMs
                    || lossPercent < 0
                    || lossPercent > 100
                    || reorderPercent < 0
                    || reorderPercent > 100
                    || rateKbps < 0
                    || queueMs < 0) {
                throw new IllegalArgumentException("impossible impairment: delay " + delayMs + " ms, jitter " + jitterMs
                        + " ms (at most the delay), loss " + lossPercent + " %, reorder " + reorderPercent + " %, rate "
                        + rateKbps + " kbit/s, queue " + queueMs + " ms");
            }
        }

        /**
         * Parses {@code "delay=40,jitter=15,loss=1,reorder=0,rate=2000,queue=200"} (ms, %, kbit/s; any
         * subset, in any order; "" or "none" is a clean path). Example: "delay=40,jitter=15,loss=1".
         */
        public static Settings parse(String text) {
            double delay = 0;
            double jitter = 0;
            double loss = 0;
            double reorder = 0;
            double rate = 0;
            double queue = NONE.queueMs;
            String trimmed = text.strip();
            if (trimmed.isEmpty() || trimmed.equals("none")) {
                return NONE;
            }
            for (String part : trimmed.split(",")) {
                String[] kv = part.split("=", 2);
                if (kv.length != 2) {
                    throw new IllegalArgumentException("'" + part + "' is not key=value in impairment '" + text + "'");
                }
                double value = Double.parseDouble(kv[1].strip().replaceAll("(ms|%|kbps)$", ""));
                switch (kv[0].strip()) {
                    case "delay" -> delay = value;
                    case "jitter" -> jitter = value;
                    case "loss" -> loss = value;
                    case "reorder" -> reorder = value;
                    case "rate" -> rate = value;
                    case "queue" -> queue = value;
                    default ->
                        throw new IllegalArgumentException("unknown impairment key '" + kv[0]
                                + "' (delay, jitter, loss, reorder, rate, queue) in '" + text + "'");
                }
            }
            return new Settings(delay, jitter, loss, reorder, rate, queue);
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "delay=%s,jitter=%s,loss=%s,reorder=%s,rate=%s,queue=%s",
                    fmt(delayMs),
                    fmt(jitterMs),
                    fmt(lossPercent),
                    fmt(reorderPercent),
                    fmt(rateKbps),
                    fmt(queueMs));
        }

        private static String fmt(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
        }
    }

    /** What happened to one packet: dropped, or sent on at {@code departureNs}. */
    public record Fate(boolean dropped, long departureNs, boolean reordered) {
        static final Fate DROPPED = new Fate(true, -1, false);
    }

    private final Settings settings;
    private final SplittableRandom random;
    private long lastQueuedDepartureNs = Long.MIN_VALUE;
    private long bottleneckFreeNs = Long.MIN_VALUE;

    public Impairment(Settings settings, long seed) {
        this.settings = settings;
        this.random = new SplittableRandom(seed);
    }

    public Settings settings() {
        return settings;
    }

    /** The fate of a packet of {@code bytes} that arrives at {@code arrivalNs}; call in arrival order. */
    public Fate onPacket(long arrivalNs, int bytes) {
        if (settings.lossPercent > 0 && random.nextDouble() * 100 < settings.lossPercent) {
            return Fate.DROPPED;
        }
        long sendNs = arrivalNs;
        if (settings.rateKbps > 0) {
            long start = Math.max(arrivalNs, bottleneckFreeNs);
            if (start - arrivalNs > settings.queueMs * 1e6) {
                return Fate.DROPPED;
            }
            bottleneckFreeNs = start + Math.round(bytes * 8 * 1e6 / settings.rateKbps);
            sendNs = bottleneckFreeNs;
        }
        double u = settings.jitterMs > 0 ? (random.nextDouble() * 2 - 1) * settings.jitterMs : 0;
        long own = sendNs + Math.round((settings.delayMs + u) * 1e6);
        boolean skip = settings.reorderPercent > 0 && random.nextDouble() * 100 < settings.reorderPercent;
        if (skip) {
            return new Fate(false, own, own < lastQueuedDepartureNs);
        }
        lastQueuedDepartureNs = Math.max(own, lastQueuedDepartureNs);
        return new Fate(false, lastQueuedDepartureNs, false);
    }
}
