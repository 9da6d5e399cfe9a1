package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.avpush.testing.InProcessNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A deployment behind NAT works by configuration alone: avpush is given a TURN server in its
 * configuration ({@code avpush.webrtc.ice-servers} or {@code avpush.webrtc.turn-rest}), hands it to
 * the browser in the session reply, and headless Chromium on a host that cannot reach avpush at all
 * ({@link TurnLab}: three network namespaces, coturn on the middle one) plays the marker clip through
 * the relay: the candidate pair ICE selected has a relay end at coturn, and frames are decoded and
 * audio samples received. The lip-sync figures through the relay are printed, not gated: the relay
 * adds a hop but changes nothing in how avpush paces and stamps media, which {@link ChromiumSyncIT}
 * gates, and these short runs share the machine with coturn and a forwarder.
 *
 * <p>Needs root, {@code coturn}, {@code socat} and Chromium, inside {@code scripts/in-netns.sh}:
 * {@code scripts/in-netns.sh mvn -o -B -Pall test -Dtest=TurnRelayIT}. Skipped without them, except
 * when the environment variable {@code CI} is set: then it fails.
 */
@Tag("browser")
class TurnRelayIT {

    private static final String TURN_URL = "turn:" + TurnLab.TURN_ADDRESS + ":" + TurnLab.TURN_PORT + "?transport=udp";
    private static final String SECONDS = "10";

    /** Without forcing relay: the viewer's own addresses lead nowhere, only the relay path works. */
    @Test
    void withStaticCredentialsOnlyTheRelayPathCarriesTheMedia() throws Exception {
        JsonNode result = play(
                "lt-cred-mech\nuser=avpush-viewer:relay-me",
                "avpush.webrtc.ice-servers = [{urls = [\"" + TURN_URL
                        + "\"], username = avpush-viewer, credential = relay-me}]",
                "",
                "static");
        assertMediaCameThroughTheRelay(result, false);
    }

    /** Time-limited credentials (coturn use-auth-secret), with the page taking relay candidates only. */
    @Test
    void withTimeLimitedCredentialsMediaFlowsThroughTheRelay() throws Exception {
        JsonNode result = play(
                "use-auth-secret\nstatic-auth-secret=north-wind",
                "avpush.webrtc.turn-rest { urls = [\"" + TURN_URL + "\"], secret = north-wind, ttl = 10 minutes }",
                "&relay=1",
                "rest");
        assertMediaCameThroughTheRelay(result, true);
    }

    /** A TURN password that coturn refuses: the page learns that ICE failed (and why), it does not hang. */
    @Test
    void aWrongTurnCredentialEndsInAnIceFailureNotAHang() throws Exception {
        long started = System.nanoTime();
        JsonNode result = play(
                "lt-cred-mech\nuser=avpush-viewer:relay-me",
                "avpush.webrtc.ice-servers = [{urls = [\"" + TURN_URL
                        + "\"], username = avpush-viewer, credential = wrong-password}]",
                "&connectMs=60000",
                "wrong-credential");
        double seconds = (System.nanoTime() - started) / 1e9;
        String error = result.path("error").asText();
        assertTrue(error.contains("ICE failed"), "the page should report an ICE failure, got: " + error);
        JsonNode iceErrors = result.path("viewers").path(0).path("iceErrors");
        assertTrue(
                iceErrors.toString().contains("\"errorCode\":401"),
                "coturn's 401 should reach the page as an icecandidateerror: " + iceErrors);
        JsonNode states = result.path("viewers").path(0).path("states");
        assertEquals("failed", states.path(states.size() - 1).path("state").asText(), "connection states: " + states);
        assertEquals(
                "200 state=idle viewers=0",
                result.path("serverStatusAfterFailure").asText(),
                "avpush should drop the viewer whose ICE failed");
        System.out.println("TurnRelayIT wrong credential: '" + error + "' after " + String.format("%.1f", seconds)
                + " s (connection states " + states + ")");
    }

