package io.avpush.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.List;

/**
 * Who may publish and who may view. No API key configured means local development mode: every
 * endpoint is open (and said so at start). A node with API keys must have a token secret: there
 * is no default one.
 *
 * @param apiKeys keys that publish (and view every session); empty = development mode
 * @param tokenSecret HMAC key of viewer tokens, at least {@link #MIN_SECRET_CHARS} characters when
 *     there are API keys; empty (development mode only) = a random secret per process
 * @param viewerTokenTtl how long a viewer token may start a viewer
 * @param openMetrics whether {@code GET /metrics} answers without the API key
 * @param maxFailures wrong credentials one client address may present within {@code failureWindow}
 *     before its calls get 429 for the rest of the window; 0 = no limit
 * @param failureWindow the window of {@code maxFailures}
 * @param clientAddressHeader where the client's address is read: "" = the TCP connection's peer;
 *     a header name (e.g. X-Forwarded-For) = the last address in it, as a trusted proxy appends it
 */
public record AuthSettings(
        List<String> apiKeys,
        String tokenSecret,
        Duration viewerTokenTtl,
        boolean openMetrics,
        int maxFailures,
        Duration failureWindow,
        String clientAddressHeader) {

    public boolean devMode() {
        return apiKeys.isEmpty();
    }

    /** The shortest token secret a node with API keys accepts: 32 characters (openssl rand -base64 32 gives 44). */
    public static final int MIN_SECRET_CHARS = 32;

    private static final String HOW_TO_SET =
            "generate one with: openssl rand -base64 32, and set the same value on every "
                    + "node as the environment variable AVPUSH_TOKEN_SECRET (or avpush.auth.token-secret in application.conf)";

    /**
     * Refuses a node that has API keys but no token secret, or one short enough to guess: its viewer
     * tokens would be forgeable, or would die with the process and fail on every other node.
     */
    static AuthSettings from(Config c) {
        List<String> keys = c.getStringList("api-keys").stream()
                .map(String::trim)
                .filter(k -> !k.isEmpty())
                .toList();
        String secret = c.getString("token-secret");
        if (!keys.isEmpty() && secret.isBlank()) {
            throw new ConfigException.BadValue(
                    c.getValue("token-secret").origin(),
                    "avpush.auth.token-secret",
                    "it is empty, but API keys are set (avpush.auth.api-keys or AVPUSH_API_KEY): a node that checks API keys "
                            + "signs viewer tokens with this secret; " + HOW_TO_SET
                            + ". Without API keys (development mode) "
                            + "no secret is needed");
        }
        if (!keys.isEmpty() && secret.length() < MIN_SECRET_CHARS) {
            throw new ConfigException.BadValue(
                    c.getValue("token-secret").origin(),
                    "avpush.auth.token-secret",
                    "it is " + secret.length() + " characters; a secret that signs viewer tokens is at least "
                            + MIN_SECRET_CHARS + " characters, or tokens can be forged by guessing it; " + HOW_TO_SET);
        }
        return new AuthSettings(
                keys,
                secret,
                c.getDuration("viewer-token-ttl"),
                c.getBoolean("open-metrics"),
                c.getInt("max-failures"),
                c.getDuration("failure-window"),
                c.getString("client-address-header").trim());
    }
}
