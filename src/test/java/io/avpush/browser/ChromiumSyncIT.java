package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lip sync as a viewer sees it: the real avpush node streams its marker clip (white flash + beep
 * once a second) to headless Chromium, whose page ({@code /static/measure.html}) measures when each
 * flash is displayed and when each beep is played, and reports every offset and its getStats().
 *
 * <p>Run inside {@code scripts/in-netns.sh} (libwebrtc and Chromium ignore loopback for ICE):
 * {@code scripts/in-netns.sh mvn -o -q -B test -Pall -Dtest=ChromiumSyncIT}. Duration: property
 * {@code avpush.sync.seconds} (default 40; {@code scripts/sync-bench.sh} runs it for minutes);
 * {@code avpush.sync.query} is appended to the page's URL (default {@code &jbt=120}: one
 * jitter-buffer target on both receivers, as the demo page sets; e.g. {@code &jbt=120&gapMs=2000});
 * {@code avpush.sync.out} names a directory for {@code result.json}, {@code figures.txt} and
 * {@code chromium.log} (default: a new temporary directory).
 *
 * <p>The real target is EBU R37: audio at most 40 ms early and 60 ms late, for every marker, after
 * start-up. With the shipped settings (video in its own stream, one 120 ms jitter-buffer target
 * on both receivers, frames pushed 90 ms after their audio; 60 ms before) two 40 s runs on a quiet 2-core
 * machine measured median +23.6 / +17.7 ms, p95 |offset| 25.5 / 18.4 ms, 0 markers outside R37.
 * The page's absolute zero is not calibrated (its Web Audio tap and Chrome's fake audio sink add an
 * unknown constant), and a machine loaded to 10 runnable threads pushed p95 to 460 ms, so the gate
 * is a regression guard with margin, not R37 itself: ≥ 80 % of markers paired, median |offset|
 * under 100 ms, p95 under 200 ms (Chrome's own A/V sync, the old default, reached 390–470 ms).
 *
 * <p>Without Chromium the test is skipped, except when the environment variable {@code CI} is set:
 * then it fails, so CI cannot pass by not running it.
 */
@Tag("browser")
class ChromiumSyncIT {

  private static final double MIN_PAIRED_FRACTION = 0.8;
  private static final double MAX_MEDIAN_ABS_OFFSET_MS = 100;
  private static final double MAX_P95_ABS_OFFSET_MS = 200;
  /** One frame of the measured 30 fps session, in ms. */
  private static final double ONE_FRAME_MS = 1000.0 / 30;
  /** An event's display time against a flash a second away: one frame and one 60 Hz refresh. */
  private static final double MAX_EVENT_DISPLAY_ERROR_MS = ONE_FRAME_MS + 1000.0 / 60;

  @Test
  void markerFlashesAndBeepsStayTogetherInChromium() throws Exception {
    measure(Integer.getInteger("avpush.sync.seconds", 40), System.getProperty("avpush.sync.query", "&jbt=120"));
  }

  /** The same measurement with the page connected as a WHEP player (POST /whep/{id}, DELETE at the end). */
  @Test
  void aWhepViewerInChromiumGetsTheMarkersInSync() throws Exception {
    if (System.getProperty("avpush.sync.seconds") != null) {
      Assumptions.abort("the long benchmark run measures the JSON offer API only");
    }
    measure(20, "&jbt=120&whep=1");
  }

  /**
   * Three viewers of one session (three peer connections, each with its own {@code <video>}, in one
   * page, so that all are timed on one clock) see every flash within two frames of each other, each
   * with its beeps within the gates above; viewer 2 leaves 5.5 s in (pc.close() and DELETE of its
   * viewer resource) and the two others miss no marker after it. Three videos keep one page's main
   * thread busy: frames presented while its frame callback was late are never looked at (about 60
   * of 600 per viewer on a loaded 2-core machine), so a marker that fell on such frames is
   * "unsampled" — neither expected nor counted as missed ({@link ViewerAgreement}).
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
    try (InProcessServer server = InProcessServer.start(Duration.ofSeconds(20))) {
      url = server.baseUrl() + "/static/measure.html?seconds=20&jbt=120&viewers=" + viewers + "&leave=2&leaveAtMs=5500";
      run = MeasurePage.run(url, 20 + 60L, "ChromiumSyncIT-viewers");
    }
    JsonNode result = run.result();
    assertTrue(result.path("error").isNull(), "the page failed: " + result.path("error").asText());
    assertEquals(viewers, result.path("viewers").size(), "viewers in the result");
    List<double[]> flashes = new ArrayList<>();
    List<double[][]> unsampled = new ArrayList<>();
    double[] leftAt = new double[viewers];
    double frameMs = 1000.0 / 30;
    for (int v = 0; v < viewers; v++) {
      JsonNode viewer = result.path("viewers").get(v);
      flashes.add(StreamSupport.stream(viewer.path("flashes").spliterator(), false).mapToDouble(JsonNode::asDouble).toArray());
      leftAt[v] = viewer.path("leftAt").isNumber() ? viewer.path("leftAt").asDouble() : Double.NaN;
      // A gap reported at t (the next sampled frame) hid the `frames` frames displayed before t.
      unsampled.add(StreamSupport.stream(viewer.path("unsampled").spliterator(), false)
          .map(g -> new double[] {g.path("t").asDouble() - (g.path("frames").asInt() + 0.5) * frameMs,
              g.path("t").asDouble() - 0.5 * frameMs})
          .toArray(double[][]::new));
    }
    ViewerAgreement agreement = ViewerAgreement.of(flashes, leftAt, unsampled);
    StringBuilder report = new StringBuilder("ChromiumSyncIT three viewers (" + url + "; result: "
        + run.out().resolve("result.json") + ")\n" + agreement.describe() + "\n");
    List<SyncFigures> perViewer = new ArrayList<>();
    for (int v = 0; v < viewers; v++) {
      ObjectNode viewer = result.path("viewers").get(v).deepCopy();
      // Markers the page could not look at are not expected of it.
      int expected = (Double.isNaN(leftAt[v]) ? result.path("expectedMarkers").asInt() : agreement.markersBefore(leftAt[v]))
          - agreement.unsampled().get(v);
      viewer.put("expectedMarkers", expected);
      SyncFigures figures = SyncFigures.from(viewer);
      perViewer.add(figures);
      report.append("viewer ").append(v).append(Double.isNaN(leftAt[v]) ? "" : " (left at " + leftAt[v] + " ms)")
          .append(":\n").append(figures.describe()).append("\n");
    }
    Files.writeString(run.out().resolve("figures.txt"), report, StandardCharsets.UTF_8);
    System.out.println(report);

    assertTrue(leftAt[2] > 0, "viewer 2 did not leave");
    assertEquals(2, result.path("status").path("viewersConnected").asInt(),
        "avpush should count the two viewers that stayed: " + result.path("status"));
    for (int v = 0; v < viewers; v++) {
      assertInSync(perViewer.get(v), perViewer.get(v).expectedMarkers(), "viewer " + v + ": ");
    }
    assertEquals(List.of(0, 0, 0), agreement.missedAfterLeave(),
        "markers missed by the viewers that stayed, after viewer 2 left at " + leftAt[2] + " ms");
    double twoFramesMs = 2 * 1000.0 / 30;
    assertTrue(agreement.maxSkewMs() <= twoFramesMs,
        "the viewers showed a flash up to " + agreement.maxSkewMs() + " ms apart (more than two frames)");
    assertEquals(0, result.path("notes").size(), "page notes: " + result.path("notes"));
  }

  private void measure(int seconds, String query) throws Exception {
    MeasurePage.Run run;
    Heard heard = null;
    String url;
    try (InProcessServer server = InProcessServer.start(Duration.ofSeconds(20))) {
      url = server.baseUrl() + "/static/measure.html?seconds=" + seconds + query
          + (query.contains("events=") ? "" : "&events=1");
      if (Boolean.getBoolean("avpush.sync.listen")) {
        MeasurePage.require(PulseListener.missingReason());
        try (PulseListener listener = PulseListener.start()) {
          run = MeasurePage.run(url, seconds + 45L, "ChromiumSyncIT", listener.prefix(), List.of());
          heard = Heard.of(run.result(), listener.beepsEpochMs(), listener.clockDriftPpm());
        }
      } else {
        run = MeasurePage.run(url, seconds + 45L, "ChromiumSyncIT");
      }
    }
    JsonNode result = run.result();
    SyncFigures figures = SyncFigures.from(result);
    EventTiming events = EventTiming.from(result, ONE_FRAME_MS, MAX_EVENT_DISPLAY_ERROR_MS);
    String report = "ChromiumSyncIT figures (" + url + "; result: " + run.out().resolve("result.json") + ")\n"
        + figures.describe() + "\n" + events.describe() + (heard == null ? "" : "\n" + heard.describe());
    Files.writeString(run.out().resolve("figures.txt"), report + "\n", StandardCharsets.UTF_8);
    System.out.println(report);

    assertTrue(result.path("error").isNull(), "the page failed: " + result.path("error").asText());
    assertTrue(figures.expectedMarkers() > 0, "the page queued no demo markers");
    assertInSync(figures, figures.expectedMarkers(), "");
    assertEquals(0, result.path("notes").size(), "page notes: " + result.path("notes"));
    if (url.contains("events=1")) {
      assertShownWithTheirFrames(events, result.path("posts").size());
    }
  }

  /**
   * Issue 8's "event times match what the viewer sees within one frame": every segment's started
   * and finished events were handed on by avpush-events.js at the display of their own frame (RTP
   * timestamps of the flashes whole seconds away, within half a frame), and the nearest flash was
   * displayed whole seconds from that display time (within a frame and a display refresh).
   */
  static void assertShownWithTheirFrames(EventTiming events, int segments) {
    assertTrue(events.problems().isEmpty(), "events not shown with their frames: " + events.problems()
        + "; " + events.describe());
    assertTrue(events.frameChecks() >= segments && events.displayChecks() >= segments,
        "too few flashes compared with the " + segments + " segments' events: " + events.describe());
  }

  /** The regression gates of the class comment, for one viewer that should have seen {@code expected} markers. */
  static void assertInSync(SyncFigures figures, int expected, String viewer) {
    assertTrue(figures.paired() >= MIN_PAIRED_FRACTION * expected,
        viewer + "only " + figures.paired() + " of " + expected + " markers showed a flash with its beep");
    assertTrue(figures.p50AbsMs() < MAX_MEDIAN_ABS_OFFSET_MS,
        viewer + "median |beep - flash| is " + figures.p50AbsMs() + " ms; a viewer sees lips and speech apart");
    assertTrue(figures.p95AbsMs() < MAX_P95_ABS_OFFSET_MS,
        viewer + "p95 |beep - flash| is " + figures.p95AbsMs() + " ms; lips and speech drift apart while it plays");
  }
}
