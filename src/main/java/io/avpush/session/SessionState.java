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

    /**
     * The state of a session with {@code viewersConnected} viewers connected, {@code queued}
     * segments queued, and a segment playing or not. Queued segments with no viewer wait for one,
     * even while a segment plays on (its viewer left): the state says why the queue does not move.
     */
    static SessionState of(int viewersConnected, int queued, boolean playing) {
        if (viewersConnected == 0 && queued > 0) {
            return WAITING_FOR_VIEWER;
        }
        return playing ? PLAYING : IDLE;
    }

    /** The name in the JSON status. */
    @JsonValue
    public String wire() {
        return wire;
    }
}
