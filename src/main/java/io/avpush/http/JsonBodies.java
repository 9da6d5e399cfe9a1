package io.avpush.http;

/** JSON bodies of the HTTP API. */
final class JsonBodies {
    private JsonBodies() {}

    /** {@code POST /api/sessions}: every field optional. */
    record CreateSession(String fps, Integer width, Integer height) {}

    /** {@code POST /api/sessions/{id}/offer} and its answer. */
    record Sdp(String sdp, String type) {}

    record AnswerReply(String sdp, String type, String viewerId) {}

    record ErrorReply(String error, String message) {}

    /**
     * A new session, the ICE servers a browser should use for it (RTCPeerConnection's iceServers)
     * and a viewer token for it.
     */
    record SessionCreated(
            String sessionId,
            String fps,
            int width,
            int height,
            String offerUrl,
            String segmentsUrl,
            java.util.List<io.avpush.config.WebRtcSettings.IceServerSettings> iceServers,
            String viewerToken,
            String viewerTokenExpiresAt) {}

    /** A token that lets a browser view one session (offer, WHEP, status) until {@code expiresAt}. */
    record ViewerToken(String viewerToken, String expiresAt) {}
}
