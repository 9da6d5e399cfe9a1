package io.avpush.session;

import io.avpush.playout.SessionEvents;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * What a session needs from the media transport: push media, connect and drop viewers.
 * WebRTC implements it in production ({@code io.avpush.webrtc}); actor tests use a recorder.
 * Pushes come from the pacer thread; connect and close from actor threads.
 */
public interface Transport extends AutoCloseable {

    /**
     * Pushes one I420 frame now; its capture time is this instant. The array must not change once
     * pushed (segments' frames never do): the transport may send the same array again from its own copy.
     */
    void pushFrame(byte[] i420, int width, int height);

    /** Pushes 10 ms (480 samples) of 48 kHz mono audio starting at {@code offset}. */
    void pushAudio(short[] pcm48kMono, int offset);

    /**
     * Answers a viewer's offer; completes with the answer SDP carrying all ICE candidates, or
     * exceptionally with {@link OfferRejectedException}. {@code onState} is called with the
     * viewer's id and its state from a transport thread and must only hand the event on.
     */
    CompletionStage<String> connect(String viewerId, String offerSdp, BiConsumer<String, ViewerState> onState);

    /**
     * Sends a session event (JSON text) to every viewer that has an open events data channel.
     * Called from the publishing thread (the pacer's); must not block. Transports without data
     * channels ignore it.
     */
    default void sendEvent(SessionEvents.Event event) {}

    /** Ends one viewer; the others go on. Unknown ids are ignored. */
    void disconnect(String viewerId);

    /** Frees every native resource; later pushes are ignored. Idempotent. */
    @Override
    void close();

    /** The lifecycle of one viewer's connection, as the transport reports it. */
    enum ViewerState {
        NEW,
        CONNECTING,
        CONNECTED,
        DISCONNECTED,
        FAILED,
        CLOSED
    }

    /** Makes the output of one session. */
    @FunctionalInterface
    interface Factory {
        Transport create(String sessionId);

        /** How uploads' bgr24 frames become I420: the transport may offer a faster conversion than Java's. */
        default io.avpush.media.FrameConverter frameConverter() {
            return io.avpush.media.FrameConverter.JAVA;
        }
    }
}
