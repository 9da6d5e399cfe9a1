package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Reply;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * avpush.limits.max-viewers-per-session: the offer past the limit gets 503 JSON naming the limit
 * and its value, on the JSON API and on WHEP alike; ending a viewer makes room; other sessions
 * are not limited by this one's viewers; an offer that is no SDP at all gets 400 before it takes a slot.
 */
class ViewerLimitTest {

    private static final String OFFER = "{\"sdp\": \"v=0\\r\\n\", \"type\": \"offer\"}";

    @Test
    void theViewerPastTheLimitGets503NamingItAndEndingOneMakesRoom() throws Exception {
        try (TestServer server =
                TestServer.start("viewer-limit", new FakeTransports(), "avpush.limits.max-viewers-per-session = 2")) {
            ApiClient api = server.client;
            String id = api.postJson("/api/sessions", "{}").text("sessionId");
            String offer = "/api/sessions/" + id + "/offer";
            Reply first = connected(api, offer);
            Reply second =
                    api.send("POST", "/whep/" + id, "application/sdp", "v=0\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals(201, second.status(), second.toString());

            for (Reply refused : new Reply[] {
                api.postJson(offer, OFFER),
                api.send("POST", "/whep/" + id, "application/sdp", "v=0\r\n".getBytes(StandardCharsets.UTF_8))
            }) {
                assertEquals(503, refused.status(), refused.toString());
                assertEquals("unavailable", refused.text("error"), refused.toString());
                assertTrue(refused.text("message").contains("already serves 2 viewers"), refused.toString());
                assertTrue(
                        refused.text("message").contains("avpush.limits.max-viewers-per-session = 2"),
                        refused.toString());
            }
            assertEquals(2, api.get("/api/sessions/" + id).json().get("viewers").asInt());

            String other = api.postJson("/api/sessions", "{}").text("sessionId");
            assertEquals(
                    200,
                    api.postJson("/api/sessions/" + other + "/offer", OFFER).status(),
                    "another session has its own limit");

            assertEquals(
                    204,
                    api.delete("/api/sessions/" + id + "/viewers/" + first.text("viewerId"))
                            .status());
            connected(api, offer);
        }
    }

    /** A viewer's offer on the JSON API, answered with 200. */
    private static Reply connected(ApiClient api, String offerPath) throws Exception {
        Reply answered = api.postJson(offerPath, OFFER);
        assertEquals(200, answered.status(), answered.toString());
        return answered;
    }

    @Test
    void anOfferThatIsNoSdpGets400EvenAtTheLimitAndTakesNoSlot() throws Exception {
        try (TestServer server = TestServer.start(
                "viewer-limit-garbage", new FakeTransports(), "avpush.limits.max-viewers-per-session = 1")) {
            ApiClient api = server.client;
            String id = api.postJson("/api/sessions", "{}").text("sessionId");
            String offer = "/api/sessions/" + id + "/offer";
            Reply viewer = connected(api, offer);

            // The session is full, but what the client must fix is its offer: a 503 would send it
            // waiting for a slot that its offer could never use.
            for (Reply refused : new Reply[] {
                api.postJson(offer, "{\"sdp\": \"ÿ\\u0000garbage\", \"type\": \"offer\"}"),
                api.send(
                        "POST",
                        "/whep/" + id,
                        "application/sdp",
                        "\u00ff\u0001not sdp".getBytes(StandardCharsets.UTF_8))
            }) {
                assertEquals(400, refused.status(), refused.toString());
                assertTrue(refused.text("message").contains("must start with \"v=0\""), refused.toString());
            }

            assertEquals(
                    204,
                    api.delete("/api/sessions/" + id + "/viewers/" + viewer.text("viewerId"))
                            .status());
            for (int i = 0; i < 5; i++) {
                assertEquals(
                        400,
                        api.send(
                                        "POST",
                                        "/whep/" + id,
                                        "application/sdp",
                                        ("junk " + i).getBytes(StandardCharsets.UTF_8))
                                .status());
            }
            Reply after = api.postJson(offer, OFFER);
            assertEquals(200, after.status(), "offers that were no SDP took no slot: " + after);
        }
    }
}
