package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.avpush.media.FrameRate;
import io.avpush.media.TestSignal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
 * <p>The gate is EBU R37 for every marker: audio at most 40 ms early and 60 ms late. Every expected
 * marker must play its beep and show its flash, and every flash whose start the page saw must be
 * within R37. The page cannot look at every frame (on a loaded machine its frame callback comes
 * late and frames are presented unseen), so the demo's flash lasts 100 ms (3 frames) and its first
 * frame is told apart from the rest: a flash first seen on a later frame, or not seen while the page
 * missed at least 3 frames in a row, is <em>unmeasured</em> ({@link SyncFigures}); at most
 * {@link #maxUnmeasured} of them are allowed, never a missing one. With the shipped settings (video
 * in its own stream, one 120 ms jitter-buffer target on both receivers, frames pushed 90 ms after
 * their audio, the page's {@code avsync.js} loop) quiet 40 s runs measure p95 |offset| of 10–25 ms.
 * The page's absolute zero is not calibrated (its Web Audio tap and Chrome's fake audio sink add an
 * unknown constant).
 *
 * <p>Without Chromium the test is skipped, except when the environment variable {@code CI} is set:
 * then it fails, so CI cannot pass by not running it.
 */
@Tag("browser")
class ChromiumSyncIT {

  /** One frame of the measured 30 fps session, in ms. */
  private static final double ONE_FRAME_MS = 1000.0 / 30;
  /**
   * An event's display time against a flash a second away: two frames. The frame check (RTP) is
   * the exact one; this one also holds the video delay's change over that second (the page's sync
   * loop moves it by up to 32 ms/s) and 60 Hz display refreshes, so it is a sanity bound.
   */
  private static final double MAX_EVENT_DISPLAY_ERROR_MS = 2 * ONE_FRAME_MS;

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
      // A gap reported at t (the next sampled frame) hid the `frames` frames displayed before t; a
      // flash first seen at t on a later frame of it began on one of the frames before t.
      int flashFrames = TestSignal.flashFramesFor(new FrameRate(30, 1));
      unsampled.add(Stream.concat(
          StreamSupport.stream(viewer.path("unsampled").spliterator(), false)
              .map(g -> new double[] {g.path("t").asDouble() - (g.path("frames").asInt() + 0.5) * frameMs,
                  g.path("t").asDouble() - 0.5 * frameMs}),
          StreamSupport.stream(viewer.path("unmeasuredFlashes").spliterator(), false)
              .map(f -> new double[] {f.path("t").asDouble() - (flashFrames + 0.5) * frameMs, f.path("t").asDouble()}))
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
      int expected = Double.isNaN(left) ? result.path("expectedMarkers").asInt()
          : (int) StreamSupport.stream(result.path("viewers").get(0).path("beeps").spliterator(), false)
              .filter(b -> b.asDouble() < left).count();
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
          // Beside result.json, for comparing the loudspeaker with the page's Web Audio tap beep by beep.
          ObjectMapper json = new ObjectMapper();
          ObjectNode heardJson = json.createObjectNode()
              .put("epochT0", run.result().path("epochT0").asDouble())
              .put("sinkClockDriftPpm", listener.clockDriftPpm());
          heardJson.set("beepsEpochMs", json.valueToTree(listener.beepsEpochMs()));
          Files.writeString(run.out().resolve("heard.json"), json.writeValueAsString(heardJson) + "\n", StandardCharsets.UTF_8);
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
   * displayed whole seconds from that display time (within two frames, see
   * {@link #MAX_EVENT_DISPLAY_ERROR_MS}).
   */
  static void assertShownWithTheirFrames(EventTiming events, int segments) {
    assertTrue(events.problems().isEmpty(), "events not shown with their frames: " + events.problems()
        + "; " + events.describe());
    assertTrue(events.frameChecks() >= segments && events.displayChecks() >= segments,
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
    assertEquals(expected, figures.flashes() + figures.unmeasuredFlashes() + figures.blind(), viewer + "flashes of " + expected + " markers" + all);
    assertTrue(figures.unmeasured() <= maxUnmeasured(expected), viewer + figures.unmeasured() + " of " + expected
        + " markers not measured (the page did not look at a flash's first frame, and the frames it saw around"
        + " it do not tell whether it was within R37; at most " + maxUnmeasured(expected) + " allowed)" + all);
    assertEquals(figures.flashes(), figures.paired(), viewer + "measured flashes paired with a beep" + all);
    assertEquals(0, figures.outsideR37() + figures.boundedOutsideR37(), viewer + "markers with audio more than " + -SyncFigures.R37_EARLY_MS + " ms early or "
        + SyncFigures.R37_LATE_MS + " ms late (EBU R37): a viewer sees lips and speech apart" + all);
  }
}
