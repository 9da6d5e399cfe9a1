package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.testing.SyntheticMedia;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint with a missing, a wrong and a right credential, on a node with API keys: publishing
 * takes only an API key; viewing a session (and ending a viewer of it) takes an API key or that
 * session's viewer token; a token of another session is 403, an expired one 401. Each refusal is
 * JSON, each 401 carries a WWW-Authenticate challenge (RFC 6750), and a refused call changes nothing.
 */
class AuthTest {

    private static final String KEY = "pk-3f9c2a7e51d84b06";
    private static final String SECOND_KEY = "pk-second-0b1c";
    private static final String SECRET = "auth-test-token-secret-of-32-chars+";
    private static final String OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    private static final Pattern LOCATION = Pattern.compile("/whep/([a-z0-9]+)/([a-z0-9]+-v\\d+)");

    private static TestServer server;
    private static ApiClient anonymous;
    private static ApiClient publisher;

    enum Needs {
        API_KEY,
        VIEWER
    }

    /** A request against a fresh session {@code f}. */
    record Call(String method, String path, String contentType, byte[] body) {}

    /** One endpoint: what it needs, the status it answers when allowed, and how to call it. */
    record Endpoint(String name, Needs needs, int okStatus, Function<Fixture, Call> call) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A session made with the API key, a JSON-API viewer and a WHEP viewer of it, and its token. */
    record Fixture(String sessionId, String viewerToken, String jsonViewer, String whepViewer) {}

    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST /api/sessions", Needs.API_KEY, 201, f -> json("POST", "/api/sessions", "{}")),
            new Endpoint("GET /api/sessions", Needs.API_KEY, 200, f -> bare("GET", "/api/sessions")),
            new Endpoint(
                    "GET /api/sessions/{id}", Needs.VIEWER, 200, f -> bare("GET", "/api/sessions/" + f.sessionId())),
            new Endpoint(
                    "DELETE /api/sessions/{id}",
                    Needs.API_KEY,
                    204,
                    f -> bare("DELETE", "/api/sessions/" + f.sessionId())),
            new Endpoint(
                    "POST /api/sessions/{id}/offer",
                    Needs.VIEWER,
                    200,
                    f -> json(
                            "POST",
                            "/api/sessions/" + f.sessionId() + "/offer",
                            "{\"sdp\": \"v=0\\r\\n\", \"type\": \"offer\"}")),
            new Endpoint(
                    "POST /api/sessions/{id}/segments",
                    Needs.API_KEY,
                    202,
                    f -> new Call(
                            "POST",
                            "/api/sessions/" + f.sessionId() + "/segments",
                            ApiClient.multipartType(),
                            ApiClient.multipart(List.of(Part.file(
                                    "audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(0.2), 48_000)))))),
            new Endpoint(
                    "POST /api/sessions/{id}/demo",
                    Needs.API_KEY,
                    202,
                    f -> json("POST", "/api/sessions/" + f.sessionId() + "/demo", "")),
            new Endpoint(
                    "POST /api/sessions/{id}/interrupt",
                    Needs.API_KEY,
                    200,
                    f -> json("POST", "/api/sessions/" + f.sessionId() + "/interrupt", "")),
            new Endpoint(
                    "POST /api/sessions/{id}/viewer-token",
                    Needs.API_KEY,
                    200,
                    f -> json("POST", "/api/sessions/" + f.sessionId() + "/viewer-token", "")),
            // Ending a viewer takes what starting one does, on the JSON API as on WHEP.
            new Endpoint(
                    "DELETE /api/sessions/{id}/viewers/{viewerId}",
                    Needs.VIEWER,
                    204,
                    f -> bare("DELETE", "/api/sessions/" + f.sessionId() + "/viewers/" + f.jsonViewer())),
            new Endpoint(
                    "DELETE /api/sessions/{id}/idle",
                    Needs.API_KEY,
                    204,
                    f -> bare("DELETE", "/api/sessions/" + f.sessionId() + "/idle")),
            // Allowed, a plain GET of the stream is told it is no WebSocket upgrade (400): auth comes first.
            new Endpoint(
                    "GET /api/sessions/{id}/stream",
                    Needs.API_KEY,
                    400,
                    f -> bare("GET", "/api/sessions/" + f.sessionId() + "/stream")),
            new Endpoint("POST /whep", Needs.API_KEY, 201, f -> sdp("/whep")),
            new Endpoint("GET /whep", Needs.API_KEY, 204, f -> bare("GET", "/whep")),
            new Endpoint("POST /whep/{id}", Needs.VIEWER, 201, f -> sdp("/whep/" + f.sessionId())),
            new Endpoint("GET /whep/{id}", Needs.VIEWER, 204, f -> bare("GET", "/whep/" + f.sessionId())),
            new Endpoint("GET /whep/{id}/{viewerId}", Needs.VIEWER, 204, f -> bare("GET", f.whepViewer())),
            new Endpoint(
                    "PATCH /whep/{id}/{viewerId}",
                    Needs.VIEWER,
                    405,
                    f -> new Call(
                            "PATCH",
                            f.whepViewer(),
                            "application/trickle-ice-sdpfrag",
                            "a=end-of-candidates\r\n".getBytes(StandardCharsets.UTF_8))),
            new Endpoint("DELETE /whep/{id}/{viewerId}", Needs.VIEWER, 200, f -> bare("DELETE", f.whepViewer())),
            new Endpoint("GET /metrics", Needs.API_KEY, 200, f -> bare("GET", "/metrics")),
            // The members' addresses and HTTP URLs: not for anyone who reaches the port.
            new Endpoint("GET /api/cluster", Needs.API_KEY, 200, f -> bare("GET", "/api/cluster")));

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(
                "auth",
                new FakeTransports(),
                String.join(
                        "\n",
                        "avpush.media { default-width = 64, default-height = 64 }",
                        "avpush.limits.max-sessions = 200",
                        // These tests present hundreds of wrong credentials from one address on purpose; the limit
                        // on them has tests (and servers) of its own below.
                        "avpush.auth.max-failures = 0",
                        "avpush.auth { api-keys = [\"" + KEY + "\", \"" + SECOND_KEY + "\"], token-secret = \"" + SECRET
                                + "\" }"));
        anonymous = server.client;
        publisher = server.client.bearer(KEY);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyEndpointWithoutACredentialIs401WithAChallengeAndChangesNothing() throws Exception {
        Fixture f = fixture();
        for (Endpoint e : ENDPOINTS) {
            Reply r = send(anonymous, e.call().apply(f));
            assertRefused(r, 401, "unauthorized", e);
            assertEquals("Bearer realm=\"avpush\"", r.header("WWW-Authenticate"), e + ": " + r);
            assertTrue(
                    r.text("message").contains(e.needs() == Needs.API_KEY ? "API key" : "viewer token"), e + ": " + r);
        }
        assertFixtureUntouched(f);
    }

    @Test
    void everyEndpointWithAWrongKeyIs401InvalidToken() throws Exception {
        Fixture f = fixture();
        for (String wrong : List.of(KEY + "x", KEY.substring(1), "Bearer", f.viewerToken() + "x")) {
            for (Endpoint e : ENDPOINTS) {
                Reply r = send(anonymous.bearer(wrong), e.call().apply(f));
                assertRefused(r, 401, "unauthorized", e);
                assertEquals(
                        "Bearer realm=\"avpush\", error=\"invalid_token\"", r.header("WWW-Authenticate"), e + ": " + r);
            }
        }
        for (Endpoint e : ENDPOINTS) {
            assertRefused(
                    send(anonymous.withHeaders("X-Api-Key", "nope"), e.call().apply(f)), 401, "unauthorized", e);
            assertRefused(
                    send(
                            anonymous.withHeaders("Authorization", "Basic " + KEY),
                            e.call().apply(f)),
                    401,
                    "unauthorized",
                    e);
        }
        assertFixtureUntouched(f);
    }

    @Test
    void everyEndpointAcceptsEitherApiKeyAsBearerOrAsXApiKey() throws Exception {
        List<ApiClient> clients =
                List.of(publisher, anonymous.bearer(SECOND_KEY), anonymous.withHeaders("X-Api-Key", KEY));
        for (ApiClient client : clients) {
            for (Endpoint e : ENDPOINTS) {
                Fixture f = fixture();
                Reply r = send(client, e.call().apply(f));
                assertEquals(e.okStatus(), r.status(), e + ": " + r);
                delete(f);
            }
        }
    }

    @Test
    void viewingEndpointsAcceptTheSessionsViewerTokenAndPublishingOnesRefuseItWith403() throws Exception {
        for (Endpoint e : ENDPOINTS) {
            Fixture f = fixture();
            Reply r = send(anonymous.bearer(f.viewerToken()), e.call().apply(f));
            if (e.needs() == Needs.VIEWER) {
                assertEquals(e.okStatus(), r.status(), e + ": " + r);
            } else {
                assertRefused(r, 403, "forbidden", e);
                assertTrue(r.text("message").contains("needs the API key"), e + ": " + r);
                assertFixtureUntouched(f);
            }
            delete(f);
        }
    }

    @Test
    void aViewerTokenOfAnotherSessionIs403OnEveryViewingEndpoint() throws Exception {
        String other = fixture().viewerToken();
        Fixture f = fixture();
        for (Endpoint e : ENDPOINTS) {
            if (e.needs() == Needs.VIEWER) {
                Reply r = send(anonymous.bearer(other), e.call().apply(f));
                assertRefused(r, 403, "forbidden", e);
                assertTrue(r.text("message").contains("not " + f.sessionId()), e + ": " + r);
            }
        }
        assertFixtureUntouched(f);
    }

    @Test
    void aViewerTokenEndsAViewerOfItsSessionOnTheJsonApiAsOnWhepButNotOneOfAnotherSession() throws Exception {
        Fixture f = fixture();
        Fixture other = fixture();
        String viewer = "/api/sessions/" + f.sessionId() + "/viewers/" + f.jsonViewer();
        Reply refused = anonymous.bearer(other.viewerToken()).delete(viewer);
        assertEquals(403, refused.status(), refused.toString());
        assertTrue(refused.text("message").contains("not " + f.sessionId()), refused.toString());
        assertFixtureUntouched(f);
        Reply ended = anonymous.bearer(f.viewerToken()).delete(viewer);
        assertEquals(204, ended.status(), ended.toString());
        Reply again = anonymous.bearer(f.viewerToken()).delete(viewer);
        assertEquals(404, again.status(), "the viewer is gone: " + again);
        Reply whep = anonymous.bearer(f.viewerToken()).get(f.whepViewer());
        assertEquals(204, whep.status(), "the session's other viewer is still there: " + whep);
        delete(f);
        delete(other);
    }

    @Test
    void anExpiredViewerTokenIs401OnEveryViewingEndpoint() throws Exception {
        Fixture f = fixture();
        Clock hourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        String expired = new ViewerTokens(SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(15), hourAgo)
                .issue(f.sessionId())
                .token();
        for (Endpoint e : ENDPOINTS) {
            if (e.needs() == Needs.VIEWER) {
                Reply r = send(anonymous.bearer(expired), e.call().apply(f));
                assertRefused(r, 401, "unauthorized", e);
                assertTrue(r.text("message").contains("expired"), e + ": " + r);
                assertTrue(r.header("WWW-Authenticate").contains("invalid_token"), e + ": " + r);
            }
        }
        assertFixtureUntouched(f);
    }

    @Test
    void aTokenSignedWithAnotherSecretIs401() throws Exception {
        Fixture f = fixture();
        String forged = new ViewerTokens(
                        "another-secret".getBytes(StandardCharsets.UTF_8), Duration.ofMinutes(15), Clock.systemUTC())
                .issue(f.sessionId())
                .token();
        assertRefused(anonymous.bearer(forged).get("/api/sessions/" + f.sessionId()), 401, "unauthorized", null);
    }

    @Test
    void theSessionReplyAndTheViewerTokenEndpointHandOutWorkingTokens() throws Exception {
        Reply created = publisher.postJson("/api/sessions", "{}");
        String id = created.text("sessionId");
        Instant expires = Instant.parse(created.text("viewerTokenExpiresAt"));
        assertTrue(Duration.between(Instant.now(), expires).toMinutes() >= 14, "15 minutes by default: " + created);
        Reply fresh = publisher.postJson("/api/sessions/" + id + "/viewer-token", "");
        assertEquals(200, fresh.status(), fresh.toString());
        assertNotNull(Instant.parse(fresh.text("expiresAt")));
        for (String token : List.of(created.text("viewerToken"), fresh.text("viewerToken"))) {
            Reply answer =
                    anonymous.bearer(token).postJson("/api/sessions/" + id + "/offer", "{\"sdp\": \"v=0\\r\\n\"}");
            assertEquals(200, answer.status(), answer.toString());
        }
        assertEquals(
                2, publisher.get("/api/sessions/" + id).json().get("viewers").asInt());
    }

    @Test
    void aViewerTokenAlsoWorksAsAccessTokenQueryParameterForEventSourceAndWebSocket() throws Exception {
        Fixture f = fixture();
        String status = "/api/sessions/" + f.sessionId() + "?access_token=";
        assertEquals(200, anonymous.get(status + f.viewerToken()).status());
        assertRefused(anonymous.get(status + f.viewerToken() + "x"), 401, "unauthorized", null);
        assertRefused(anonymous.get(status), 401, "unauthorized", null);
        assertRefused(
                anonymous.postJson("/api/sessions/" + f.sessionId() + "/demo?access_token=" + f.viewerToken(), ""),
                403,
                "forbidden",
                null);
        delete(f);
    }

    @Test
    void theEventStreamNeedsTheSessionsViewerToken() throws Exception {
        Fixture f = fixture();
        Fixture other = fixture();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, Integer> status = query -> http.sendAsync(
                        java.net.http.HttpRequest.newBuilder(server.client
                                        .base()
                                        .resolve("/api/sessions/" + f.sessionId() + "/events" + query))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding())
                .thenApply(java.net.http.HttpResponse::statusCode)
                .completeOnTimeout(-1, 10, java.util.concurrent.TimeUnit.SECONDS)
                .join();
        assertEquals(401, status.apply(""));
        assertEquals(403, status.apply("?access_token=" + other.viewerToken()));
        // Allowed, the response starts (200) and streams on; only its status is awaited, via the headers.
        java.net.http.HttpResponse<java.io.InputStream> ok = http.send(
                java.net.http.HttpRequest.newBuilder(server.client
                                .base()
                                .resolve("/api/sessions/" + f.sessionId() + "/events?access_token=" + f.viewerToken()))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, ok.statusCode());
        assertTrue(
                ok.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                ok.headers().toString());
        ok.body().close();
        delete(f);
        delete(other);
    }

    @Test
    void anUnknownSessionWithoutCredentialsIs401NotA404() throws Exception {
        assertRefused(anonymous.get("/api/sessions/nosuchsess"), 401, "unauthorized", null);
        assertRefused(send(anonymous, sdp("/whep/nosuchsess")), 401, "unauthorized", null);
        assertEquals(404, publisher.get("/api/sessions/nosuchsess").status());
    }

    @Test
    void theDemoPageAndItsFilesStayOpen() throws Exception {
        assertEquals(200, anonymous.get("/").status());
        assertEquals(200, anonymous.get("/static/measure.html").status());
    }

    @Test
    void healthChecksStayOpenForLoadBalancersAndContainerHealthChecks() throws Exception {
        for (String path : List.of("/health/alive", "/health/ready")) {
            Reply r = anonymous.get(path);
            assertEquals(200, r.status(), path + ": " + r);
            assertTrue(r.contentType().startsWith("application/json"), path + ": " + r);
        }
    }

    @Test
    void metricsAreOpenWhenConfiguredSo() throws Exception {
        try (TestServer open = TestServer.start(
                "auth-open-metrics",
                new FakeTransports(),
                "avpush.auth { api-keys = [\"" + KEY + "\"], token-secret = \"" + SECRET + "\", open-metrics = on }")) {
            Reply r = open.client.get("/metrics");
            assertEquals(200, r.status(), r.toString());
            assertTrue(r.body().contains("avpush_sessions"), r.body());
            assertTrue(r.body().contains("jvm_memory_used_bytes"), "JVM figures too: " + r.body());
            assertRefused(open.client.postJson("/api/sessions", "{}"), 401, "unauthorized", null);
        }
    }

    @Test
    void anAddressThatPresentsTooManyWrongCredentialsGets429WithRetryAfterWhateverItSendsNext() throws Exception {
        try (TestServer limited = TestServer.start(
                "auth-failure-limit",
                new FakeTransports(),
                "avpush.auth { api-keys = [\"" + KEY + "\"], token-secret = \"" + SECRET
                        + "\", max-failures = 3, failure-window = 60 s }")) {
            ApiClient client = limited.client;
            String id = client.bearer(KEY).postJson("/api/sessions", "{}").text("sessionId");
            // Missing credentials and genuine viewer tokens are not guesses: they do not count.
            for (int i = 0; i < 5; i++) {
                assertRefused(client.get("/api/sessions"), 401, "unauthorized", null);
            }
            assertEquals(200, client.bearer(KEY).get("/api/sessions/" + id).status());
            for (String wrong : List.of(KEY + "x", "guess-2", "guess-3")) {
                assertRefused(client.bearer(wrong).get("/api/sessions/" + id), 401, "unauthorized", null);
            }
            for (ApiClient next : List.of(client.bearer(KEY), client.bearer("guess-4"), client)) {
                Reply r = next.get("/api/sessions/" + id);
                assertEquals(429, r.status(), r.toString());
                assertTrue(r.contentType().startsWith("application/json"), r.toString());
                assertEquals("too_many_failed_credentials", r.text("error"), r.toString());
                assertTrue(
                        r.text("message").contains("avpush.auth.max-failures = 3 per failure-window = 60 s"),
                        r.toString());
                long retryAfter = Long.parseLong(r.header("Retry-After"));
                assertTrue(retryAfter >= 1 && retryAfter <= 60, r.toString());
            }
            Reply create = client.bearer(KEY).postJson("/api/sessions", "{}");
            assertEquals(429, create.status(), "publishing too: " + create);
            assertEquals(200, client.get("/health/alive").status(), "open endpoints stay open");
            assertEquals(200, client.get("/").status());
            assertEquals(
                    429,
                    client.bearer(KEY)
                            .withHeaders("X-Forwarded-For", "203.0.113.9")
                            .get("/api/sessions")
                            .status(),
                    "a client's own X-Forwarded-For does not move it to another address unless configured");
        }
    }

    @Test
    void theLimitCountsPerClientAddressAndEndsWithItsWindow() throws Exception {
        try (TestServer limited = TestServer.start(
                "auth-failure-limit-window",
                new FakeTransports(),
                "avpush.auth { api-keys = [\"" + KEY + "\"], token-secret = \"" + SECRET
                        + "\", max-failures = 2, failure-window = 2 s, "
                        + "client-address-header = X-Forwarded-For }")) {
            // Behind a proxy: the last X-Forwarded-For address is the client (the one the proxy appended).
            ApiClient guesser = limited.client.withHeaders("X-Forwarded-For", "203.0.113.5");
            ApiClient other = limited.client.withHeaders("X-Forwarded-For", "203.0.113.9");
            for (String wrong : List.of("guess-1", "guess-2")) {
                assertRefused(guesser.bearer(wrong).get("/api/sessions"), 401, "unauthorized", null);
            }
            assertEquals(429, guesser.bearer(KEY).get("/api/sessions").status());
            assertEquals(
                    429,
                    limited.client
                            .withHeaders("X-Forwarded-For", "203.0.113.9, 203.0.113.5")
                            .bearer(KEY)
                            .get("/api/sessions")
                            .status(),
                    "an address the client put in front does not count");
            assertEquals(200, other.bearer(KEY).get("/api/sessions").status(), "another client is not blocked");
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            Reply after;
            do {
                Thread.sleep(200);
                after = guesser.bearer(KEY).get("/api/sessions");
            } while (after.status() == 429 && System.nanoTime() < deadline);
            assertEquals(200, after.status(), "once the window has passed the right key works again: " + after);
        }
    }

    // ---- helpers ----

    private static Fixture fixture() throws Exception {
        Reply created = publisher.postJson("/api/sessions", "{}");
        assertEquals(201, created.status(), created.toString());
        String id = created.text("sessionId");
        Reply answer =
                publisher.postJson("/api/sessions/" + id + "/offer", "{\"sdp\": \"v=0\\r\\n\", \"type\": \"offer\"}");
        assertEquals(200, answer.status(), answer.toString());
        Reply whep = send(publisher, sdp("/whep/" + id));
        assertEquals(201, whep.status(), whep.toString());
        Matcher location = LOCATION.matcher(whep.header("Location"));
        assertTrue(location.matches(), whep.toString());
        return new Fixture(id, created.text("viewerToken"), answer.text("viewerId"), location.group());
    }

    /** The session still exists with both its viewers, and nothing was queued. */
    private static void assertFixtureUntouched(Fixture f) throws Exception {
        Reply status = publisher.get("/api/sessions/" + f.sessionId());
        assertEquals(200, status.status(), status.toString());
        assertEquals(2, status.json().get("viewers").asInt(), status.toString());
        assertEquals(0, status.json().get("queued").size(), status.toString());
        assertTrue(status.json().get("playing").isNull(), status.toString());
    }

    private static void assertRefused(Reply r, int status, String error, Endpoint e) {
        assertEquals(status, r.status(), e + ": " + r);
        assertTrue(r.contentType().startsWith("application/json"), e + ": " + r);
        assertEquals(error, r.text("error"), e + ": " + r);
        assertTrue(r.text("message") != null && !r.text("message").isBlank(), e + ": " + r);
        if (status == 401) {
            assertNotNull(r.header("WWW-Authenticate"), e + ": " + r);
        }
    }

    private static Reply send(ApiClient client, Call c) throws Exception {
        return client.send(c.method(), c.path(), c.contentType(), c.body());
    }

    private static Call json(String method, String path, String body) {
        return new Call(method, path, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static Call bare(String method, String path) {
        return new Call(method, path, null, null);
    }

    private static Call sdp(String path) {
        return new Call("POST", path, "application/sdp", OFFER.getBytes(StandardCharsets.UTF_8));
    }

    private static void delete(Fixture f) throws Exception {
        publisher.delete("/api/sessions/" + f.sessionId());
    }
}
