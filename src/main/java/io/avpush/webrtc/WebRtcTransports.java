package io.avpush.webrtc;

import io.avpush.api.Failures;
import io.avpush.config.WebRtcSettings;
import io.avpush.playout.SessionEvents;
import io.avpush.session.OfferRejectedException;
import io.avpush.session.Transport;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * Adapts the WebRTC engine to the session's {@link Transport} port. Pushes and close are serialised
 * per session so that the pacer never pushes into a source that has been disposed.
 */
public final class WebRtcTransports implements Transport.Factory {

    private static final LibyuvFrames FRAMES = new LibyuvFrames();

    private final WebRtcEngine engine;

    public WebRtcTransports(WebRtcEngine engine) {
        this.engine = engine;
    }

    /** The ICE servers of the settings as of now (TURN REST credentials are made fresh). */
    public static List<IceServer> iceServers(WebRtcSettings settings) {
        return settings.iceServersAt(java.time.Instant.now()).stream()
                .map(s -> new IceServer(s.urls(), s.username(), s.credential()))
                .toList();
    }

    /** How the engine sends, as the settings say. */
    public static WebRtcEngine.Options engineOptions(WebRtcSettings settings) {
        return new WebRtcEngine.Options(
                WebRtcEngine.AudioModule.valueOf(settings.audioModule().toUpperCase(java.util.Locale.ROOT)),
                settings.senderReportInterval(),
                settings.opusDtx());
    }

    @Override
    public Transport create(String sessionId) {
        return new WebRtcTransport(engine.createMedia(sessionId));
    }

    /** libyuv's conversion, which ships with the WebRTC natives. */
    @Override
    public io.avpush.media.FrameConverter frameConverter() {
        return FRAMES;
    }

    /** The media output behind {@code output} when this factory made it (for diagnostics and benchmarks), else null. */
    public static SessionMedia mediaOf(Transport output) {
        return output instanceof WebRtcTransport s ? s.media : null;
    }

    /**
     * One session's output. SessionMedia already ignores pushes after close (under its own lock)
     * and tracks its viewers, so this only converts types and failures.
     */
    private static final class WebRtcTransport implements Transport {
        private static final com.fasterxml.jackson.databind.ObjectMapper EVENT_JSON =
                new com.fasterxml.jackson.databind.ObjectMapper();
        private final SessionMedia media;

        WebRtcTransport(SessionMedia media) {
            this.media = media;
        }

        @Override
        public void pushFrame(byte[] i420, int width, int height) {
            media.pushFrame(i420, width, height);
        }

        @Override
        public void pushAudio(short[] pcm48kMono, int offset) {
            media.pushAudio(pcm48kMono, offset);
        }

        @Override
        public CompletionStage<String> connect(
                String viewerId, String offerSdp, BiConsumer<String, ViewerState> onState) {
            return media.connect(
                            viewerId, offerSdp, (id, state) -> onState.accept(id, ViewerState.valueOf(state.name())))
                    .handle((viewer, failure) -> {
                        if (failure == null) {
                            return viewer.answerSdp();
                        }
                        Throwable cause = Failures.cause(failure);
                        if (cause instanceof SdpException) {
                            throw new OfferRejectedException(cause.getMessage());
                        }
                        throw failure instanceof CompletionException ce ? ce : new CompletionException(failure);
                    });
        }

        @Override
        public void sendEvent(SessionEvents.Event event) {
            try {
                media.sendEvent(EVENT_JSON.writeValueAsBytes(event));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("cannot encode event " + event.type(), e);
            }
        }

        @Override
        public void disconnect(String viewerId) {
            media.disconnect(viewerId);
        }

        @Override
        public void close() {
            media.close();
        }
    }
}
