package io.avpush.browser;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.media.FrameRate;
import io.avpush.media.TestSignal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.DoubleStream;
import java.util.stream.StreamSupport;

/**
 * The figures a viewer's lip sync is judged by, from the page's {@code AVPUSH-RESULT}: offset =
 * beep − flash in ms (positive = audio late), one per measured flash paired with a beep.
 *
 * <p>Every marker is accounted for by its beep (the page's audio tap hears every sample): a flash
 * is <em>measured</em> when the page saw its first frame displayed. When it first saw a later frame
 * of it (its start fell on frames presented while the page's frame callback was late), the flash
 * began between the last frame the page saw before it and that one, which bounds its offset: within
 * EBU R37 at both bounds counts as in sync ({@code boundedInR37}), outside at both as out of sync
 * ({@code boundedOutsideR37}), else it is <em>unmeasured</em>; so is a marker whose flash the page
 * did not see at all while it missed at least a flash's length of frames in a row ({@code blind}).
 * A beep with no flash otherwise is a <em>missing flash</em>, a flash with no beep within
 * {@link #PAIR_MS} a <em>missing beep</em>.
 *
 * <p>Drift and max step use only offsets from 5 s after the first flash on (Chrome's sync is still
 * converging before that). Drift is the least-squares slope of offset over time, in ms per minute.
 * Example: offsets 10, 11, 12 ms at 60, 120, 180 s → drift 1 ms/min, max step 1 ms.
 *
 * <p><b>Display refresh.</b> A flash is shown at a display refresh, so every offset carries up to
 * one refresh period of quantization that no sender controls. Headless Chromium refreshes every
 * 16.666 000 ms exactly (viz's default BeginFrame interval, 16 666 µs: 40 ppm faster than 60 Hz), so
 * against 30 fps content that quantization slides by 2.4 ms/min and wraps by one refresh every
 * ~7 minutes: a bounded sawtooth that a least-squares slope over ten minutes reads as up to
 * ±2.4 ms/min of "drift", and ±1-refresh flicker near the wrap reads as 16.7 or 33.3 ms "steps".
 * {@link RefreshRemoved} fits the refresh grid to the flash display times and, when the content
 * sweeps across it fast enough (29.97 fps: a refresh every ~16 s), averages each flash's
 * quantization out with the flash's RTP timestamp (its push instant, 90 per ms); the drift and
 * steps of those offsets are the sync's own ({@code driftRefreshRemovedMsPerMin}, {@code
 * maxStepRefreshRemovedMs}). NaN when the display times are not on a 60 Hz grid (another browser,
 * no RTP timestamps) or the content is locked to the refresh (30 fps: ~7 minutes a sweep).
 */
