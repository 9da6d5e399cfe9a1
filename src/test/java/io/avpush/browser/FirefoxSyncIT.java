package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lip sync in Firefox: the same page and figures as {@link ChromiumSyncIT}, in Debian's headless
 * firefox-esr with a PulseAudio null sink ({@link HeadlessFirefox}).
 *
 * <p>Firefox gathers no ICE host candidates on a host without a default route ("failed to find
 * default addresses"), and the test namespace of {@code scripts/in-netns.sh} has none: the test adds
 * {@code default dev <the namespace's veth>} for its run when there is none (packets to other hosts
 * then go nowhere: the namespace forwards nothing), and removes it after.
 *
 * <p>The gate is not R37: Firefox 153's figures do not meet it with the settings tuned on Chromium
 * (its NetEq raised the audio jitter-buffer target from 120 to 200–320 ms within 20 s and the page's
 * loop cannot follow: offsets spread over ±480 ms, see README). What is checked is what a Firefox
 * viewer gets at all: frames at the session's rate, audio without gaps, every marker's beep, every
 * marker's flash (at most {@link ChromiumSyncIT#maxUnmeasured} on frames the page did not look at),
 * and an offset measured for most markers; the offsets are printed.
 *
 * <p>Without firefox-esr or pulseaudio the test is skipped, except when the environment variable
 * {@code CI} is set: then it fails.
 */
@Tag("browser")
class FirefoxSyncIT {

  @Test
  void markerFlashesAndBeepsStayTogetherInFirefox() throws Exception {
    MeasurePage.require(HeadlessFirefox.missingReason());
    int seconds = Integer.getInteger("avpush.firefox.seconds", 40);
    MeasurePage.Run run;
    String url;
    try (DefaultRoute route = DefaultRoute.ensure();
        InProcessServer server = InProcessServer.start(Duration.ofSeconds(20))) {
      url = server.baseUrl() + "/static/measure.html?seconds=" + seconds + "&jbt=120";
      run = MeasurePage.run(url, seconds + 60L, "FirefoxSyncIT", "firefox.log",
          (u, log) -> HeadlessFirefox.open(u, log, MeasurePage.RESULT, MeasurePage.PROGRESS));
    }
    JsonNode result = run.result();
    SyncFigures figures = SyncFigures.from(result);
    String report = "FirefoxSyncIT figures (" + url + "; " + result.path("userAgent").asText() + "; result: "
        + run.out().resolve("result.json") + ")\n" + figures.describe();
    Files.writeString(run.out().resolve("figures.txt"), report + "\n", StandardCharsets.UTF_8);
    System.out.println(report);

    assertTrue(result.path("error").isNull(), "the page failed: " + result.path("error").asText());
    assertTrue(figures.expectedMarkers() > 0, "the page queued no demo markers");
    int expected = figures.expectedMarkers();
    String all = "\n" + figures.describe();
    double framesPerSecond = 30;
    assertTrue(figures.framesDecoded() >= 0.9 * framesPerSecond * seconds,
        "Firefox decoded " + figures.framesDecoded() + " frames in " + seconds + " s of 30 fps" + all);
    assertTrue(figures.concealedPercent() < 1, "Firefox concealed " + figures.concealedPercent() + " % of the audio" + all);
    assertEquals(expected, figures.beeps(), "beeps Firefox played of " + expected + " markers" + all);
    int seen = figures.flashes() + figures.unmeasuredFlashes();
    assertTrue(seen <= expected && seen >= expected - ChromiumSyncIT.maxUnmeasured(expected),
        seen + " flashes Firefox showed of " + expected + " markers" + all);
    assertTrue(figures.paired() >= expected / 2, "only " + figures.paired() + " of " + expected
        + " markers had a flash with a beep within " + SyncFigures.PAIR_MS + " ms" + all);
    assertEquals(0, result.path("notes").size(), "page notes: " + result.path("notes"));
  }

  /** A default route through the namespace's own interface while Firefox runs, when there is none. */
  private record DefaultRoute(String device) implements AutoCloseable {

    static DefaultRoute ensure() throws IOException, InterruptedException {
      if (!ip("route", "show", "default").isBlank()) {
        return new DefaultRoute(null);
      }
      // "2: avp0    inet 10.203.0.1/24 ..." : the first interface with a global IPv4 address.
      String[] first = ip("-o", "-4", "addr", "show", "scope", "global").strip().split("\\s+");
      if (first.length < 2) {
        throw new IOException("no interface with an IPv4 address for Firefox's ICE candidates");
      }
      String device = first[1];
      ip("route", "add", "default", "dev", device);
      return new DefaultRoute(device);
    }

    @Override
    public void close() throws IOException, InterruptedException {
      if (device != null) {
        ip("route", "del", "default", "dev", device);
      }
    }

    private static String ip(String... args) throws IOException, InterruptedException {
      List<String> command = new ArrayList<>(List.of("ip"));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("ip " + String.join(" ", args) + " failed: " + out.strip());
      }
      return out;
    }
  }
}
