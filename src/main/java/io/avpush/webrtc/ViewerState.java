package io.avpush.webrtc;

/** The connection state of one viewer, as the W3C {@code RTCPeerConnectionState}. */
public enum ViewerState {
    NEW,
    CONNECTING,
    CONNECTED,
    DISCONNECTED,
    FAILED,
    CLOSED
}
