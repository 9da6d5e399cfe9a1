package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.avpush.media.FrameRate;
import io.avpush.media.TestSignal;
import io.avpush.netlab.Impairment;
import io.avpush.testing.InProcessNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lip sync in headless Chromium as a viewer gets it from the stream alone: {@link SyncLab} plays
 * the marker clip (a white flash and a beep at the same media instant, once a second) to a plain
 * page (recvonly transceivers, the stream on a {@code <video>}, no jitter-buffer target, no avpush
 * script), connected by the JSON offer API or by WHEP; the page dates every flash it displays and a
 * PulseAudio null sink every beep Chromium plays. The browser's own synchronizer aligns the two
 * from avpush's RTCP sender reports; the gate is {@link #assertLipSync}. A third test checks that
 * the session's events reach {@code measure.html} with their frames.
 *
 * <p>Run inside {@code scripts/in-netns.sh} (libwebrtc and Chromium ignore loopback for ICE):
 * {@code scripts/in-netns.sh mvn -o -q -B test -Pall -Dtest=ChromiumSyncIT}; longer runs, other
 * viewers and networks: {@code scripts/sync-bench.sh}. Results go to {@code avpush.sync.out} (default:
 * a new temporary directory).
 *
 * <p>Without Chromium or PulseAudio the test is skipped, except when the environment variable
 * {@code CI} is set: then it fails, so CI cannot pass by not running it.
 */
@Tag("browser")
class ChromiumSyncIT {

    /** One frame of the measured 30 fps session, in ms. */
    private static final double ONE_FRAME_MS = 1000.0 / 30;
    /**
     * An event's display time against a flash a second away: two frames. The frame check (RTP) is
     * the exact one; this one also holds the video delay's change over that second (Chromium's
     * synchronizer moves it at start-up) and 60 Hz display refreshes, so it is a sanity bound.
     */
    private static final double MAX_EVENT_DISPLAY_ERROR_MS = 2 * ONE_FRAME_MS;
    /** How long the viewer watches the idle session before the first segment (see {@link #assertLipSync}). */
    private static final int WATCHING_FIRST_MS = 2_000;
    /**
     * How far one report of Chromium's synchronizer may put the relative delay from its median:
     * measured -13..-6 ms in one run, also with both cores busy; the arrival of the last packet of
     * each kind moves it by a few ms.
     */
    private static final double MAX_RELATIVE_DELAY_DEVIATION_MS = 20;

    @Test
    void aPlainPageHearsEveryBeepWithItsFlash() throws Exception {
        assertLipSync(lab(SyncLab.Viewer.PLAIN, 30, "plain"));
    }

    @Test
    void aPlainWhepPlayerHearsEveryBeepWithItsFlash() throws Exception {
        assertLipSync(lab(SyncLab.Viewer.PLAIN_WHEP, 20, "plain-whep"));
    }

    /** The session's events reach measure.html's viewer on its data channel and are handed on at their frame's display. */
    @Test
    void eventsAreHandedOnWithTheirFrames() throws Exception {
        MeasurePage.Run run;
        String url;
        try (InProcessNode server = InProcessNode.start(Duration.ofSeconds(20))) {
            url = server.baseUrl() + "/static/measure.html?seconds=20&events=1";
            run = MeasurePage.run(url, 20 + 45L, "ChromiumSyncIT-events");
        }
        JsonNode result = run.result();
        SyncFigures figures = SyncFigures.from(result);
        EventTiming events = EventTiming.from(result, ONE_FRAME_MS, MAX_EVENT_DISPLAY_ERROR_MS);
        String report = "ChromiumSyncIT events (" + url + "; result: "
                + run.out().resolve("result.json") + ")\n" + figures.describe() + "\n" + events.describe();
        Files.writeString(run.out().resolve("figures.txt"), report + "\n", StandardCharsets.UTF_8);
        System.out.println(report);
        assertTrue(
                result.path("error").isNull(),
                "the page failed: " + result.path("error").asText());
        assertEquals(0, result.path("notes").size(), "page notes: " + result.path("notes"));
        assertTrue(
                figures.expectedMarkers() > 0 && figures.beeps() == figures.expectedMarkers(),
                "every marker's beep reaches the page: " + figures.describe());
        assertShownWithTheirFrames(events, result.path("posts").size());
    }

