package io.avpush.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The figures issue "lip sync carried by the stream" judges a viewer by, from the flashes the page
 * displayed and the beeps heard at its loudspeaker ({@link Heard}): offset = beep − flash in ms
 * (positive: audio late), one per marker whose flash's first frame the page saw.
 *
 * <ul>
 *   <li>{@code firstOffsetMs}: the first marker after connect; {@code outsideR37}: markers outside
 *       EBU R37 (−40 … +60 ms), all of them and those from 3, 5 and 10 s after the first;
 *   <li>{@code p95AbsMs}, {@code stdMs}: over every measured marker, and from 5 and 10 s after the first;
 *   <li>drift: the least-squares slope after the first 5 s, with a 29.97 fps run's display-refresh
 *       quantization averaged out where {@link SyncFigures} can ({@code driftMsPerMin});
 *   <li>{@code concealedPercent}: audio samples the viewer's jitter buffer concealed;
 *       {@code everyFlashShown}: no marker without its flash on screen.
 * </ul>
 */
record LabFigures(
        SyncFigures sync,
        int expectedMarkers,
        int measured,
        double firstOffsetMs,
        double firstMarkerSeconds,
        int outsideR37,
        int outsideR37After3s,
        int outsideR37After5s,
        int outsideR37After10s,
        double p95AbsMs,
        double stdMs,
        double p95AbsAfter5sMs,
        double stdAfter5sMs,
        double p95AbsAfter10sMs,
        double stdAfter10sMs,
        double driftMsPerMin,
        double concealedPercent,
        boolean everyFlashShown,
        List<double[]> offsets) {

    static LabFigures of(Heard heard, JsonNode result) {
        SyncFigures s = heard.figures();
        List<double[]> offsets = heard.offsets();
        double first = offsets.isEmpty() ? Double.NaN : offsets.get(0)[0];
        double[] all = offsets.stream().mapToDouble(o -> o[1]).toArray();
        double[] settled = offsets.stream()
                .filter(o -> o[0] >= first + 5_000)
                .mapToDouble(o -> o[1])
                .toArray();
        double[] converged = offsets.stream()
                .filter(o -> o[0] >= first + 10_000)
                .mapToDouble(o -> o[1])
                .toArray();
        double connect = result.path("firstFrameEpochMs").asDouble(Double.NaN)
                - result.path("epochT0").asDouble();
        double drift =
                Double.isNaN(s.driftRefreshRemovedMsPerMin()) ? s.driftMsPerMin() : s.driftRefreshRemovedMsPerMin();
        return new LabFigures(
                s,
                s.expectedMarkers(),
                offsets.size(),
                offsets.isEmpty() ? Double.NaN : offsets.get(0)[1],
                (first - connect) / 1000,
                outside(offsets, Double.NEGATIVE_INFINITY),
                outside(offsets, first + 3_000),
                outside(offsets, first + 5_000),
                outside(offsets, first + 10_000),
                p95Abs(all),
                std(all),
                p95Abs(settled),
                std(settled),
                p95Abs(converged),
                std(converged),
                drift,
                s.concealedPercent(),
                s.missingFlashes() == 0 && s.flashes() + s.unmeasuredFlashes() + s.blind() >= s.expectedMarkers(),
                offsets);
    }

    private static int outside(List<double[]> offsets, double from) {
        return (int) offsets.stream()
                .filter(o -> o[0] >= from && !SyncFigures.inR37(o[1]))
                .count();
    }

    static double p95Abs(double[] values) {
        double[] abs = Arrays.stream(values).map(Math::abs).sorted().toArray();
        return abs.length == 0 ? Double.NaN : abs[Math.min(abs.length - 1, (int) Math.ceil(0.95 * abs.length) - 1)];
    }

    static double std(double[] values) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double mean = Arrays.stream(values).average().orElse(0);
        return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (values.length - 1));
    }

    /** One markdown table row: first marker, R37 (all, from 3 s, 10 s), p95 and std (all, from 10 s), drift, concealed, flashes. */
    String row() {
        return String.format(
                Locale.ROOT,
                "| %+.0f | %d/%d/%d of %d | %.0f / %.0f | %.1f / %.1f | %+.2f | %.2f | %s |",
                firstOffsetMs,
                outsideR37,
                outsideR37After3s,
                outsideR37After10s,
                measured,
                p95AbsMs,
                p95AbsAfter10sMs,
                stdMs,
                stdAfter10sMs,
                driftMsPerMin,
                concealedPercent,
                everyFlashShown ? "all" : "missing");
    }

    String describe() {
        StringBuilder series = new StringBuilder();
        for (double[] o : offsets) {
            series.append(String.format(Locale.ROOT, " %.0f:%+.0f", o[0] / 1000, o[1]));
        }
        return String.format(
                Locale.ROOT,
                "%d markers expected, %d measured; first marker %.1f s after the first frame: %+.1f ms%n"
                        + "outside EBU R37: %d (from 3 s after the first marker: %d, from 5 s: %d, from 10 s: %d)%n"
                        + "p95 |offset| %.1f ms, std %.1f ms (from 5 s after the first marker: p95 %.1f, std %.1f; from 10 s: p95 %.1f,"
                        + " std %.1f); drift %+.2f ms/min%n"
                        + "audio concealed %.2f %%, every flash shown: %s%n"
                        + "offsets (s:ms):%s%n"
                        + "heard: %s",
                expectedMarkers,
                measured,
                firstMarkerSeconds,
                firstOffsetMs,
                outsideR37,
                outsideR37After3s,
                outsideR37After5s,
                outsideR37After10s,
                p95AbsMs,
                stdMs,
                p95AbsAfter5sMs,
                stdAfter5sMs,
                p95AbsAfter10sMs,
                stdAfter10sMs,
                driftMsPerMin,
                concealedPercent,
                everyFlashShown,
                series,
                sync.describe());
    }
}
