package io.avpush.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * ICE servers for the server's peer connections (and handed to browsers), the audio device module,
 * how often each stream sends an RTCP sender report (zero: libwebrtc's own intervals), and whether
 * Opus sends silence as DTX.
 */
public record WebRtcSettings(
        List<IceServerSettings> iceServers,
        TurnRestSettings turnRest,
        String audioModule,
        Duration senderReportInterval,
        boolean opusDtx) {

    /** One STUN or TURN server; username and credential are null for STUN. */
    public record IceServerSettings(List<String> urls, String username, String credential) {}

    /**
     * A TURN server that takes time-limited credentials derived from a shared secret (coturn's
     * use-auth-secret); off while {@code secret} or {@code urls} is empty.
     */
    public record TurnRestSettings(List<String> urls, String secret, String user, Duration ttl) {
        boolean enabled() {
            return !urls.isEmpty() && !secret.isEmpty();
        }
    }

    /** The ICE servers to use now: the static ones, and a TURN REST entry with fresh credentials. */
    public List<IceServerSettings> iceServersAt(Instant now) {
        if (!turnRest.enabled()) {
            return iceServers;
        }
        List<IceServerSettings> all = new ArrayList<>(iceServers);
        TurnRest.Credentials c = TurnRest.credentials(
                turnRest.secret(), turnRest.user(), now.plus(turnRest.ttl()).getEpochSecond());
        all.add(new IceServerSettings(turnRest.urls(), c.username(), c.credential()));
        return List.copyOf(all);
    }

    static WebRtcSettings from(Config c) {
        List<IceServerSettings> servers = c.getConfigList("ice-servers").stream()
                .map(s -> new IceServerSettings(
                        s.getStringList("urls"),
                        s.hasPath("username") ? s.getString("username") : null,
                        s.hasPath("credential") ? s.getString("credential") : null))
                .toList();
        Config rest = c.getConfig("turn-rest");
        TurnRestSettings turnRest = new TurnRestSettings(
                rest.getStringList("urls"), rest.getString("secret"), rest.getString("user"), rest.getDuration("ttl"));
        return new WebRtcSettings(
                servers,
                turnRest,
                c.getString("audio-module"),
                c.getDuration("sender-report-interval"),
                c.getBoolean("opus-dtx"));
    }
}
