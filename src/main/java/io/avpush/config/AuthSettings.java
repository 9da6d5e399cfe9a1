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
 */
public record AuthSettings(List<String> apiKeys, String tokenSecret, Duration viewerTokenTtl, boolean openMetrics) {

  public boolean devMode() {
    return apiKeys.isEmpty();
  }

  static AuthSettings from(Config c) {
    List<String> keys = c.getStringList("api-keys").stream().map(String::trim).filter(k -> !k.isEmpty()).toList();
    return new AuthSettings(keys, c.getString("token-secret"), c.getDuration("viewer-token-ttl"), c.getBoolean("open-metrics"));
  }
}
