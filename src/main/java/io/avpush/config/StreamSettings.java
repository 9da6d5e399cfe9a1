package io.avpush.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Streamed segments (WebSocket {@code /api/sessions/{id}/stream}), read from {@code avpush.media}.
 *
 * @param lead media of each kind a streamed segment must have received before it starts
 * @param buffer media a streamed segment may hold unplayed; beyond it the producer is told to
 *     slow down and the socket is back-pressured
 */
public record StreamSettings(Duration lead, Duration buffer) {
    public static final StreamSettings DEFAULTS = new StreamSettings(Duration.ofMillis(100), Duration.ofSeconds(5));

    static StreamSettings from(Config media) {
        return new StreamSettings(media.getDuration("stream-lead"), media.getDuration("stream-buffer"));
    }
}
