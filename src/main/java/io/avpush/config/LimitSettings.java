package io.avpush.config;

import com.typesafe.config.Config;
import java.time.Duration;

/** Limits that protect the node from oversized or too many requests. */
public record LimitSettings(
        long maxUploadBytes,
        Duration maxSegmentDuration,
        int maxWidth,
        int maxHeight,
        int maxSessions,
        Duration maxQueuedDuration,
        long maxQueuedBytes,
        long maxSdpBytes,
        Duration idleTimeout,
        Duration disconnectedTimeout,
        int maxViewersPerSession,
        Duration uploadTimeout,
        Duration connectTimeout) {
    /** Without {@code connectTimeout}: its default, 15 s. */
    public LimitSettings(
            long maxUploadBytes,
            Duration maxSegmentDuration,
            int maxWidth,
            int maxHeight,
            int maxSessions,
            Duration maxQueuedDuration,
            long maxQueuedBytes,
            long maxSdpBytes,
            Duration idleTimeout,
            Duration disconnectedTimeout,
            int maxViewersPerSession,
            Duration uploadTimeout) {
        this(
                maxUploadBytes,
                maxSegmentDuration,
                maxWidth,
                maxHeight,
                maxSessions,
                maxQueuedDuration,
                maxQueuedBytes,
                maxSdpBytes,
                idleTimeout,
                disconnectedTimeout,
                maxViewersPerSession,
                uploadTimeout,
                Duration.ofSeconds(15));
    }

    static LimitSettings from(Config c) {
        return new LimitSettings(
                c.getBytes("max-upload-bytes"),
                c.getDuration("max-segment-duration"),
                c.getInt("max-width"),
                c.getInt("max-height"),
                c.getInt("max-sessions"),
                c.getDuration("max-queued-duration"),
                c.getBytes("max-queued-bytes"),
                c.getBytes("max-sdp-bytes"),
                c.getDuration("idle-timeout"),
                c.getDuration("disconnected-timeout"),
                c.getInt("max-viewers-per-session"),
                c.getDuration("upload-timeout"),
                c.getDuration("connect-timeout"));
    }
}
