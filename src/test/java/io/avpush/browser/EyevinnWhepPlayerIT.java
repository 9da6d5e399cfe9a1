package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.testing.InProcessNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A third-party WHEP player plays avpush with only its URL: Eyevinn's {@code @eyevinn/webrtc-player}
 * 0.13.0 (npm; installed and bundled by {@code scripts/whep-player.sh} into the build directory, which
 * {@code scripts/test-all.sh} runs before entering the network namespace) in headless Chromium, on a
 * page ({@code src/test/whep-player/player.html}) served from another origin than avpush, so every
 * WHEP request is a cross-origin one. The player gets the URL ({@code POST /whep} making a session, or
 * {@code POST /whep/{id}} joining one that plays the demo clip) and, for the second, the viewer token
 * as its {@code authKey}; nothing else. What a viewer would notice is asserted: the video element
 * presents frames of the session's size, the clip's flashes show and its beeps are heard (a Web Audio
 * tap on the element's stream), the player's own inbound-rtp stats count audio packets, and the
 * player's stop (its DELETE of the Location it got) ends the viewer on the server. Given the URL of
 * no session, the player reports a failed connection on avpush's 404.
 *
 * <p>Run inside {@code scripts/in-netns.sh} (libwebrtc and Chromium ignore loopback for ICE; avpush is
 * reached at the namespace's {@value #NS_ADDRESS}):
 * {@code scripts/whep-player.sh BUILD_DIR && scripts/in-netns.sh mvn -o -B -Pall test -Dtest=EyevinnWhepPlayerIT}.
 * Without Chromium, the bundled player or the namespace the test is skipped, except when the
 * environment variable {@code CI} is set: then it fails.
 */
@Tag("browser")
class EyevinnWhepPlayerIT {

    /** avpush's address in {@code scripts/in-netns.sh}'s namespace; the page itself is on 127.0.0.1. */
    static final String NS_ADDRESS = "10.203.0.1";

    private static final String KEY = "whep-player-key";
    private static final int WATCH_SECONDS = 12;
    /** Markers of the 10 s demo clip (a flash with a beep at 1 s, 2 s ... 9 s). */
    private static final int CLIP_MARKERS = 9;
    /**
     * Flashes the page must see: a flash lasts 3 frames, and the page's frame callback, on a main
     * thread that runs late on a loaded machine, does not look at every frame (at a load of 32 on 2
     * cores it saw 201 of 272 presented frames and 7 flashes).
     */
    private static final int MIN_FLASHES = 5;
    /**
     * Beeps the page must hear. No upper bound: under that load one run heard 10 onsets for the 9
     * beeps, the last one more than a second after the clip had ended (cause not found; the result's
     * beepTimes now say when each was heard).
     */
    private static final int MIN_BEEPS = CLIP_MARKERS - 2;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code POST /whep}: the player alone makes the session; its DELETE ends the session too. */
    @Test
    void playsTheSessionItMakesWithPostWhepAndItsStopEndsTheSession() throws Exception {
        requirePlayerAndNamespace();
        try (LabPages pages = LabPages.start("127.0.0.1", null);
                InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", "")) {
            Api api = new Api(server.baseUrl(), Optional.empty());
            String endpoint = "http://" + NS_ADDRESS + ":" + server.port() + "/whep";
            // The player's session is the node's only one; once its viewer is connected, queue the clip.
            CompletableFuture<String> session = CompletableFuture.supplyAsync(() -> api.untilOneViewer(null, true));
            MeasurePage.Run run = MeasurePage.run(pageUrl(pages, endpoint, null), 75, "EyevinnWhepPlayerIT-new");
            String sessionId = session.get(5, TimeUnit.SECONDS);
            JsonNode result = run.result();
            assertPlayed(result, 512, 512, run);
            assertWire(result, endpoint, sessionId, false);
            Api.Reply after = api.get("/api/sessions/" + sessionId);
            assertEquals(
                    404, after.status(), "the session POST /whep made should end with its viewer's DELETE: " + after);
            assertEquals(
                    0,
                    api.get("/api/sessions").json().path("sessions").size(),
                    "sessions left: " + api.get("/api/sessions"));
        }
    }

    /**
     * {@code POST /whep/{id}} with the session's viewer token, on a node with an API key that lets only
     * the page's origin call it: the player joins a session of another size that already has the clip
     * queued; its DELETE ends its viewer and leaves the session.
     */
    @Test
    void joinsASessionWithPostWhepIdAndItsStopEndsOnlyItsViewer() throws Exception {
        requirePlayerAndNamespace();
        try (LabPages pages = LabPages.start("127.0.0.1", null);
                InProcessNode server = InProcessNode.start(
                        Duration.ofSeconds(20),
                        "0.0.0.0",
                        "avpush.auth.api-keys = [\"" + KEY
                                + "\"]\navpush.auth.token-secret = eyevinn-whep-player-it-token-secret\n"
                                + "avpush.http.cors-origins = [\"" + pages.origin() + "\"]")) {
            Api api = new Api(server.baseUrl(), Optional.of(KEY));
            Api.Reply created = api.post("/api/sessions", "application/json", "{\"width\": 640, \"height\": 360}");
            assertEquals(201, created.status(), created.toString());
            String sessionId = created.json().path("sessionId").asText();
            Api.Reply demo = api.post("/api/sessions/" + sessionId + "/demo", "application/json", "");
            assertEquals(202, demo.status(), demo.toString());
            String endpoint = "http://" + NS_ADDRESS + ":" + server.port() + "/whep/" + sessionId;
            CompletableFuture<String> joined =
                    CompletableFuture.supplyAsync(() -> api.untilOneViewer(sessionId, false));
            MeasurePage.Run run = MeasurePage.run(
                    pageUrl(
                            pages,
                            endpoint,
                            "Bearer " + created.json().path("viewerToken").asText()),
                    75,
                    "EyevinnWhepPlayerIT-join");
            joined.get(5, TimeUnit.SECONDS);
            JsonNode result = run.result();
            assertPlayed(result, 640, 360, run);
            assertWire(result, endpoint, sessionId, true);
            Api.Reply after = api.get("/api/sessions/" + sessionId);
            assertEquals(200, after.status(), "the session should outlive its WHEP viewer: " + after);
            assertEquals(
                    0,
                    after.json().path("viewersConnected").asInt(),
                    "viewers still connected after the player's DELETE: " + after);
            assertEquals(
                    0,
                    after.json().path("viewers").asInt(),
                    "peer connections left after the player's DELETE: " + after);
            assertEquals(1, after.json().path("segmentsPlayed").asInt(), "the clip should have played: " + after);
        }
    }

    /**
     * A URL of no session: the player gets avpush's 404 (its JSON readable from the page's origin) and
     * reports that it could not connect, instead of waiting for media.
     */
    @Test
    void aUrlOfNoSessionMakesThePlayerReportAFailedConnection() throws Exception {
        requirePlayerAndNamespace();
        try (LabPages pages = LabPages.start("127.0.0.1", null);
                InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", "")) {
            String endpoint = "http://" + NS_ADDRESS + ":" + server.port() + "/whep/nosuchsession";
            JsonNode result = MeasurePage.run(pageUrl(pages, endpoint, null), 60, "EyevinnWhepPlayerIT-unknown")
                    .result();
            String all = "\n" + result;
            assertTrue(
                    result.path("error").asText().contains("initial-connection-failed"), "the player's failure" + all);
            JsonNode requests = result.path("requests");
            assertEquals(1, requests.size(), "the player's requests" + all);
            assertEquals("POST", requests.get(0).path("method").asText(), all);
            assertEquals(404, requests.get(0).path("status").asInt(), all);
            assertTrue(requests.get(0).path("responseType").asText().startsWith("application/json"), all);
        }
    }

    /** What a viewer of the clip notices, per the page's result (see player.html). */
    private static void assertPlayed(JsonNode result, int width, int height, MeasurePage.Run run) {
        String all = " (page result: " + run.out().resolve("result.json") + ")\n" + result;
        System.out.println(
                "EyevinnWhepPlayerIT: frames=" + result.path("frames") + " presented=" + result.path("presented")
                        + " flashes=" + result.path("flashes") + " beeps=" + result.path("beeps") + " sizes="
                        + result.path("sizes")
                        + " watchedMs=" + result.path("watchedMs") + " firstFrameAt=" + result.path("firstFrameAt")
                        + "\nrequests: "
                        + result.path("requests"));
        assertTrue(
                result.path("error").isNull(),
                "the page failed: " + result.path("error").asText() + all);
        assertEquals(0, result.path("events").size(), "the player reported trouble" + all);
        assertTrue(!result.path("paused").asBoolean(), "the video element was paused" + all);
        int minFrames = 15 * WATCH_SECONDS;
        assertTrue(
                result.path("presented").asInt() >= minFrames,
                "the video element presented " + result.path("presented") + " frames in " + WATCH_SECONDS
                        + " s of a 30 fps session (at least " + minFrames + ")" + all);
        assertTrue(
                List.of(JSON.convertValue(result.path("sizes"), String[].class)).contains(width + "x" + height),
                "the video was never shown at the session's " + width + "x" + height + all);
        assertTrue(
                result.path("flashes").asInt() >= MIN_FLASHES,
                result.path("flashes") + " flashes shown of the clip's " + CLIP_MARKERS + all);
        assertTrue(
                result.path("beeps").asInt() >= MIN_BEEPS,
                result.path("beeps") + " beeps heard of the clip's " + CLIP_MARKERS + all);
        List<JsonNode> audio = new ArrayList<>();
        result.path("stats").forEach(s -> {
            if ("audio".equals(s.path("kind").asText())) {
                audio.add(s);
            }
        });
        assertTrue(audio.size() >= 2, "the player reported audio inbound-rtp stats " + audio.size() + " times" + all);
        JsonNode first = audio.get(0);
        JsonNode last = audio.get(audio.size() - 1);
        assertTrue(
                last.path("packetsReceived").asLong()
                                > first.path("packetsReceived").asLong()
                        && last.path("totalSamplesReceived").asLong()
                                > first.path("totalSamplesReceived").asLong(),
                "audio packets and samples did not grow between the player's stats reports" + all);
    }

    /**
     * The player's requests: one POST of an application/sdp offer to the URL it was given, answered 201
     * with a Location of the viewer resource, then one DELETE of that Location, answered 200; no
     * retry, no PATCH.
     */
    private static void assertWire(JsonNode result, String endpoint, String sessionId, boolean withToken) {
        JsonNode requests = result.path("requests");
        String all = "\nrequests: " + requests;
        assertEquals(2, requests.size(), "the player's requests" + all);
        JsonNode post = requests.get(0);
        assertEquals("POST", post.path("method").asText(), all);
        assertEquals(endpoint, post.path("url").asText(), all);
        assertEquals("application/sdp", post.path("contentType").asText(), all);
        assertEquals(withToken, post.path("authorization").asBoolean(), "Authorization sent" + all);
        assertEquals(201, post.path("status").asInt(), all);
        assertEquals("application/sdp", post.path("responseType").asText(), all);
        String location = post.path("location").asText();
        assertTrue(location.startsWith("/whep/" + sessionId + "/"), "Location " + location + all);
        JsonNode delete = requests.get(1);
        assertEquals("DELETE", delete.path("method").asText(), all);
        assertEquals(
                URI.create(endpoint).resolve(location).toString(),
                delete.path("url").asText(),
                all);
        assertEquals(200, delete.path("status").asInt(), all);
    }

    private static void requirePlayerAndNamespace() throws IOException {
        MeasurePage.require(HeadlessChromium.missingReason());
        MeasurePage.require(
                Files.isRegularFile(LabPages.playerBundle())
                        ? Optional.empty()
                        : Optional.of(LabPages.playerBundle() + " is missing (run scripts/whep-player.sh "
                                + LabPages.buildDir() + ")"));
        MeasurePage.require(
                NetworkInterface.getByInetAddress(InetAddress.getByName(NS_ADDRESS)) != null
                        ? Optional.empty()
                        : Optional.of(NS_ADDRESS + " is not on this host; run inside scripts/in-netns.sh"));
    }

    /**
     * The page and the bundled player, served on 127.0.0.1 (another origin than avpush on
     * {@value #NS_ADDRESS}, and a secure context, which the page's AudioWorklet needs).
     */
    /** Eyevinn's player page on the lab's page server, given the WHEP URL and the player's authKey (or none). */
    private static String pageUrl(LabPages pages, String whep, String authKey) {
        return pages.origin() + "/player.html?seconds=" + WATCH_SECONDS + "&whep="
                + URLEncoder.encode(whep, StandardCharsets.UTF_8)
                + (authKey == null ? "" : "&authKey=" + URLEncoder.encode(authKey, StandardCharsets.UTF_8));
    }

    /** avpush's JSON API, as the test (not the page) calls it. */
    private record Api(String baseUrl, Optional<String> key) {

        record Reply(int status, String body) {
            JsonNode json() {
                try {
                    return JSON.readTree(body);
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + body, e);
                }
            }
        }

        Reply get(String path) throws IOException, InterruptedException {
            return send(request(path).GET());
        }

        Reply post(String path, String type, String body) throws IOException, InterruptedException {
            return send(request(path).header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        /**
         * Waits (up to 40 s) until session {@code sessionId} (or, when null, the node's only session)
         * has one viewer connected; then queues the demo clip if {@code queueDemo}. Returns the session id.
         */
        String untilOneViewer(String sessionId, boolean queueDemo) {
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
                String last = "no session yet";
                while (System.nanoTime() < deadline) {
                    String id = sessionId;
                    if (id == null) {
                        JsonNode sessions = get("/api/sessions").json().path("sessions");
                        id = sessions.size() == 1 ? sessions.get(0).asText() : null;
                    }
                    if (id != null) {
                        Reply status = get("/api/sessions/" + id);
                        last = status.toString();
                        if (status.status() == 200
                                && status.json().path("viewersConnected").asInt() == 1) {
                            if (queueDemo) {
                                Reply demo = post("/api/sessions/" + id + "/demo", "application/json", "");
                                if (demo.status() != 202) {
                                    throw new AssertionError("the demo was not queued: " + demo);
                                }
                            }
                            return id;
                        }
                    }
                    Thread.sleep(100);
                }
                throw new AssertionError("no viewer connected within 40 s; last: " + last);
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        private HttpRequest.Builder request(String path) {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20));
            key.ifPresent(k -> b.header("Authorization", "Bearer " + k));
            return b;
        }

        private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        }
    }
}
