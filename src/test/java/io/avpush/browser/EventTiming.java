package io.avpush.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether the page's events matched what its viewer saw, from measure.html's {@code AVPUSH-RESULT}
 * with {@code events=1}: each segment-started / segment-finished event as avpush-events.js handed
 * it on ({@code shown}: the display time of the frame it was handed on with, {@code rtp}: that
 * frame's RTP timestamp) against the demo segment's flashes, which come once a second of media
 * from the segment's first frame.
 *
 * <p>Two checks per event, each against the nearest flash within the segment (1 s after a start,
 * 1 s before a finish; a further one would also measure the pacing and video delay in between):
 * <ul>
 *   <li>Frame: libwebrtc stamps a frame's RTP timestamp from its push instant (90 per ms) and the
 *       pacer pushes the segment's frames on its grid, so the flash k seconds after the segment's
 *       first frame has an RTP timestamp 90 000 k above that frame's. Frame error = RTP distance
 *       in ms − 1000 k: 0 when the event was handed on with its own frame, one frame period when
 *       the page missed that frame's callback (the event's {@code laterMs} must then say so, and
 *       {@code shown} is corrected by it).</li>
 *   <li>Display: the flash should be displayed
 *       whole seconds from {@code shown}. Display error = the difference less those seconds and
 *       less the change of the video jitter-buffer delay in between (from the page's per-second
 *       stats: at start-up Chrome and the sync loop's catch-up move it by up to 100 ms in that
 *       second); what remains is the display refresh (16.7 ms at 60 Hz) and the stats' one-second
 *       resolution.</li>
 * </ul>
 * Example: started shown at 1000 with RTP 0, the flash at 2016.7 with RTP 90 000 → frame error 0,
 * display error +16.7 ms.
 *
 * @param framedEvents events about a frame (started, finished, speaking...)
 * @param shownByFrame how many of them were handed on at a frame's display
 * @param frameChecks flashes compared by RTP timestamp with a started or finished event
 * @param maxAbsFrameErrorMs largest |frame error| over them, less what the events' laterMs said
 * @param displayChecks nearest flashes compared by display time
 * @param maxAbsDisplayErrorMs largest |display error|
 * @param medianLeadMs median time from an event's arrival to its frame's display: how early a page
 *     acting on arrival would be
 * @param problems every started/finished event not timed by a frame, and every error over its bound
 */