    /**
     * Starts avpush (reachable from the turn host only) with {@code avpushConfig}, the lab with coturn's
     * {@code coturnAuth}, and the measurement page on the viewer host; returns the page's result.
     */
    private static JsonNode play(String coturnAuth, String avpushConfig, String query, String label) throws Exception {
        MeasurePage.require(TurnLab.missingReason());
        MeasurePage.require(HeadlessChromium.missingReason());
        Path dir = Files.createTempDirectory("avpush-turn-" + label);
        try (InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", avpushConfig);
                TurnLab lab = TurnLab.start(dir, coturnAuth, server.port())) {
            assertFalse(
                    lab.viewerCanConnect(TurnLab.AVPUSH_ADDRESS, server.port()),
                    "the viewer host reaches avpush directly; the lab must only let it through the relay");
            assertTrue(
                    lab.viewerCanConnect(TurnLab.TURN_ADDRESS, TurnLab.PROXY_PORT),
                    "the viewer host cannot reach the proxy");
            String url = lab.viewerBaseUrl() + "/static/measure.html?seconds=" + SECONDS + query;
            // AudioWorklet needs a secure context; the page is served over plain HTTP from 10.206.0.1.
            MeasurePage.Run run = MeasurePage.run(
                    url,
                    120,
                    "TurnRelayIT-" + label,
                    lab.onViewerHost(),
                    List.of("--unsafely-treat-insecure-origin-as-secure=" + lab.viewerBaseUrl()));
            JsonNode result = run.result();
            String sessionId = result.path("sessionId").asText();
            if (!result.path("error").isNull() && !sessionId.isEmpty()) {
                // avpush's own ICE agent gives up on its own schedule; wait for it (bounded) to drop the viewer.
                String status = status(server, sessionId);
                for (long end = System.nanoTime() + 30_000_000_000L;
                        !status.endsWith("viewers=0") && System.nanoTime() < end; ) {
                    Thread.sleep(500);
                    status = status(server, sessionId);
                }
                System.out.println(
                        "TurnRelayIT " + label + ": avpush's view of the session after the failure: " + status);
                ((ObjectNode) result).put("serverStatusAfterFailure", status);
            }
            System.out.println("TurnRelayIT " + label + ": selected pair "
                    + result.path("selectedPairs").path(0) + "; coturn log " + lab.coturnLog() + "; page result "
                    + run.out().resolve("result.json"));
            Files.writeString(run.out().resolve("coturn.log"), lab.coturnLogText(), StandardCharsets.UTF_8);
            return result;
        }
    }

    private static void assertMediaCameThroughTheRelay(JsonNode result, boolean relayForced) {
        assertTrue(
                result.path("error").isNull(),
                "the page failed: " + result.path("error").asText());
        JsonNode pair = result.path("selectedPairs").path(0);
        String local = pair.path("local").path("type").asText();
        String remote = pair.path("remote").path("type").asText();
        assertTrue(
                "relay".equals(local) || "relay".equals(remote),
                "the selected candidate pair has no relay end: " + pair);
        if (relayForced) {
            assertEquals("relay", local, "iceTransportPolicy relay: the viewer's end must be its relay: " + pair);
        }
        JsonNode relayEnd = "relay".equals(local) ? pair.path("local") : pair.path("remote");
        assertEquals(
                TurnLab.TURN_ADDRESS, relayEnd.path("address").asText(), "the relay is not the lab's coturn: " + pair);

        SyncFigures figures = SyncFigures.from(result);
        JsonNode stats = result.path("stats");
        JsonNode last = stats.path(stats.size() - 1);
        long samples = last.path("audio").path("samples").asLong();
        System.out.println("TurnRelayIT figures (relay pair " + local + " -> " + remote + ", " + samples
                + " audio samples)\n" + figures.describe());
        assertTrue(
                figures.framesDecoded() >= 200,
                "only " + figures.framesDecoded() + " frames decoded in 10 s through the relay");
        assertTrue(samples >= 5 * 48_000, "only " + samples + " audio samples received in 10 s through the relay");
        assertEquals(0, result.path("notes").size(), "page notes: " + result.path("notes"));
    }

    private static String status(InProcessNode server, String sessionId) throws Exception {
        HttpResponse<String> reply = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/sessions/" + sessionId))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode status = new ObjectMapper().readTree(reply.body());
        return reply.statusCode() + " state=" + status.path("state").asText() + " viewers=" + status.path("viewers");
    }
}
