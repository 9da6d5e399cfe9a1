package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.testing.ApiClient;
import io.avpush.testing.InProcessNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The JS viewer module ({@code clients/js}, served at {@code /static/avpush-viewer.js}) in headless
 * Chromium, as a page on another origin uses it: the test page ({@code lab/viewer.html} of the test
 * resources, on {@link LabPages}' origin) imports the module from avpush's {@code /static/} and gives
 * it the session and its elements. What a viewer notices is asserted: frames of the session's size
 * presented, the sound live, the demo clip's events handed on at their frames' display (its
 * segment-finished with its own frame: the clip's flashes are whole seconds before it by RTP
 * timestamp), close() ending the viewer on the server; a session that does not exist reported with the server's message; a
 * viewer the server ends (its session deleted) reported as dropped.
 *
 * <p>Run inside {@code scripts/in-netns.sh} (libwebrtc and Chromium ignore loopback for ICE; avpush
 * is reached at the namespace's {@value #NS_ADDRESS}):
 * {@code scripts/in-netns.sh mvn -o -B -Pall test -Dtest=ViewerModuleIT}. Without Chromium or the
 * namespace the test is skipped, except when the environment variable {@code CI} is set: then it fails.
 */
@Tag("browser")
class ViewerModuleIT {

    static final String NS_ADDRESS = "10.203.0.1";
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final double FRAME_MS = 1000.0 / 30;
    private static final long RTP_TICKS_PER_MS = 90;
    private static final long RTP_TICKS_PER_FRAME = 3000;

    @Test
    void showsTheSessionHandsOnItsEventsWithTheirFramesAndCloseEndsTheViewer() throws Exception {
        requireChromiumAndNamespace();
        try (LabPages pages = LabPages.start("127.0.0.1", null);
                InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", "")) {
            ApiClient api = new ApiClient(URI.create(server.baseUrl() + "/"));
            String session = createSession(api);
            // The page queues the demo clip once its events channel is open: the clip's segment-started comes then.
            JsonNode result = run(
                    pages, server, "session=" + session + "&mode=offer&events=1&audio=1&demo=1", "ViewerModuleIT-show");
            String all = "\npage result: " + result;
            assertTrue(result.path("error").isNull(), "connect() failed: " + result.path("error") + all);
            assertTrue(result.path("failure").isNull(), "the viewer failed: " + result.path("failure") + all);
            assertEquals(202, result.path("demo").path("status").asInt(), "the clip was queued" + all);
            String segment = result.path("demo").path("segmentId").asText();

            assertTrue(contains(result.path("sizes"), WIDTH + "x" + HEIGHT), "frames of the session's size" + all);
            assertTrue(
                    result.path("presented").asInt() >= 150,
                    result.path("presented") + " frames presented in the 10 s clip" + all);

            JsonNode audio = result.path("audio");
            assertEquals("[\"audio\",\"video\"]", audio.path("tracks").toString(), "one stream of both tracks" + all);
            assertTrue(audio.path("oneStream").asBoolean(), "the <video> shows the server's one stream" + all);
            assertEquals("live", audio.path("readyState").asText(), all);
            assertTrue(
                    audio.path("packets").get(1).asLong()
                            > audio.path("packets").get(0).asLong(),
                    "audio keeps coming" + all);
            assertFalse(audio.path("element").path("paused").asBoolean(true), "the <audio> element plays" + all);
            assertTrue(
                    audio.path("element").path("sameStream").asBoolean()
                            && audio.path("videoMuted").asBoolean(),
                    "the sound plays in the <audio> element, the muted <video> shows the same stream" + all);

            assertTrue(result.path("flashes").size() >= 5, "the clip's flashes were shown (9 in the clip)" + all);
            // The clip's first event is timed from the first second's few samples, which may leave it a
            // frame off; the finished event, ten seconds in, comes with its own frame.
            assertHandedOnAtAFrame(result, "segment-started", segment, all);
            assertWithItsOwnFrame(assertHandedOnAtAFrame(result, "segment-finished", segment, all), result, all);

            assertEquals(
                    "{\"ended\":true,\"status\":204}", result.path("closed").toString(), "close()'s DELETE" + all);
            assertEquals("closed", result.path("afterClose").path("pc").asText(), all);
            assertTrue(
                    result.path("afterClose").path("videoSrcObject").isNull(),
                    "close() takes the stream off the <video>" + all);
            JsonNode status = api.get("/api/sessions/" + session).json();
            assertEquals(
                    0, status.path("viewers").asInt(), "the viewer is gone from the server after close(): " + status);
            api.delete("/api/sessions/" + session);
        }
    }

    @Test
    void aSessionThatDoesNotExistIsReportedWithTheServersMessage() throws Exception {
        requireChromiumAndNamespace();
        try (LabPages pages = LabPages.start("127.0.0.1", null);
                InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", "")) {
            ApiClient api = new ApiClient(URI.create(server.baseUrl() + "/"));
            String message = api.get("/api/sessions/nosuchsession").text("message");
            JsonNode result = run(pages, server, "session=nosuchsession&mode=offer", "ViewerModuleIT-unknown");
            JsonNode error = result.path("error");
            String all = "\npage result: " + result;
            assertEquals("session-not-found", error.path("code").asText(), all);
            assertEquals(404, error.path("status").asInt(), all);
            assertEquals(message, error.path("message").asText(), "the page can show the server's own message" + all);
            assertEquals(0, result.path("sizes").size(), "nothing was shown" + all);
            assertEquals(0, api.get("/api/sessions").json().path("sessions").size(), "no session was made");
        }
    }

    @Test
    void aViewerTheServerEndsIsReportedAsDropped() throws Exception {
        requireChromiumAndNamespace();
        try (LabPages pages = LabPages.start("127.0.0.1", null);
                InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", "")) {
            ApiClient api = new ApiClient(URI.create(server.baseUrl() + "/"));
            String session = createSession(api);
            CompletableFuture<Long> deletedAt = CompletableFuture.supplyAsync(() -> {
                try {
                    awaitViewers(api, session, 1);
                    long at = System.currentTimeMillis();
                    assertEquals(204, api.delete("/api/sessions/" + session).status());
                    return at;
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            JsonNode result = run(pages, server, "session=" + session + "&mode=whep&stay=1", "ViewerModuleIT-dropped");
            String all = "\npage result: " + result;
            assertTrue(result.path("error").isNull(), "connect() failed: " + result.path("error") + all);
            assertEquals("dropped", result.path("failure").path("code").asText(), all);
            assertTrue(
                    result.path("failure").path("message").asText().startsWith("the avpush server ended this viewer"),
                    all);
            long afterMs = result.path("failureAt").asLong() - deletedAt.get(5, TimeUnit.SECONDS);
            System.out.println(
                    "ViewerModuleIT: the page was told " + afterMs + " ms after the DELETE: " + result.path("failure"));
            assertTrue(
                    afterMs >= 0 && afterMs < 15_000,
                    "told within 15 s of the DELETE (ICE alone would take 30 s): " + afterMs + " ms" + all);
        }
    }

    /** The clip's event of this type, handed on at a frame's display. */
    private static JsonNode assertHandedOnAtAFrame(JsonNode result, String type, String segment, String all) {
        JsonNode found = null;
        for (JsonNode e : result.path("events")) {
            if (e.path("type").asText().equals(type)
                    && e.path("segmentId").asText().equals(segment)) {
                found = e;
            }
        }
        assertTrue(found != null, "the clip's " + type + " event was handed on" + all);
        assertEquals("frame", found.path("shownBy").asText(), type + " handed on at a frame's display" + all);
        return found;
    }

    /**
     * The event came with its own frame: the nearest of the clip's flashes the page saw whole (its
     * first frame looked at) has an RTP timestamp whole seconds of 90 kHz ticks from that frame's,
     * within half a frame (a neighbouring frame is 33 ms off). The nearest, as in {@link EventTiming}:
     * the pacer's lateness on a loaded machine moves a push instant by a few ms, and a flash further
     * off gives it more chances to.
     */
    private static void assertWithItsOwnFrame(JsonNode event, JsonNode result, String all) {
        // Handed on with a later frame (the page missed its own frame's callback), laterMs says how many later.
        long framesLater = Math.round(event.path("laterMs").asDouble() / FRAME_MS);
        long ownRtp = event.path("rtp").asLong() - framesLater * RTP_TICKS_PER_FRAME;
        List<Double> offsetsMs = new ArrayList<>();
        for (JsonNode flash : result.path("flashes")) {
            if (flash.path("seen").asBoolean()) {
                offsetsMs.add((int) (flash.path("rtp").asLong() - ownRtp) / (double) RTP_TICKS_PER_MS);
            }
        }
        System.out.println("ViewerModuleIT: " + event + "; flashes at " + offsetsMs + " ms of RTP from its frame");
        assertFalse(offsetsMs.isEmpty(), "the page saw the first frame of a flash" + all);
        double ms = offsetsMs.stream()
                .min(java.util.Comparator.comparingDouble(Math::abs))
                .orElseThrow();
        long seconds = Math.round(ms / 1000);
        assertTrue(
                seconds != 0 && Math.abs(ms - 1000 * seconds) <= FRAME_MS / 2,
                "the nearest flash is " + ms + " ms from the frame "
                        + event.path("type").asText() + " came with, not whole seconds: it came with another frame"
                        + all);
    }

    private static JsonNode run(LabPages pages, InProcessNode server, String query, String label) throws Exception {
        String avpush = "http://" + NS_ADDRESS + ":" + server.port();
        String url = pages.origin() + "/lab/viewer.html?server=" + URLEncoder.encode(avpush, StandardCharsets.UTF_8)
                + "&" + query;
        return MeasurePage.run(url, 75, label).result();
    }

    private static String createSession(ApiClient api) throws IOException, InterruptedException {
        ApiClient.Reply created =
                api.postJson("/api/sessions", "{\"width\": " + WIDTH + ", \"height\": " + HEIGHT + "}");
        assertEquals(201, created.status(), created.toString());
        return created.text("sessionId");
    }

    /** Waits (up to 40 s) until the session has {@code viewers} viewers connected. */
    private static void awaitViewers(ApiClient api, String session, int viewers)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        ApiClient.Reply last = null;
        while (System.nanoTime() < deadline) {
            last = api.get("/api/sessions/" + session);
            if (last.status() == 200 && last.json().path("viewersConnected").asInt() == viewers) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(viewers + " viewers were not connected within 40 s; last: " + last);
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (v.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static void requireChromiumAndNamespace() throws IOException {
        MeasurePage.require(HeadlessChromium.missingReason());
        MeasurePage.require(
                NetworkInterface.getByInetAddress(InetAddress.getByName(NS_ADDRESS)) != null
                        ? Optional.empty()
                        : Optional.of(NS_ADDRESS + " is not on this host; run inside scripts/in-netns.sh"));
    }
}
