package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.config.TurnRest;
import io.avpush.testing.ApiClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A deployment behind NAT works by configuration alone: the configured STUN server and a TURN
 * server with time-limited (TURN REST) credentials reach the browser in the session reply and in
 * WHEP's Link headers, with credentials a coturn with the same secret accepts.
 */
class IceServersHttpTest {

    private static final String CONFIG = "avpush.webrtc.ice-servers = [{urls = [\"stun:10.9.0.1:3478\"]}]\n"
            + "avpush.webrtc.turn-rest { urls = [\"turn:10.9.0.1:3478?transport=udp\"], secret = north-wind, ttl = 1 h }\n";

    @Test
    void sessionReplyAndWhepLinksCarryStunAndFreshTurnCredentials() throws Exception {
        try (TestServer server = TestServer.start("ice-servers", new FakeTransports(), CONFIG)) {
            long before = Instant.now().getEpochSecond();
            ApiClient.Reply created = server.client.postJson("/api/sessions", "{}");
            assertEquals(201, created.status(), created.toString());
            JsonNode ice = created.json().get("iceServers");
            assertEquals(2, ice.size(), ice.toString());
            assertEquals("stun:10.9.0.1:3478", ice.get(0).get("urls").get(0).asText());
            JsonNode turn = ice.get(1);
            assertEquals(
                    "turn:10.9.0.1:3478?transport=udp", turn.get("urls").get(0).asText());
            String username = turn.get("username").asText();
            long expires = Long.parseLong(username.substring(0, username.indexOf(':')));
            assertTrue(expires >= before + 3600 && expires <= before + 3600 + 60, "valid for the ttl: " + username);
            assertEquals(
                    TurnRest.credentials("north-wind", "avpush", expires).credential(),
                    turn.get("credential").asText());

            HttpResponse<String> whep = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(server.client.base().resolve("/whep/" + created.text("sessionId")))
                                    .header("Content-Type", "application/sdp")
                                    .POST(HttpRequest.BodyPublishers.ofString("v=0\r\n"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(201, whep.statusCode(), whep.body());
            List<String> links = whep.headers().allValues("Link");
            assertTrue(
                    links.stream().anyMatch(l -> l.startsWith("<stun:10.9.0.1:3478>; rel=\"ice-server\"")),
                    links.toString());
            assertTrue(
                    links.stream()
                            .anyMatch(l -> l.startsWith("<turn:10.9.0.1:3478?transport=udp>; rel=\"ice-server\"")
                                    && l.contains("username=\"" + expiresOf(l))
                                    && l.contains("credential=\"")),
                    links.toString());
        }
    }

    private static String expiresOf(String link) {
        int at = link.indexOf("username=\"") + "username=\"".length();
        return link.substring(at, link.indexOf(':', at));
    }
}
