package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.app.Guardian;
import io.avpush.cluster.ClusterConfig;
import io.avpush.config.AvpushSettings;
import io.avpush.pacing.PushPacer;
import io.avpush.session.RecordingTransport;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WHEP as a standard player sees it: a real node (fake transport that answers "v=0 answer for
 * {viewerId}") on a free port, driven over HTTP. One test per status the draft and RFC 9725 define.
 */
class WhepRoutesTest {

    private static final String OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=recvonly\r\n";
    private static final Pattern LOCATION = Pattern.compile("/whep/([a-z0-9]+)/([a-z0-9]+-v\\d+)");

    private static ActorTestKit testKit;
    private static PushPacer pacer;
    private static HttpClient http;
    private static String base;

    @BeforeAll
    static void startNode() throws Exception {
        int port = freePort();
        Config config =
                ConfigFactory.parseString("""
        avpush.http.host = "127.0.0.1"
        avpush.http.port = %d
        avpush.webrtc.ice-servers = [
          { urls = ["stun:stun.example.org:3478"] },
          { urls = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349?transport=tcp"],
            username = "user", credential = "pa\\"ss" }
        ]
        """.formatted(port)).withFallback(ClusterConfig.load(ConfigFactory.empty()));
        testKit = ActorTestKit.create("WhepRoutesTest", config);
        pacer = new PushPacer();
        testKit.spawn(Guardian.create(AvpushSettings.from(config), id -> new RecordingTransport(), pacer), "node");
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        base = "http://127.0.0.1:" + port;
        awaitListening();
    }

    @AfterAll
    static void stopNode() {
        testKit.shutdownTestKit();
        pacer.close();
    }

    @Test
    void postCreatesSessionAndViewerWithAnswerLocationETagAndIceServers() throws Exception {
        HttpResponse<String> r = send("POST", "/whep", "application/sdp", OFFER);

        assertEquals(201, r.statusCode(), r.body());
        assertEquals("application/sdp", r.headers().firstValue("Content-Type").orElseThrow());
        Matcher location = location(r);
        String viewerId = location.group(2);
        assertEquals("v=0 answer for " + viewerId, r.body());
        assertEquals("\"" + viewerId + "\"", r.headers().firstValue("ETag").orElseThrow());
        assertEquals(
                List.of(
                        "<stun:stun.example.org:3478>; rel=\"ice-server\"",
                        "<turn:turn.example.org:3478?transport=udp>; rel=\"ice-server\"; username=\"user\"; credential=\"pa\\\"ss\"",
                        "<turns:turn.example.org:5349?transport=tcp>; rel=\"ice-server\"; username=\"user\"; credential=\"pa\\\"ss\""),
                r.headers().allValues("Link"));
        assertEquals("*", r.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(r.headers()
                .firstValue("Access-Control-Expose-Headers")
                .orElseThrow()
                .contains("Location"));
        assertEquals(
                200,
                send("GET", "/api/sessions/" + location.group(1), null, null).statusCode());
    }

    @Test
    void postToSessionIdJoinsThatSession() throws Exception {
        String sessionId = createSessionWithJsonApi();

        HttpResponse<String> r = send("POST", "/whep/" + sessionId, "application/sdp", OFFER);

        assertEquals(201, r.statusCode(), r.body());
        assertEquals(sessionId, location(r).group(1));
        assertEquals("v=0 answer for " + location(r).group(2), r.body());
    }

    @Test
    void postToUnknownSessionIs404() throws Exception {
        HttpResponse<String> r = send("POST", "/whep/nosuchsession", "application/sdp", OFFER);

        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("\"error\":\"session_not_found\""), r.body());
    }

    @Test
    void postWithAnotherContentTypeIs415NamingApplicationSdp() throws Exception {
        HttpResponse<String> r = send("POST", "/whep", "application/json", "{\"sdp\":\"v=0\"}");

        assertEquals(415, r.statusCode());
        assertTrue(r.body().contains("Content-Type: application/sdp"), r.body());
    }

    @Test
    void postWithEmptyBodyIs400() throws Exception {
        HttpResponse<String> r = send("POST", "/whep", "application/sdp", "");

        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("body is empty"), r.body());
    }

    @Test
    void postWithRejectedOfferIs400AndLeavesNoSession() throws Exception {
        List<String> before = sessions();

        HttpResponse<String> r = send("POST", "/whep", "application/sdp", "not an sdp");

        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("must start with") && r.body().contains("v=0"), r.body());
        Await.until(
                () -> sessions().equals(before),
                Duration.ofSeconds(5),
                "the session made for the rejected offer is deleted");
    }

    @Test
    void deleteEndsTheViewerWith200ThenIs404() throws Exception {
        String viewer = location(send("POST", "/whep/" + createSessionWithJsonApi(), "application/sdp", OFFER))
                .group();

        HttpResponse<String> first = send("DELETE", viewer, null, null);
        HttpResponse<String> second = send("DELETE", viewer, null, null);

        assertEquals(200, first.statusCode(), first.body());
        assertEquals(
                "*", first.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertEquals(404, second.statusCode());
        assertTrue(second.body().contains("no viewer"), second.body());
    }

    @Test
    void deletingThePlayerOfPostWhepEndsItsSessionButAJoinedSessionStays() throws Exception {
        Matcher own = location(send("POST", "/whep", "application/sdp", OFFER));
        String joinedId = createSessionWithJsonApi();
        Matcher joined = location(send("POST", "/whep/" + joinedId, "application/sdp", OFFER));

        assertEquals(200, send("DELETE", own.group(), null, null).statusCode());
        assertEquals(200, send("DELETE", joined.group(), null, null).statusCode());

        assertEquals(
                404, send("GET", "/api/sessions/" + own.group(1), null, null).statusCode());
        assertEquals(200, send("GET", "/api/sessions/" + joinedId, null, null).statusCode());
    }

    @Test
    void optionsIs200WithAcceptPostAndCorsHeaders() throws Exception {
        HttpResponse<String> endpoint = send("OPTIONS", "/whep", null, null);
        Matcher viewer = location(send("POST", "/whep", "application/sdp", OFFER));
        HttpResponse<String> resource = send("OPTIONS", viewer.group(), null, null);

        assertEquals(200, endpoint.statusCode());
        assertEquals(
                "application/sdp", endpoint.headers().firstValue("Accept-Post").orElseThrow());
        for (HttpResponse<String> r : List.of(endpoint, resource)) {
            assertEquals(
                    "*", r.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
            assertEquals(
                    "POST, DELETE, OPTIONS, PATCH",
                    r.headers().firstValue("Access-Control-Allow-Methods").orElseThrow());
            assertEquals(
                    "Content-Type, Authorization, X-Api-Key, If-Match",
                    r.headers().firstValue("Access-Control-Allow-Headers").orElseThrow());
            assertEquals(
                    "Location, Link, ETag, Accept-Post",
                    r.headers().firstValue("Access-Control-Expose-Headers").orElseThrow());
        }
        assertEquals(200, resource.statusCode());
        assertFalse(resource.headers().firstValue("Accept-Post").isPresent(), "a viewer resource takes no POST");
        assertEquals(
                200, send("OPTIONS", "/whep/" + viewer.group(1), null, null).statusCode());
    }

    @Test
    void trickleIcePatchIs405WithAllow() throws Exception {
        String viewer =
                location(send("POST", "/whep", "application/sdp", OFFER)).group();

        HttpResponse<String> r = send("PATCH", viewer, "application/trickle-ice-sdpfrag", "a=end-of-candidates\r\n");

        assertEquals(405, r.statusCode(), r.body());
        assertEquals("GET, DELETE, OPTIONS", r.headers().firstValue("Allow").orElseThrow());
        assertTrue(r.body().contains("\"error\":\"method_not_allowed\""), r.body());
    }

    @Test
    void patchWithAnotherContentTypeIs415() throws Exception {
        String viewer =
                location(send("POST", "/whep", "application/sdp", OFFER)).group();

        HttpResponse<String> r = send("PATCH", viewer, "application/sdp", OFFER);

        assertEquals(415, r.statusCode(), r.body());
        assertTrue(r.body().contains("application/trickle-ice-sdpfrag"), r.body());
    }

    @Test
    void patchOfUnknownViewerIs404() throws Exception {
        String sessionId =
                location(send("POST", "/whep", "application/sdp", OFFER)).group(1);

        assertEquals(
                404,
                send(
                                "PATCH",
                                "/whep/" + sessionId + "/" + sessionId + "-v99",
                                "application/trickle-ice-sdpfrag",
                                "a=end-of-candidates\r\n")
                        .statusCode());
        assertEquals(
                404,
                send(
                                "PATCH",
                                "/whep/nosuchsession/nosuchsession-v1",
                                "application/trickle-ice-sdpfrag",
                                "a=end-of-candidates\r\n")
                        .statusCode());
    }

    @Test
    void getIs2xxWithNoContentAsRfc9725Section41Requires() throws Exception {
        Matcher viewer = location(send("POST", "/whep", "application/sdp", OFFER));

        for (String url : List.of("/whep", "/whep/" + viewer.group(1), viewer.group())) {
            HttpResponse<String> r = send("GET", url, null, null);
            assertEquals(204, r.statusCode(), url);
            assertEquals("", r.body(), url);
        }
        assertEquals(
                404,
                send("GET", "/whep/" + viewer.group(1) + "/" + viewer.group(1) + "-v99", null, null)
                        .statusCode());
    }

    @Test
    void putIs405WithAllow() throws Exception {
        Matcher viewer = location(send("POST", "/whep", "application/sdp", OFFER));

        HttpResponse<String> endpoint = send("PUT", "/whep", "application/sdp", OFFER);
        HttpResponse<String> resource = send("PUT", viewer.group(), "application/sdp", OFFER);

        assertEquals(405, endpoint.statusCode());
        assertEquals(
                "GET, POST, OPTIONS", endpoint.headers().firstValue("Allow").orElseThrow());
        assertTrue(endpoint.body().contains("\"error\":\"method_not_allowed\""), endpoint.body());
        assertEquals(405, resource.statusCode());
        assertEquals(
                "GET, DELETE, OPTIONS", resource.headers().firstValue("Allow").orElseThrow());
    }

    private static Matcher location(HttpResponse<String> r) {
        assertEquals(201, r.statusCode(), r.body());
        Matcher m = LOCATION.matcher(r.headers().firstValue("Location").orElseThrow());
        assertTrue(
                m.matches(),
                () -> "Location is /whep/{sessionId}/{viewerId}: " + r.headers().firstValue("Location"));
        return m;
    }

    private static String createSessionWithJsonApi() throws Exception {
        HttpResponse<String> r = send("POST", "/api/sessions", "application/json", "{}");
        assertEquals(201, r.statusCode(), r.body());
        Matcher m = Pattern.compile("\"sessionId\":\"([a-z0-9]+)\"").matcher(r.body());
        assertTrue(m.find(), r.body());
        return m.group(1);
    }

    private static List<String> sessions() throws Exception {
        String body = send("GET", "/api/sessions", null, null).body();
        return Pattern.compile("\"([a-z0-9]{10})\"")
                .matcher(body)
                .results()
                .map(m -> m.group(1))
                .sorted()
                .toList();
    }

    private static HttpResponse<String> send(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                send("OPTIONS", "/whep", null, null);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the node did not listen within 10 s", e);
                }
                Thread.sleep(20);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
