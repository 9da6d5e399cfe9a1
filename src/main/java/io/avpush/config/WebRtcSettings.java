package io.avpush.config;

import com.typesafe.config.Config;
import java.util.List;

/** ICE servers for the server's peer connections (and handed to browsers). */
public record WebRtcSettings(List<IceServerSettings> iceServers, String audioModule, boolean browserAvSync) {

  /** One STUN or TURN server; username and credential are null for STUN. */
  public record IceServerSettings(List<String> urls, String username, String credential) {}

  static WebRtcSettings from(Config c) {
    List<IceServerSettings> servers = c.getConfigList("ice-servers").stream()
        .map(s -> new IceServerSettings(
            s.getStringList("urls"),
            s.hasPath("username") ? s.getString("username") : null,
            s.hasPath("credential") ? s.getString("credential") : null))
        .toList();
    return new WebRtcSettings(servers, c.getString("audio-module"), c.getBoolean("browser-av-sync"));
  }
}
