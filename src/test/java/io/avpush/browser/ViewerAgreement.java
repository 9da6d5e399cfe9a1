package io.avpush.browser;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Whether several viewers of one session saw the same markers at the same time. Every flash any
 * viewer displayed belongs to a marker (flashes within {@link #SAME_MARKER_MS} of the marker's first
 * one; markers are 1 s apart); per marker, skew = latest − earliest display time among the viewers
 * that saw it. A viewer that left at {@code leftAtMs} is expected to see only the markers before it.
 * A marker a viewer did not report is <em>unsampled</em>, not missed, when it fell on frames that
 * were presented while the page's frame callback was late (the page never looked at them; counted
 * by {@code presentedFrames}), and <em>missed</em> otherwise.
 *
 * <p>Example: viewer 0 flashes at 1000 and 2000 ms, viewer 1 at 1020 and 2050 ms → two markers,
 * skews 20 and 50 ms, none missed.
 */
record ViewerAgreement(
        List<Double> markerStartsMs,
        double medianSkewMs,
        double maxSkewMs,
        List<Integer> missed,
        List<Integer> missedAfterLeave,
        List<Integer> unsampled,
        double leaveMs) {

    static final double SAME_MARKER_MS = 300;

    /**
     * @param flashesMs display times of each viewer's flashes, in ms on one clock
     * @param leftAtMs  when each viewer left (NaN: it stayed to the end)
     */
    static ViewerAgreement of(List<double[]> flashesMs, double[] leftAtMs) {
        List<double[][]> none = new ArrayList<>();
        flashesMs.forEach(f -> none.add(new double[0][]));
        return of(flashesMs, leftAtMs, none);
    }

    /**
     * As above, with each viewer's unsampled display intervals ({@code [fromMs, toMs]} pairs): a marker
     * a viewer did not report that starts in one of them is counted as unsampled, not as missed.
     */
    static ViewerAgreement of(List<double[]> flashesMs, double[] leftAtMs, List<double[][]> unsampledMs) {
        double[] all =
                flashesMs.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
        List<Double> markerStarts = new ArrayList<>();
        for (double t : all) {
            if (markerStarts.isEmpty() || t - markerStarts.get(markerStarts.size() - 1) > SAME_MARKER_MS) {
                markerStarts.add(t);
            }
        }
        double leave =
                Arrays.stream(leftAtMs).filter(t -> !Double.isNaN(t)).min().orElse(Double.NaN);
        List<Double> skews = new ArrayList<>();
        List<Integer> missed = new ArrayList<>();
        List<Integer> missedAfter = new ArrayList<>();
        List<Integer> unsampled = new ArrayList<>();
        for (int v = 0; v < flashesMs.size(); v++) {
            missed.add(0);
            missedAfter.add(0);
            unsampled.add(0);
        }
        for (double start : markerStarts) {
            double earliest = Double.MAX_VALUE;
            double latest = -Double.MAX_VALUE;
            for (int v = 0; v < flashesMs.size(); v++) {
                double seen = Arrays.stream(flashesMs.get(v))
                        .filter(t -> t >= start && t <= start + SAME_MARKER_MS)
                        .findFirst()
                        .orElse(Double.NaN);
                if (!Double.isNaN(seen)) {
                    earliest = Math.min(earliest, seen);
                    latest = Math.max(latest, seen);
                } else if (!Double.isNaN(leftAtMs[v]) && start >= leftAtMs[v]) {
                    continue;
                } else if (Arrays.stream(unsampledMs.get(v)).anyMatch(gap -> start >= gap[0] && start <= gap[1])) {
                    unsampled.set(v, unsampled.get(v) + 1);
                } else {
                    missed.set(v, missed.get(v) + 1);
                    if (!Double.isNaN(leave) && start > leave) {
                        missedAfter.set(v, missedAfter.get(v) + 1);
                    }
                }
            }
            skews.add(latest - earliest);
        }
        double[] sorted =
                skews.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new ViewerAgreement(
                List.copyOf(markerStarts),
                SyncFigures.percentile(sorted, 50),
                sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1],
                missed,
                missedAfter,
                unsampled,
                leave);
    }

    int markers() {
        return markerStartsMs.size();
    }

    String describe() {
        return String.format(
                Locale.ROOT,
                "%d markers seen by the viewers; display skew between viewers median %.1f ms, max %.1f ms; "
                        + "markers missed per viewer %s, of them after a viewer left at %.0f ms: %s; "
                        + "markers on frames the page did not sample (not counted as missed): %s",
                markers(),
                medianSkewMs,
                maxSkewMs,
                missed,
                leaveMs,
                missedAfterLeave,
                unsampled);
    }
}
