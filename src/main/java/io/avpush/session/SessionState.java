package io.avpush.session;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a session does, as its status shows it ({@code "state"}). */
public enum SessionState {
  /** No segment plays: the idle loop or the held frame, in silence. */
  IDLE("idle"),
  /** A segment plays. */
  PLAYING("playing"),
  /** Segments are queued and wait for a viewer to connect. */
  WAITING_FOR_VIEWER("waiting-for-viewer");

  private final String wire;

  SessionState(String wire) {
    this.wire = wire;
  }

  /** The name in the JSON status. */
  @JsonValue
  public String wire() {
    return wire;
  }
}