    private static SyncLab.Run lab(SyncLab.Viewer viewer, int seconds, String label) throws Exception {
        String out = System.getProperty("avpush.sync.out");
        SyncLab.Options options = new SyncLab.Options(
                viewer,
                "chromium",
                seconds,
                0,
                "30",
                320,
                240,
                Impairment.Settings.NONE,
                Impairment.Settings.NONE,
                1,
                out != null ? Path.of(out, label) : Files.createTempDirectory("avpush-sync-" + label),
                WATCHING_FIRST_MS);
        MeasurePage.require(SyncLab.missingReason(options));
        SyncLab.Run run = SyncLab.run(options);
        System.out.println("ChromiumSyncIT " + options.describe() + " (results: " + run.out() + ")\n"
                + run.figures().describe() + "\n"
                + SynchronizerLog.read(run.out().resolve("chromium.log")).describe());
        return run;
    }

    /**
     * Three viewers of one session (three peer connections, each with its own {@code <video>}, in one
     * page, so that all are timed on one clock) see every flash within two frames of each other, each
     * with its beeps within the gate above; viewer 2 leaves 5.5 s in (pc.close() and DELETE of its
     * viewer resource) and the two others miss no marker after it. Three videos keep one page's main
     * thread busy: frames presented while its frame callback was late are never looked at (about 60
     * of 600 per viewer on a loaded 2-core machine), so a flash whose start fell on such frames is
     * unmeasured, as for one viewer, and not counted as missed or in the skew ({@link ViewerAgreement}).
     */
    @Test
    @Tag("browser-multi") // not in .ci/run: see the pom's "all" profile
    void threeViewersSeeTheSameMarkersTogetherAndOneLeavingDisturbsNoOther() throws Exception {
        if (System.getProperty("avpush.sync.seconds") != null) {
            Assumptions.abort("the long benchmark run measures one viewer");
        }
        int viewers = 3;
        MeasurePage.Run run;
        String url;
        try (InProcessNode server = InProcessNode.start(Duration.ofSeconds(20))) {
            url = server.baseUrl() + "/static/measure.html?seconds=20&viewers=" + viewers + "&leave=2&leaveAtMs=5500";
            run = MeasurePage.run(url, 20 + 60L, "ChromiumSyncIT-viewers");
        }
        JsonNode result = run.result();
        assertTrue(
                result.path("error").isNull(),
                "the page failed: " + result.path("error").asText());
        assertEquals(viewers, result.path("viewers").size(), "viewers in the result");
        List<double[]> flashes = new ArrayList<>();
        List<double[][]> unsampled = new ArrayList<>();
        double[] leftAt = new double[viewers];
        double frameMs = 1000.0 / 30;
        for (int v = 0; v < viewers; v++) {
            JsonNode viewer = result.path("viewers").get(v);
            flashes.add(StreamSupport.stream(viewer.path("flashes").spliterator(), false)
                    .mapToDouble(JsonNode::asDouble)
                    .toArray());
            leftAt[v] = viewer.path("leftAt").isNumber() ? viewer.path("leftAt").asDouble() : Double.NaN;
            // A gap reported at t (the next sampled frame) hid the `frames` frames displayed before t; a
            // flash first seen at t on a later frame of it began on one of the frames before t.
            int flashFrames = TestSignal.flashFramesFor(new FrameRate(30, 1));
            unsampled.add(Stream.concat(
                            StreamSupport.stream(viewer.path("unsampled").spliterator(), false)
                                    .map(g -> new double[] {
                                        g.path("t").asDouble()
                                                - (g.path("frames").asInt() + 0.5) * frameMs,
                                        g.path("t").asDouble() - 0.5 * frameMs
                                    }),
                            StreamSupport.stream(
                                            viewer.path("unmeasuredFlashes").spliterator(), false)
                                    .map(f -> new double[] {
                                        f.path("t").asDouble() - (flashFrames + 0.5) * frameMs,
                                        f.path("t").asDouble()
                                    }))
                    .toArray(double[][]::new));
        }
        ViewerAgreement agreement = ViewerAgreement.of(flashes, leftAt, unsampled);
        StringBuilder report = new StringBuilder("ChromiumSyncIT three viewers (" + url + "; result: "
                + run.out().resolve("result.json") + ")\n" + agreement.describe() + "\n");
        List<SyncFigures> perViewer = new ArrayList<>();
        for (int v = 0; v < viewers; v++) {
            ObjectNode viewer = result.path("viewers").get(v).deepCopy();
            // A viewer that left should have seen the markers before it left: those whose beep viewer 0
            // (which stays) played before then (every marker has one; a flash may be unmeasured in all).
            double left = leftAt[v];
            int expected = Double.isNaN(left)
                    ? result.path("expectedMarkers").asInt()
                    : (int) StreamSupport.stream(
                                    result.path("viewers").get(0).path("beeps").spliterator(), false)
                            .filter(b -> b.asDouble() < left)
                            .count();
            viewer.put("expectedMarkers", expected);
            SyncFigures figures = SyncFigures.from(viewer);
            perViewer.add(figures);
            report.append("viewer ")
                    .append(v)
                    .append(Double.isNaN(leftAt[v]) ? "" : " (left at " + leftAt[v] + " ms)")
                    .append(":\n")
                    .append(figures.describe())
                    .append("\n");
        }
        Files.writeString(run.out().resolve("figures.txt"), report, StandardCharsets.UTF_8);
        System.out.println(report);

        assertTrue(leftAt[2] > 0, "viewer 2 did not leave");
        assertEquals(
                2,
                result.path("status").path("viewersConnected").asInt(),
                "avpush should count the two viewers that stayed: " + result.path("status"));
        for (int v = 0; v < viewers; v++) {
            assertInSync(perViewer.get(v), perViewer.get(v).expectedMarkers(), "viewer " + v + ": ");
        }
        assertEquals(
                List.of(0, 0, 0),
                agreement.missedAfterLeave(),
                "markers missed by the viewers that stayed, after viewer 2 left at " + leftAt[2] + " ms");
        double twoFramesMs = 2 * 1000.0 / 30;
        assertTrue(
                agreement.maxSkewMs() <= twoFramesMs,
                "the viewers showed a flash up to " + agreement.maxSkewMs() + " ms apart (more than two frames)");
        assertEquals(0, result.path("notes").size(), "page notes: " + result.path("notes"));
    }

