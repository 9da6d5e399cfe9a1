package io.avpush.webrtc;

/**
 * Told when a viewer's connection changes state. Called on libwebrtc's signaling thread (or on the
 * thread that closes the viewer, for {@link ViewerState#CLOSED}): implementors only hand the event
 * on, e.g. {@code tell} it to an actor. Never block here and never call back into the viewer.
 */
@FunctionalInterface
public interface ViewerListener {
    void onStateChanged(String viewerId, ViewerState state);
}
