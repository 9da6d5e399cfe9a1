package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.webrtc.LightViewer;
import io.avpush.webrtc.TestViewer;
import io.avpush.webrtc.WebRtcEngine;
import io.avpush.webrtc.WebRtcTransports;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Peers that go away without saying so, with real webrtc-java peers and the whole server: a
 * viewer on a host of its own ({@link NamespacedViewer}) whose network vanishes or whose process
 * stops answering, a viewer that never completes ICE, and a session left with no viewer. Each is
 * judged by what a user notices: the session's viewer counts and events, the HTTP replies, and the
 * media that keeps reaching the viewer that stayed. The waits come from the configuration, set
 * small here. Run inside {@code scripts/in-netns.sh} (as root: it makes a namespace and a link).
 */
@Tag("webrtc")
class ViewerDisconnectIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SESSION = "{\"fps\": \"30\", \"width\": 160, \"height\": 120}";
    private static final Duration DISCONNECTED_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(6);

    /** How a viewer goes away without a DELETE or a DTLS close. */
    enum Vanish {
        /** Its only link is deleted (a dead network, a laptop closed). */
        NETWORK_GONE,
        /** Its process stops (SIGSTOP): sockets open, nothing answers (a hung or suspended browser). */
        PROCESS_FROZEN
    }

    @ParameterizedTest
    @EnumSource(Vanish.class)
    void aViewerThatVanishesIsDroppedWithinSecondsWhileTheOtherKeepsPlaying(Vanish how) throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                TestServer server = TestServer.start(
                        "viewer-vanishes",
                        new WebRtcTransports(engine),
                        "avpush.limits { disconnected-timeout = " + DISCONNECTED_TIMEOUT.toMillis()
                                + " ms, idle-timeout = " + IDLE_TIMEOUT.toMillis() + " ms }");
                TestViewer stays = TestViewer.create()) {
            ApiClient api = server.client;
            stays.openEventsChannel();
            String staysOffer = stays.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
            String id = api.postJson("/api/sessions", SESSION).text("sessionId");
            String base = "/api/sessions/" + id;
            Reply staysAnswer = api.postJson(base + "/offer", offerJson(staysOffer));
            assertEquals(200, staysAnswer.status(), staysAnswer.toString());
            stays.acceptAnswer(staysAnswer.text("sdp"));
            assertTrue(stays.awaitConnected(Duration.ofSeconds(10)), "the viewer that stays connects");

            try (NamespacedViewer goes = NamespacedViewer.start()) {
                Reply goesAnswer = api.postJson(base + "/offer", offerJson(goes.offer(Duration.ofSeconds(60))));
                assertEquals(200, goesAnswer.status(), goesAnswer.toString());
                String goesId = goesAnswer.text("viewerId");
                goes.answer(goesAnswer.text("sdp"));
                assertTrue(
                        goes.awaitConnected(Duration.ofSeconds(20)),
                        "the viewer on its own host connects; its log:\n" + goes.log());
                await(() -> goes.frames() > 15, Duration.ofSeconds(10), "frames at the viewer on its own host");
                await(
                        () -> api.get(base).json().get("viewersConnected").asInt() == 2,
                        Duration.ofSeconds(10),
                        "both viewers counted");
                await(() -> joined(stays, goesId), Duration.ofSeconds(10), "viewer-joined of the second viewer");
                double droppedBefore = MetricsTest.value(
                        api.get("/metrics").body(), "avpush_viewers_dropped_total{reason=\"disconnected_timeout\"}");

                Map<String, Object> audioBefore = stays.inbound("audio");
                long vanishedAt = System.nanoTime();
                switch (how) {
                    case NETWORK_GONE -> goes.cutNetwork();
                    case PROCESS_FROZEN -> goes.freeze();
                }
                await(
                        () -> api.get(base).json().get("viewers").asInt() == 1,
                        Duration.ofSeconds(40),
                        "the vanished viewer to be dropped");
                double droppedAfterS = (System.nanoTime() - vanishedAt) / 1e9;
                JsonNode status = api.get(base).json();
                assertEquals(1, status.get("viewersConnected").asInt(), status.toString());
                await(() -> left(stays, goesId) != null, Duration.ofSeconds(5), "viewer-left of the vanished viewer");
                assertEquals(
                        1, left(stays, goesId).get("viewers").asInt(), "viewer-left counts the viewers that remain");
                assertEquals(
                        droppedBefore + 1,
                        MetricsTest.value(
                                api.get("/metrics").body(),
                                "avpush_viewers_dropped_total{reason=\"disconnected_timeout\"}"),
                        "counted as dropped after disconnected-timeout");

                // The viewer that stayed saw and heard the whole time, and still does a second later.
                long lookedAt = System.nanoTime();
                await(
                        () -> last(stays.frames()) > lookedAt + 1_000_000_000L,
                        Duration.ofSeconds(5),
                        "frames after the drop");
                Map<String, Object> audioAfter = stays.inbound("audio");
                double windowS = (System.nanoTime() - vanishedAt) / 1e9;
                List<TestViewer.FrameArrival> frames = stays.frames().stream()
                        .filter(f -> f.arrivalNanos() >= vanishedAt)
                        .toList();
                double maxGapMs = maxGapMs(
                        frames.stream()
                                .mapToLong(TestViewer.FrameArrival::arrivalNanos)
                                .toArray(),
                        vanishedAt);
                double audioPackets = number(audioAfter, "packetsReceived") - number(audioBefore, "packetsReceived");
                double samples =
                        number(audioAfter, "totalSamplesReceived") - number(audioBefore, "totalSamplesReceived");
                double concealed = number(audioAfter, "concealedSamples") - number(audioBefore, "concealedSamples");
                System.out.printf(
                        "vanish %s: dropped %.1f s after it vanished (disconnected-timeout %d ms); the other viewer"
                                + " over those %.1f s: %d frames (%.1f/s, longest gap %.0f ms), %.0f audio packets, %.0f samples"
                                + " (%.1f %% concealed)%n",
                        how,
                        droppedAfterS,
                        DISCONNECTED_TIMEOUT.toMillis(),
                        windowS,
                        frames.size(),
                        frames.size() / windowS,
                        maxGapMs,
                        audioPackets,
                        samples,
                        samples > 0 ? 100 * concealed / samples : Double.NaN);
                assertTrue(
                        frames.size() >= 15 * windowS,
                        "the other viewer got " + frames.size() + " frames in " + windowS + " s");
                assertTrue(maxGapMs < 1000, "the other viewer's picture stalled for " + maxGapMs + " ms");
                // The idle session's audio is silence, which Opus DTX (on by default) sends as one packet
                // every 400 ms: at least 2 a second, where a stalled audio path sends none.
                assertTrue(
                        audioPackets >= 2 * windowS,
                        "the other viewer got " + audioPackets + " audio packets in " + windowS
                                + " s (silence under Opus DTX: 2.5 a second)");
                assertTrue(
                        samples - concealed >= 0.8 * 48_000 * windowS,
                        "the other viewer played " + (samples - concealed) + " received samples in " + windowS + " s");
            }

            // With no viewer left and no call, the session ends by itself after idle-timeout. The list
            // is read without touching the session (a call to the session would count as activity).
            Reply left = api.delete(base + "/viewers/" + staysAnswer.text("viewerId"));
            assertEquals(204, left.status(), left.toString());
            long lastCallAt = System.nanoTime();
            await(() -> !sessionIds(api).contains(id), Duration.ofSeconds(30), "the idle session to end");
            System.out.printf(
                    "idle session ended %.1f s after its last call (idle-timeout %d ms)%n",
                    (System.nanoTime() - lastCallAt) / 1e9, IDLE_TIMEOUT.toMillis());
            Reply gone = api.get(base);
            assertEquals(404, gone.status(), gone.toString());
            assertEquals("session_not_found", gone.text("error"), gone.toString());
        }
    }

    @Test
    void aViewerThatNeverConnectsIsDroppedAfterTheConnectTimeoutAndFreesItsPlace() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                TestServer server = TestServer.start(
                        "viewer-never-connects",
                        new WebRtcTransports(engine),
                        "avpush.limits { connect-timeout = " + CONNECT_TIMEOUT.toMillis()
                                + " ms, max-viewers-per-session = 2 }");
                LightViewer.Client client = new LightViewer.Client();
                LightViewer stays = new LightViewer(client);
                LightViewer late = new LightViewer(client)) {
            ApiClient api = server.client;
            String id = api.postJson("/api/sessions", SESSION).text("sessionId");
            String base = "/api/sessions/" + id;
            Reply staysAnswer = api.postJson(base + "/offer", offerJson(stays.offer(Duration.ofSeconds(10))));
            assertEquals(200, staysAnswer.status(), staysAnswer.toString());
            stays.accept(staysAnswer.text("sdp"), Duration.ofSeconds(5));
            assertTrue(stays.awaitConnected(Duration.ofSeconds(10)), "the first viewer connects");
            String lateOffer = late.offer(Duration.ofSeconds(10));
            double droppedBefore = MetricsTest.value(
                    api.get("/metrics").body(), "avpush_viewers_dropped_total{reason=\"connect_timeout\"}");

            // Its offer is answered, then the peer is gone before a single ICE check gets an answer.
            Reply neverAnswer;
            try (LightViewer never = new LightViewer(client)) {
                neverAnswer = api.postJson(base + "/offer", offerJson(never.offer(Duration.ofSeconds(10))));
            }
            long answeredAt = System.nanoTime();
            assertEquals(200, neverAnswer.status(), neverAnswer.toString());
            JsonNode status = api.get(base).json();
            assertEquals(2, status.get("viewers").asInt(), "the unconnected viewer holds a place: " + status);
            assertEquals(1, status.get("viewersConnected").asInt(), status.toString());
            Reply full = api.postJson(base + "/offer", offerJson(lateOffer));
            assertEquals(503, full.status(), "while it holds its place the session is full: " + full);

            await(
                    () -> api.get(base).json().get("viewers").asInt() == 1,
                    Duration.ofSeconds(40),
                    "the viewer that never connected to be dropped");
            double droppedAfterS = (System.nanoTime() - answeredAt) / 1e9;
            System.out.printf(
                    "never connected: dropped %.1f s after its answer (connect-timeout %d ms)%n",
                    droppedAfterS, CONNECT_TIMEOUT.toMillis());
            assertTrue(
                    droppedAfterS >= CONNECT_TIMEOUT.toSeconds() - 1,
                    "dropped by the connect timeout, not earlier (by ICE failing): " + droppedAfterS + " s");
            assertEquals(
                    droppedBefore + 1,
                    MetricsTest.value(
                            api.get("/metrics").body(), "avpush_viewers_dropped_total{reason=\"connect_timeout\"}"),
                    "counted as dropped by connect-timeout");

            // Its place is free again, and the first viewer never noticed.
            long framesBefore = stays.frames();
            Reply lateAnswer = api.postJson(base + "/offer", offerJson(lateOffer));
            assertEquals(200, lateAnswer.status(), lateAnswer.toString());
            late.accept(lateAnswer.text("sdp"), Duration.ofSeconds(5));
            assertTrue(late.awaitConnected(Duration.ofSeconds(10)), "a new viewer takes the freed place");
            await(
                    () -> late.frames() > 15 && stays.frames() > framesBefore + 15,
                    Duration.ofSeconds(10),
                    "frames at both viewers");
            assertEquals(2, api.get(base).json().get("viewersConnected").asInt());
        }
    }

    private static boolean joined(TestViewer viewer, String viewerId) throws Exception {
        for (String message : viewer.eventMessages()) {
            JsonNode e = JSON.readTree(message);
            if ("viewer-joined".equals(e.path("type").asText())
                    && viewerId.equals(e.path("viewerId").asText())) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode left(TestViewer viewer, String viewerId) throws Exception {
        for (String message : viewer.eventMessages()) {
            JsonNode e = JSON.readTree(message);
            if ("viewer-left".equals(e.path("type").asText())
                    && viewerId.equals(e.path("viewerId").asText())) {
                return e;
            }
        }
        return null;
    }

    private static List<String> sessionIds(ApiClient api) throws Exception {
        Reply list = api.get("/api/sessions");
        assertEquals(200, list.status(), list.toString());
        return JSON.convertValue(
                list.json().get("sessions"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    private static long last(List<TestViewer.FrameArrival> frames) {
        return frames.isEmpty() ? Long.MIN_VALUE : frames.get(frames.size() - 1).arrivalNanos();
    }

    /** The longest time without a frame, from {@code fromNs} over the arrivals. */
    private static double maxGapMs(long[] arrivalsNs, long fromNs) {
        long previous = fromNs;
        long max = 0;
        for (long t : arrivalsNs) {
            max = Math.max(max, t - previous);
            previous = t;
        }
        return max / 1e6;
    }

    private static double number(Map<String, Object> stats, String key) {
        return stats.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String offerJson(String sdp) throws Exception {
        return JSON.writeValueAsString(Map.of("sdp", sdp, "type", "offer"));
    }

    private static void await(Check condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within " + timeout);
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }
}
