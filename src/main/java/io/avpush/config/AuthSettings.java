package io.avpush.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * Who may publish and who may view. No API key configured means local development mode: every
 * endpoint is open (and said so at start).
 *
 * @param apiKeys keys that publish (and view every session); empty = development mode
 * @param tokenSecret HMAC key of viewer tokens; empty = a random secret per process
 * @param viewerTokenTtl how long a viewer token may start a viewer
 * @param openMetrics whether {@code GET /metrics} answers without the API key
 * @param maxFailures wrong credentials one client address may present within {@code failureWindow}
 *     before its calls get 429 for the rest of the window; 0 = no limit
 * @param failureWindow the window of {@code maxFailures}
 * @param clientAddressHeader where the client's address is read: "" = the TCP connection's peer;
 *     a header name (e.g. X-Forwarded-For) = the last address in it, as a trusted proxy appends it
 */
public record AuthSettings(List<String> apiKeys, String tokenSecret, Duration viewerTokenTtl, boolean openMetrics,
    int maxFailures, Duration failureWindow, String clientAddressHeader) {

  public boolean devMode() {
    return apiKeys.isEmpty();
  }

  static AuthSettings from(Config c) {
    List<String> keys = c.getStringList("api-keys").stream().map(String::trim).filter(k -> !k.isEmpty()).toList();
    return new AuthSettings(keys, c.getString("token-secret"), c.getDuration("viewer-token-ttl"), c.getBoolean("open-metrics"),
        c.getInt("max-failures"), c.getDuration("failure-window"), c.getString("client-address-header").trim());
  }
}