    /**
     * Issue 8's "event times match what the viewer sees within one frame": every segment's started
     * and finished events were handed on by avpush-events.js at the display of their own frame (RTP
     * timestamps of the flashes whole seconds away, within half a frame), and the nearest flash was
     * displayed whole seconds from that display time (within two frames, see
     * {@link #MAX_EVENT_DISPLAY_ERROR_MS}).
     */
    static void assertShownWithTheirFrames(EventTiming events, int segments) {
        assertTrue(
                events.problems().isEmpty(),
                "events not shown with their frames: " + events.problems() + "; " + events.describe());
        assertTrue(
                events.frameChecks() >= segments && events.displayChecks() >= segments,
                "too few flashes compared with the " + segments + " segments' events: " + events.describe());
    }

    /** Unmeasured markers allowed of {@code expected}: 10 %, at least 2. Example: 36 → 3, 18 → 2. */
    static int maxUnmeasured(int expected) {
        return Math.max(2, expected / 10);
    }

    /** The gate of the class comment, for one viewer that should have seen {@code expected} markers. */
    static void assertInSync(SyncFigures figures, int expected, String viewer) {
        String all = "\n" + figures.describe();
        assertEquals(expected, figures.beeps(), viewer + "beeps played of " + expected + " markers" + all);
        assertEquals(0, figures.missingBeeps(), viewer + "flashes shown without their beep" + all);
        assertEquals(0, figures.missingFlashes(), viewer + "beeps played without their flash" + all);
        assertEquals(
                expected,
                figures.flashes() + figures.unmeasuredFlashes() + figures.blind(),
                viewer + "flashes of " + expected + " markers" + all);
        assertTrue(
                figures.unmeasured() <= maxUnmeasured(expected),
                viewer + figures.unmeasured() + " of " + expected
                        + " markers not measured (the page did not look at a flash's first frame, and the frames it saw around"
                        + " it do not tell whether it was within R37; at most " + maxUnmeasured(expected) + " allowed)"
                        + all);
        assertEquals(figures.flashes(), figures.paired(), viewer + "measured flashes paired with a beep" + all);
        assertEquals(
                0,
                figures.outsideR37() + figures.boundedOutsideR37(),
                viewer + "markers with audio more than " + -SyncFigures.R37_EARLY_MS + " ms early or "
                        + SyncFigures.R37_LATE_MS + " ms late (EBU R37): a viewer sees lips and speech apart" + all);
    }

