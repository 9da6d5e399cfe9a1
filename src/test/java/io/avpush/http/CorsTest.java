package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Reply;
import org.junit.jupiter.api.Test;

/**
 * Which web pages may call the API and WHEP from a browser: any origin in development mode, only
 * the configured ones (avpush.http.cors-origins) otherwise. Preflights of the JSON API and of WHEP
 * name the methods and the credential headers a page may send.
 */
class CorsTest {

    private static final String KEY = "cors-test-key";
    private static final String TOKEN_SECRET_SETTING = "avpush.auth.token-secret = cors-test-token-secret-0123456789";
    private static final String APP = "https://app.example";
    private static final String EVIL = "https://evil.example";

    @Test
    void developmentModeAllowsAnyOriginAndPreflightsNameTheCredentialHeaders() throws Exception {
        try (TestServer server = TestServer.start("cors-dev", new FakeTransports(), "")) {
            ApiClient page = server.client.withHeaders("Origin", EVIL);
            Reply created = page.postJson("/api/sessions", "{}");
            assertEquals(201, created.status(), created.toString());
            assertEquals("*", created.header("Access-Control-Allow-Origin"));
            assertEquals("*", page.get("/api/sessions/nosuchsess").header("Access-Control-Allow-Origin"), "errors too");

            for (String path :
                    new String[] {"/api/sessions", "/api/sessions/" + created.text("sessionId") + "/offer", "/whep"}) {
                Reply preflight = preflight(page, path, "POST");
                assertEquals(200, preflight.status(), path + ": " + preflight);
                assertEquals("*", preflight.header("Access-Control-Allow-Origin"), path);
                assertTrue(preflight.header("Access-Control-Allow-Methods").contains("POST"), path + ": " + preflight);
                assertEquals(
                        "Content-Type, Authorization, X-Api-Key, If-Match",
                        preflight.header("Access-Control-Allow-Headers"),
                        path);
            }
        }
    }

    @Test
    void withKeysOnlyConfiguredOriginsAreAllowed() throws Exception {
        String config = "avpush.auth.api-keys = [\"" + KEY + "\"]\n" + TOKEN_SECRET_SETTING
                + "\navpush.http.cors-origins = [\"" + APP + "\"]";
        try (TestServer server = TestServer.start("cors-origins", new FakeTransports(), config)) {
            Reply fromApp = server.client.bearer(KEY).withHeaders("Origin", APP).postJson("/api/sessions", "{}");
            assertEquals(201, fromApp.status(), fromApp.toString());
            assertEquals(APP, fromApp.header("Access-Control-Allow-Origin"));
            assertEquals("Origin", fromApp.header("Vary"));
            assertTrue(fromApp.header("Access-Control-Expose-Headers").contains("Location"));

            Reply fromEvil =
                    server.client.bearer(KEY).withHeaders("Origin", EVIL).get("/api/sessions");
            assertNull(
                    fromEvil.header("Access-Control-Allow-Origin"),
                    "a browser must not let that page read it: " + fromEvil);

            Reply appPreflight =
                    preflight(server.client.withHeaders("Origin", APP), "/whep/" + fromApp.text("sessionId"), "POST");
            assertEquals(200, appPreflight.status(), appPreflight.toString());
            assertEquals(APP, appPreflight.header("Access-Control-Allow-Origin"));
            assertEquals("application/sdp", appPreflight.header("Accept-Post"));

            for (String path : new String[] {"/api/sessions", "/whep"}) {
                Reply evilPreflight = preflight(server.client.withHeaders("Origin", EVIL), path, "POST");
                assertEquals(403, evilPreflight.status(), path + ": " + evilPreflight);
                assertEquals("origin_not_allowed", evilPreflight.text("error"));
                assertTrue(
                        evilPreflight.text("message").contains("avpush.http.cors-origins"), evilPreflight.toString());
                assertNull(evilPreflight.header("Access-Control-Allow-Origin"));
            }
        }
    }

    @Test
    void withKeysAndNoConfiguredOriginsNoOtherOriginIsAllowed() throws Exception {
        try (TestServer server = TestServer.start(
                "cors-none",
                new FakeTransports(),
                "avpush.auth.api-keys = [\"" + KEY + "\"]\n" + TOKEN_SECRET_SETTING)) {
            Reply r = server.client.bearer(KEY).withHeaders("Origin", APP).postJson("/api/sessions", "{}");
            assertEquals(201, r.status(), r.toString());
            assertNull(r.header("Access-Control-Allow-Origin"), r.toString());
            assertEquals(
                    403,
                    preflight(server.client.withHeaders("Origin", APP), "/api/sessions", "POST")
                            .status());
        }
    }

    private static Reply preflight(ApiClient client, String path, String method) throws Exception {
        return client.withHeaders(
                        "Access-Control-Request-Method",
                        method,
                        "Access-Control-Request-Headers",
                        "authorization, content-type")
                .send("OPTIONS", path, null, null);
    }
}