record EventTiming(
        int framedEvents,
        int shownByFrame,
        int frameChecks,
        double maxAbsFrameErrorMs,
        int displayChecks,
        double maxAbsDisplayErrorMs,
        double medianLeadMs,
        List<String> problems) {

    static EventTiming from(JsonNode result, double frameMs, double maxDisplayErrorMs) {
        Map<String, Double> durations = new HashMap<>();
        result.path("posts")
                .forEach(p -> durations.put(
                        p.path("segmentId").asText(), p.path("durationMs").asDouble()));
        List<double[]> flashes = new ArrayList<>(); // {display ms, RTP timestamp or NaN}
        JsonNode rtps = result.path("flashRtp");
        for (int i = 0; i < result.path("flashes").size(); i++) {
            JsonNode rtp = rtps.path(i);
            flashes.add(
                    new double[] {result.path("flashes").get(i).asDouble(), rtp.isNumber() ? rtp.asDouble() : Double.NaN
                    });
        }
        List<String> problems = new ArrayList<>();
        List<Double> leads = new ArrayList<>();
        int framed = 0;
        int byFrame = 0;
        int frameChecks = 0;
        int displayChecks = 0;
        double maxFrame = 0;
        double maxDisplay = 0;
        for (JsonNode e : result.path("events")) {
            if (e.path("frame").isMissingNode() || e.path("frame").isNull()) {
                continue;
            }
            framed++;
            String type = e.path("type").asText();
            String what = type + " " + e.path("segmentId").asText();
            boolean started = type.equals("segment-started");
            boolean finished = type.equals("segment-finished");
            if (!"frame".equals(e.path("by").asText())) {
                if (started || finished) {
                    problems.add(what + " was handed on by " + e.path("by").asText() + ", not at its frame's display");
                }
                continue;
            }
            byFrame++;
            double shown = e.path("shown").asDouble();
            leads.add(shown - e.path("t").asDouble());
            Double duration = durations.get(e.path("segmentId").asText());
            if (!(started || finished) || duration == null) {
                continue;
            }
            double[] nearest = null;
            for (double[] f : flashes) {
                double apart = started ? f[0] - shown : shown - f[0];
                if (apart >= 500
                        && apart <= duration
                        && (nearest == null || apart < (started ? nearest[0] - shown : shown - nearest[0]))) {
                    nearest = f;
                }
            }
            if (nearest == null) {
                continue;
            }
            double apart = started ? nearest[0] - shown : shown - nearest[0];
            long k = Math.round(apart / 1000);
            String flash = String.format(Locale.ROOT, "the flash %d s %s", k, started ? "later" : "earlier");
            if (!Double.isNaN(nearest[1]) && e.path("rtp").isNumber()) {
                double rtpApartMs = wrapped(
                                started
                                        ? nearest[1] - e.path("rtp").asDouble()
                                        : e.path("rtp").asDouble() - nearest[1])
                        / 90;
                // Handed on with a frame pushed `later` ms after the event's own: the flash is that much closer.
                double later = e.path("laterMs").asDouble(0);
                double error = rtpApartMs - 1000 * k + (started ? later : -later);
                frameChecks++;
                maxFrame = Math.max(maxFrame, Math.abs(error));
                if (Math.abs(error) > frameMs / 2) {
                    problems.add(String.format(
                            Locale.ROOT,
                            "%s was handed on with a frame %+.1f ms (RTP) from its own (%s)",
                            what,
                            started ? -error : error,
                            flash));
                }
            }
            // The video delay may move in between (Chrome's start-up, the sync loop catching up at up to
            // 100 ms/s): the flash is then displayed that much later or earlier. The page's once-a-second
            // stats say by how much (delay per frame emitted over each second).
            double delayChange =
                    started ? videoDelayChange(result, shown, nearest[0]) : videoDelayChange(result, nearest[0], shown);
            double error = apart - 1000 * k - delayChange;
            displayChecks++;
            maxDisplay = Math.max(maxDisplay, Math.abs(error));
            if (Math.abs(error) > maxDisplayErrorMs) {
                problems.add(String.format(
                        Locale.ROOT,
                        "%s shown at %.1f ms, %s at %.1f ms: %+.1f ms off"
                                + " (the video delay moved %+.1f ms in between)",
                        what,
                        shown,
                        flash,
                        nearest[0],
                        error,
                        delayChange));
            }
        }
        double[] sorted =
                leads.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new EventTiming(
                framed,
                byFrame,
                frameChecks,
                maxFrame,
                displayChecks,
                maxDisplay,
                SyncFigures.percentile(sorted, 50),
                problems);
    }

    /**
     * How much the video jitter-buffer delay grew from display time {@code from} to {@code to}: the
     * delay per frame of the stats row covering each (the first row at or after it; a row covers the
     * second before it), 0 when either is unknown.
     */
    static double videoDelayChange(JsonNode result, double from, double to) {
        double a = videoDelayAt(result.path("stats"), from);
        double b = videoDelayAt(result.path("stats"), to);
        return Double.isNaN(a) || Double.isNaN(b) ? 0 : b - a;
    }

    private static double videoDelayAt(JsonNode stats, double t) {
        for (JsonNode row : stats) {
            if (row.path("t").asDouble() >= t) {
                JsonNode d = row.path("video").path("jbDelay");
                return d.isNumber() ? d.asDouble() : Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** A difference of two 32-bit RTP timestamps, as the signed distance across a wrap. */
    private static double wrapped(double diff) {
        double span = 4294967296.0;
        return diff > span / 2 ? diff - span : diff < -span / 2 ? diff + span : diff;
    }

    String describe() {
        return String.format(
                Locale.ROOT,
                "events: %d about a frame, %d handed on at a frame's display; frame by RTP: %d flashes, max |error| %.1f ms;"
                        + " display: %d flashes, max |error| %.1f ms; an event arrives %.1f ms (median) before its frame is shown",
                framedEvents,
                shownByFrame,
                frameChecks,
                maxAbsFrameErrorMs,
                displayChecks,
                maxAbsDisplayErrorMs,
                medianLeadMs);
    }
}
