package io.avpush.config;

import com.typesafe.config.Config;

/** All of avpush's settings, read once at start from the {@code avpush} block. */
public record AvpushSettings(
        HttpSettings http,
        MediaSettings media,
        WebRtcSettings webrtc,
        LimitSettings limits,
        AuthSettings auth,
        StreamSettings stream) {
    public static AvpushSettings from(Config root) {
        Config c = root.getConfig("avpush");
        return new AvpushSettings(
                HttpSettings.from(c.getConfig("http")),
                MediaSettings.from(c.getConfig("media")),
                WebRtcSettings.from(c.getConfig("webrtc")),
                LimitSettings.from(c.getConfig("limits")),
                AuthSettings.from(c.getConfig("auth")),
                StreamSettings.from(c.getConfig("media")));
    }
}