    /**
     * The gate of a plain viewer on a clean link, what Chromium's own synchronizer achieves with
     * avpush's stream (docs/design.md, "Lip sync"):
     * <ul>
     *   <li>every marker's beep heard and its flash shown, paired within 500 ms;
     *   <li>what the sender decides: the relative delay Chromium's synchronizer derives from avpush's
     *       sender reports stays within {@link #MAX_RELATIVE_DELAY_DEVIATION_MS} of its median in
     *       every report of the run (a sender whose reports do not match its media moves it by
     *       hundreds of ms, and the picture with it);
     *   <li>from 10 s after the first marker (the synchronizer has converged: 4-9 s measured) every
     *       marker within EBU R37 and p95 |offset| at most 50 ms (its dead band is ±30 ms, and it
     *       moves the picture in 16 ms steps).
     * </ul>
     * The first seconds are printed, not gated: the browser starts its audio output 0.1-0.6 s after
     * the first packets and plays the first words that much late, and its synchronizer takes seconds
     * to follow (the "R37 from the first marker" is not met, see docs/benchmarks.md).
     * The viewer watches the idle session for {@link #WATCHING_FIRST_MS} before the first segment,
     * as in a conversation, where the viewer is there before the avatar answers: speech that starts
     * within a second of the connection piles up in the audio buffer while the browser's output
     * starts (measured 0.3-0.7 s), and on a loaded machine the synchronizer then took 15-20 s, not
     * 4-9, to bring the picture back (docs/benchmarks.md, "Speech at connect").
     */
    static void assertLipSync(SyncLab.Run run) throws IOException {
        LabFigures f = run.figures();
        SynchronizerLog synchronizer = SynchronizerLog.read(run.out().resolve("chromium.log"));
        String all = "\n" + f.describe() + "\n" + synchronizer.describe();
        assertTrue(f.everyFlashShown(), "a marker's flash was not shown within 500 ms of its beep" + all);
        assertEquals(f.expectedMarkers(), f.sync().beeps(), "beeps heard of " + f.expectedMarkers() + " markers" + all);
        assertTrue(
                f.sync().unmeasured() <= maxUnmeasured(f.expectedMarkers()),
                f.sync().unmeasured() + " markers whose flash's first frame the page did not see" + all);
        assertTrue(
                synchronizer.reports() >= run.options().seconds() / 2,
                "Chromium's synchronizer reported " + synchronizer.reports() + " times in a "
                        + run.options().seconds() + " s run" + all);
        assertTrue(
                synchronizer.maxRelativeDelayDeviationMs() <= MAX_RELATIVE_DELAY_DEVIATION_MS,
                "the relative delay Chromium derives from avpush's sender reports moved by "
                        + synchronizer.maxRelativeDelayDeviationMs() + " ms" + all);
        assertEquals(
                0,
                f.outsideR37After10s(),
                "markers from 10 s after the first with audio more than 40 ms early or" + " 60 ms late (EBU R37)"
                        + all);
        assertTrue(
                f.p95AbsAfter10sMs() <= 50,
                "p95 |offset| from 10 s after the first marker: " + f.p95AbsAfter10sMs() + " ms" + all);
    }
}
