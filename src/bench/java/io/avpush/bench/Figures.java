package io.avpush.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** How the benchmarks write their figures: percentiles, rounded lists, groups sorted by value. */
final class Figures {

    static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)];
    }

    static String round(double[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", values[i]));
        }
        return sb.append(']').toString();
    }

    static String groups0(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        values.entrySet().stream()
                .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                .forEach(e -> sb.append(String.format(Locale.ROOT, "%s %.0f  ", e.getKey(), e.getValue())));
        return sb.toString().trim();
    }

    static String groups3(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        values.entrySet().stream()
                .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                .forEach(e -> sb.append(String.format(Locale.ROOT, "%s %.3f  ", e.getKey(), e.getValue())));
        return sb.toString().trim();
    }

    static String groups(Map<String, Double> values) {
        StringBuilder sb = new StringBuilder();
        values.entrySet().stream()
                .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                .forEach(e -> sb.append(String.format(Locale.ROOT, "%s %.1f  ", e.getKey(), e.getValue())));
        return sb.toString().trim();
    }

    static Map<String, Double> perMegabyte(Map<String, Double> ms, double megabytes) {
        Map<String, Double> result = new TreeMap<>();
        ms.forEach((k, v) -> result.put(k, v / megabytes));
        return result;
    }

    /** Mean jitter-buffer delay and audio time-stretch counters of one inbound-rtp, as libwebrtc reports them. */
    static String jitter(String kind, Map<String, Object> in) {
        double delay = in.get("jitterBufferDelay") instanceof Number n ? n.doubleValue() : Double.NaN;
        double emitted = in.get("jitterBufferEmittedCount") instanceof Number n ? n.doubleValue() : Double.NaN;
        String s = String.format(Locale.ROOT, "%s jitter buffer mean %.0f ms", kind, 1000 * delay / emitted);
        if (kind.equals("audio")) {
            s += String.format(
                    Locale.ROOT,
                    ", concealed %s, inserted for deceleration %s, removed for acceleration %s of %s samples",
                    in.get("concealedSamples"),
                    in.get("insertedSamplesForDeceleration"),
                    in.get("removedSamplesForAcceleration"),
                    in.get("totalSamplesReceived"));
        }
        return s;
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private Figures() {}
}
