package io.avpush.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * Where the HTTP API listens, how long a call waits for a session, and which web origins may call
 * it from a browser (empty: any origin in development mode, none otherwise).
 */
public record HttpSettings(String host, int port, Duration askTimeout, List<String> corsOrigins) {
    static HttpSettings from(Config c) {
        return new HttpSettings(
                c.getString("host"), c.getInt("port"), c.getDuration("ask-timeout"), c.getStringList("cors-origins"));
    }
}