record SyncFigures(
        int expectedMarkers,
        int flashes,
        int beeps,
        int paired,
        int unmeasuredFlashes,
        int boundedInR37,
        int boundedOutsideR37,
        int blind,
        int missingFlashes,
        int missingBeeps,
        double medianMs,
        double p50AbsMs,
        double p95AbsMs,
        double maxAbsMs,
        double driftMsPerMin,
        double maxStepMs,
        double refreshMs,
        double refreshSweepMs,
        double driftRefreshRemovedMsPerMin,
        double maxStepRefreshRemovedMs,
        int outsideR37,
        long framesDecoded,
        long framesDropped,
        double concealedPercent,
        List<Double> firstFrameLatencyMs,
        List<Double> firstFrameFromSendMs,
        List<Double> medianPerWindowMs,
        long serverStalls,
        long serverReanchors,
        List<String> recentServerStalls) {

    static final double SETTLE_MS = 5000;
    static final double WINDOW_MS = 30_000;
    static final double PAIR_MS = 500;
    /** EBU R37: audio at most 40 ms early ... */
    static final double R37_EARLY_MS = -40;
    /** ... and 60 ms late. */
    static final double R37_LATE_MS = 60;

    static SyncFigures from(JsonNode result) {
        List<double[]> pairs = new ArrayList<>();
        for (JsonNode o : result.path("offsets")) {
            if (!o.path("offsetMs").isNull() && !o.path("offsetMs").isMissingNode()) {
                pairs.add(
                        new double[] {o.path("t").asDouble(), o.path("offsetMs").asDouble()});
            }
        }
        double[] offsets = pairs.stream().mapToDouble(p -> p[1]).toArray();
        double[] abs = Arrays.stream(offsets).map(Math::abs).sorted().toArray();
        double firstT = pairs.isEmpty() ? 0 : pairs.get(0)[0];
        List<double[]> settled =
                pairs.stream().filter(p -> p[0] >= firstT + SETTLE_MS).toList();
        int outside = (int) Arrays.stream(offsets).filter(o -> !inR37(o)).count();

        double[] beeps = times(result.path("beeps"));
        double[] measured = times(result.path("flashes"));
        double[] unmeasured = StreamSupport.stream(
                        result.path("unmeasuredFlashes").spliterator(), false)
                .mapToDouble(f -> f.path("t").asDouble())
                .toArray();
        double[] anyFlash = DoubleStream.concat(Arrays.stream(measured), Arrays.stream(unmeasured))
                .toArray();
        FrameRate fps = FrameRate.parse(result.path("fps").asText("30"));
        double frameMs = 1000 / fps.fps();
        int flashFrames = TestSignal.flashFramesFor(fps);
        // [from, to] display times of runs of at least a flash's length of frames the page never looked at.
        List<double[]> blindSpans = new ArrayList<>();
        for (JsonNode gap : result.path("unsampled")) {
            if (gap.path("frames").asInt() >= flashFrames) {
                double t = gap.path("t").asDouble();
                blindSpans.add(new double[] {t - (gap.path("frames").asInt() + 0.5) * frameMs, t});
            }
        }
        int blind = 0;
        int missingFlashes = 0;
        for (double b : beeps) {
            if (!near(anyFlash, b)) {
                if (blindSpans.stream().anyMatch(g -> g[1] >= b - PAIR_MS && g[0] <= b + PAIR_MS)) {
                    blind++;
                } else {
                    missingFlashes++;
                }
            }
        }
        int missingBeeps =
                (int) Arrays.stream(anyFlash).filter(f -> !near(beeps, f)).count();
        int boundedIn = 0;
        int boundedOut = 0;
        for (JsonNode f : result.path("unmeasuredFlashes")) {
            double t = f.path("t").asDouble();
            OptionalDouble beep = Arrays.stream(beeps)
                    .filter(b -> Math.abs(b - t) <= PAIR_MS)
                    .reduce((x, y) -> Math.abs(x - t) <= Math.abs(y - t) ? x : y);
            if (beep.isEmpty() || !f.path("after").isNumber()) {
                continue;
            }
            // The flash began in (after, t]: its offset lies in [beep - t, beep - after).
            double least = beep.getAsDouble() - t;
            double most = beep.getAsDouble() - f.path("after").asDouble();
            if (inR37(least) && inR37(most)) {
                boundedIn++;
            } else if (most < R37_EARLY_MS || least > R37_LATE_MS) {
                boundedOut++;
            }
        }

        RefreshRemoved refresh = RefreshRemoved.from(result, firstT + SETTLE_MS);

        JsonNode stats = result.path("stats");
        JsonNode first = stats.size() > 0 ? stats.get(0) : null;
        JsonNode last = stats.size() > 0 ? stats.get(stats.size() - 1) : null;
        double samples = delta(first, last, "audio", "samples");
        double concealed = delta(first, last, "audio", "concealed");

        return new SyncFigures(
                result.path("expectedMarkers").asInt(),
                result.path("flashes").size(),
                result.path("beeps").size(),
                pairs.size(),
                unmeasured.length,
                boundedIn,
                boundedOut,
                blind,
                missingFlashes,
                missingBeeps,
                percentile(Arrays.stream(offsets).sorted().toArray(), 50),
                percentile(abs, 50),
                percentile(abs, 95),
                abs.length == 0 ? Double.NaN : abs[abs.length - 1],
                slopePerMinute(settled),
                maxStep(settled),
                refresh.periodMs(),
                refresh.sweepMs(),
                refresh.driftMsPerMin(),
                refresh.maxStepMs(),
                outside,
                last == null ? 0 : last.path("video").path("decoded").asLong(),
                last == null ? 0 : last.path("video").path("dropped").asLong(),
                samples > 0 ? 100 * concealed / samples : Double.NaN,
                numbers(result.path("firstFrameLatencyMs")),
                numbers(result.path("firstFrameFromSendMs")),
                medianPerWindow(pairs, firstT),
                result.path("status").path("pushed").path("stalls").asLong(),
                result.path("status").path("reanchors").asLong(),
                serverStalls(result));
    }

    /**
     * The server's latest push stalls (a push at least 10 ms past its deadline), dated on the page's
     * clock like the markers: "t s: max late ms (frames, chunks)".
     */
    static List<String> serverStalls(JsonNode result) {
        double epochT0 = result.path("epochT0").asDouble();
        List<String> out = new ArrayList<>();
        for (JsonNode st : result.path("status").path("pushed").path("recentStalls")) {
            out.add(String.format(
                    Locale.ROOT,
                    "%.1f s: %.1f ms late (%d frames, %d chunks)",
                    (st.path("dueEpochMs").asDouble() - epochT0) / 1000,
                    st.path("maxLateMs").asDouble(),
                    st.path("frames").asInt(),
                    st.path("chunks").asInt()));
        }
        return out;
    }

    /** Markers whose offset is not known to be within R37 or not: see the class comment. */
    int unmeasured() {
        return unmeasuredFlashes - boundedInR37 - boundedOutsideR37 + blind;
    }

    static boolean inR37(double offsetMs) {
        return offsetMs >= R37_EARLY_MS && offsetMs <= R37_LATE_MS;
    }

    private static boolean near(double[] times, double t) {
        return Arrays.stream(times).anyMatch(x -> Math.abs(x - t) <= PAIR_MS);
    }

    private static double[] times(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false)
                .mapToDouble(JsonNode::asDouble)
                .toArray();
    }

    /** Median signed offset of each 30 s window from the first flash on: how the offset wanders. */
    static List<Double> medianPerWindow(List<double[]> pairs, double firstT) {
        List<Double> medians = new ArrayList<>();
        for (double from = firstT; ; from += WINDOW_MS) {
            double start = from;
            double[] in = pairs.stream()
                    .filter(p -> p[0] >= start && p[0] < start + WINDOW_MS)
                    .mapToDouble(p -> p[1])
                    .sorted()
                    .toArray();
            if (in.length == 0) {
                return medians;
            }
            medians.add(percentile(in, 50));
        }
    }

    private static List<Double> numbers(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(n -> values.add(n.isNull() ? Double.NaN : n.asDouble()));
        return values;
    }

    /** Nearest-rank percentile of sorted values. Example: p50 of [1, 2, 3, 4] is 2, p95 is 4. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** Least-squares slope of (t ms, offset ms) in ms per minute. */
    static double slopePerMinute(List<double[]> points) {
        if (points.size() < 3) {
            return Double.NaN;
        }
        double mt = points.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double mo = points.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double num = 0;
        double den = 0;
        for (double[] p : points) {
            num += (p[0] - mt) * (p[1] - mo);
            den += (p[0] - mt) * (p[0] - mt);
        }
        return den == 0 ? Double.NaN : num / den * 60_000;
    }

    static double maxStep(List<double[]> points) {
        double max = 0;
        for (int i = 1; i < points.size(); i++) {
            max = Math.max(max, Math.abs(points.get(i)[1] - points.get(i - 1)[1]));
        }
        return max;
    }

    private static double delta(JsonNode first, JsonNode last, String kind, String field) {
        if (first == null || last == null) {
            return 0;
        }
        return last.path(kind).path(field).asDouble()
                - first.path(kind).path(field).asDouble();
    }

    /** One block of text with every figure, the way the test and the benchmark print them. */
    String describe() {
        return String.format(
                Locale.ROOT,
                "markers: %d expected, %d flashes, %d beeps, %d paired; %d flashes seen after their start (offset bounds"
                        + " within R37: %d, outside: %d), %d beeps while the page saw no frame; missing: %d flashes, %d beeps%n"
                        + "offset beep-flash ms (+ = audio late): median %+.1f, p50|x| %.1f, p95|x| %.1f, max|x| %.1f%n"
                        + "drift %+.1f ms/min, max step %.1f ms (after the first %.0f s); outside EBU R37 [-40,+60]: %d of %d%n"
                        + "display refresh %.6f ms, sweeping a refresh in %.1f s; quantization averaged out: drift %+.2f ms/min, max step %.1f ms%n"
                        + "video: %d frames decoded, %d dropped; audio concealed %.2f %%%n"
                        + "median offset per %.0f s window, ms: %s%n"
                        + "first-frame latency ms, segment's first frame shown after the demo POST returned: %s, after it was sent: %s%n"
                        + "server: %d push stalls (a push at least 10 ms late), %d re-anchors; latest stalls, page time: %s",
                expectedMarkers,
                flashes,
                beeps,
                paired,
                unmeasuredFlashes,
                boundedInR37,
                boundedOutsideR37,
                blind,
                missingFlashes,
                missingBeeps,
                medianMs,
                p50AbsMs,
                p95AbsMs,
                maxAbsMs,
                driftMsPerMin,
                maxStepMs,
                SETTLE_MS / 1000,
                outsideR37,
                paired,
                refreshMs,
                refreshSweepMs / 1000,
                driftRefreshRemovedMsPerMin,
                maxStepRefreshRemovedMs,
                framesDecoded,
                framesDropped,
                concealedPercent,
                WINDOW_MS / 1000,
                medianPerWindowMs,
                firstFrameLatencyMs,
                firstFrameFromSendMs,
                serverStalls,
                serverReanchors,
                recentServerStalls);
    }

    /**
     * The offsets with the display's refresh quantization averaged out (see the class comment).
     *
     * <p>For flash i, {@code v = display − rtp/90} is its video latency plus a constant plus its
     * quantization: how far its display refresh lies after the instant Chromium meant to show it,
     * between 0 and one refresh. Whether that varies from flash to flash depends on how the content
     * slides against the grid: at 30 fps, one second of content is 60.0024 refreshes of 16.666 ms, so
     * the quantization takes ~7 minutes to sweep one refresh (a 10-minute run sees 1.4 sweeps and
     * cannot tell a sub-refresh change of the video latency from the sweep); at 29.97 fps it sweeps a
     * refresh every ~16 s. When a sweep takes at most {@link #MAX_SWEEP_MS}, the mean of {@code v}
     * over two sweeps around a flash is its video latency plus a constant, and {@code offset + v −
     * mean} is the offset with that flash's quantization replaced by the average one: its drift and
     * steps are the sync's. A video latency step shows spread over the two sweeps; an audio one whole.
     * Flashes less than a sweep from either end of the run have no full window and are left out.
     */
    record RefreshRemoved(double periodMs, double sweepMs, double driftMsPerMin, double maxStepMs) {
        static final double NOMINAL_MS = 1000.0 / 60;
        /** The grid's period is searched within ±120 ppm of 60 Hz ... */
        static final double SEARCH_PPM = 120;
        /** ... and must explain every flash display time within this (the page rounds to 0.1 ms). */
        static final double MAX_RESIDUAL_MS = 0.5;
        /** Sweeps slower than this leave the quantization in the offsets (NaN figures). */
        static final double MAX_SWEEP_MS = 60_000;

        static final RefreshRemoved NONE = new RefreshRemoved(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        static RefreshRemoved from(JsonNode result, double settledFrom) {
            JsonNode displays = result.path("flashes");
            JsonNode rtps = result.path("flashRtp");
            if (displays.size() < 10 || rtps.size() != displays.size()) {
                return NONE;
            }
            double[] t = times(displays);
            double period = gridPeriod(t);
            if (Double.isNaN(period)) {
                return NONE;
            }
            double[] v = new double[t.length];
            double[] slides = new double[t.length - 1];
            long rtpBase = 0;
            long previousRtp = -1;
            double previousContent = 0;
            for (int i = 0; i < t.length; i++) {
                if (!rtps.get(i).isNumber()) {
                    return NONE;
                }
                long rtp = rtps.get(i).asLong();
                if (previousRtp >= 0 && rtp < previousRtp - (1L << 31)) {
                    rtpBase += 1L << 32; // the 32-bit RTP timestamp wrapped
                }
                previousRtp = rtp;
                double content = (rtp + rtpBase) / 90.0;
                v[i] = t[i] - content;
                if (i > 0) {
                    double dc = content - previousContent;
                    slides[i - 1] = Math.abs(dc - period * Math.rint(dc / period)) / dc; // ms of slide per ms
                }
                previousContent = content;
            }
            Arrays.sort(slides);
            double slidePerMs = slides[slides.length / 2];
            double sweep = slidePerMs > 0 ? period / slidePerMs : Double.POSITIVE_INFINITY;
            if (sweep > MAX_SWEEP_MS) {
                return new RefreshRemoved(period, sweep, Double.NaN, Double.NaN);
            }
            Map<Double, Double> offsetAt = new HashMap<>();
            for (JsonNode o : result.path("offsets")) {
                if (o.path("offsetMs").isNumber()) {
                    offsetAt.put(o.path("t").asDouble(), o.path("offsetMs").asDouble());
                }
            }
            List<double[]> corrected = new ArrayList<>();
            for (int i = 0; i < t.length; i++) {
                Double offset = offsetAt.get(t[i]);
                if (offset == null || t[i] < settledFrom || t[i] - sweep < t[0] || t[i] + sweep > t[t.length - 1]) {
                    continue;
                }
                double sum = 0;
                int n = 0;
                for (int j = 0; j < t.length; j++) {
                    if (Math.abs(t[j] - t[i]) <= sweep) {
                        sum += v[j];
                        n++;
                    }
                }
                corrected.add(new double[] {t[i], offset + v[i] - sum / n});
            }
            return new RefreshRemoved(period, sweep, slopePerMinute(corrected), maxStep(corrected));
        }

        /**
         * The period of the refresh grid the display times lie on: each candidate near 60 Hz numbers
         * the refreshes from the first flash, a least-squares line through (number, time) refines it,
         * and the best one must explain every time within {@link #MAX_RESIDUAL_MS}. NaN if none does.
         */
        static double gridPeriod(double[] t) {
            double best = Double.NaN;
            double bestResidual = Double.MAX_VALUE;
            double span = NOMINAL_MS * SEARCH_PPM * 1e-6;
            // Candidates 1e-5 ms apart: a 10-minute run numbers its last flash right (error < P/2).
            for (double candidate = NOMINAL_MS - span; candidate <= NOMINAL_MS + span; candidate += 1e-5) {
                double[] k = new double[t.length];
                for (int i = 0; i < t.length; i++) {
                    k[i] = Math.rint((t[i] - t[0]) / candidate);
                }
                double mk = Arrays.stream(k).average().orElseThrow();
                double mt = Arrays.stream(t).average().orElseThrow();
                double num = 0;
                double den = 0;
                for (int i = 0; i < t.length; i++) {
                    num += (k[i] - mk) * (t[i] - mt);
                    den += (k[i] - mk) * (k[i] - mk);
                }
                double period = num / den;
                double residual = 0;
                for (int i = 0; i < t.length; i++) {
                    residual = Math.max(residual, Math.abs(t[i] - (mt + (k[i] - mk) * period)));
                }
                if (residual < bestResidual) {
                    bestResidual = residual;
                    best = period;
                }
            }
            return bestResidual <= MAX_RESIDUAL_MS ? best : Double.NaN;
        }
    }
}
