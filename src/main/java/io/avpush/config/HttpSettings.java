package io.avpush.config;

import com.typesafe.config.Config;
import java.time.Duration;

/** Where the HTTP API listens and how long a call waits for a session. */
public record HttpSettings(String host, int port, Duration askTimeout) {
  static HttpSettings from(Config c) {
    return new HttpSettings(c.getString("host"), c.getInt("port"), c.getDuration("ask-timeout"));
  }
}
