package io.avpush.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * Lip sync as heard at the loudspeaker ({@link PulseListener}) instead of through the page's Web
 * Audio tap: each flash the page saw (its display time on the epoch clock, {@code epochT0 + t})
 * paired with the nearest beep the listener heard within 500 ms. The figures are
 * {@link SyncFigures} over those offsets ({@code offsets}: display time, offset ms); the absolute
 * zero includes the recording's few ms of buffering.
 */
record Heard(SyncFigures figures, int heardBeeps, double sinkClockDriftPpm, List<double[]> offsets) {

    static Heard of(JsonNode result, List<Double> beepsEpochMs, double sinkClockDriftPpm) {
        double epochT0 = result.path("epochT0").asDouble();
        ObjectNode heard = result.deepCopy();
        ArrayNode offsets = heard.putArray("offsets");
        ArrayNode beeps = heard.putArray("beeps");
        List<double[]> pairs = new java.util.ArrayList<>();
        beepsEpochMs.forEach(b -> beeps.add(Math.round((b - epochT0) * 10) / 10.0));
        for (JsonNode f : result.path("flashes")) {
            double t = f.asDouble();
            Double best = null;
            for (double b : beepsEpochMs) {
                double offset = b - epochT0 - t;
                if (Math.abs(offset) <= 500 && (best == null || Math.abs(offset) < Math.abs(best))) {
                    best = offset;
                }
            }
            ObjectNode o = offsets.addObject().put("t", t);
            if (best == null) {
                o.putNull("offsetMs");
            } else {
                o.put("offsetMs", Math.round(best * 10) / 10.0);
                pairs.add(new double[] {t, Math.round(best * 10) / 10.0});
            }
        }
        return new Heard(SyncFigures.from(heard), beepsEpochMs.size(), sinkClockDriftPpm, List.copyOf(pairs));
    }

    String describe() {
        return String.format(
                        Locale.ROOT,
                        "heard at the loudspeaker (PulseAudio null sink, %d beeps; sink clock %+.1f ppm"
                                + " against the system clock):%n",
                        heardBeeps,
                        sinkClockDriftPpm)
                + figures.describe();
    }
}
