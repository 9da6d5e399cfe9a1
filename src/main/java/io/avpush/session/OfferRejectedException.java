package io.avpush.session;

/** An SDP offer the transport cannot answer; the message says why, for the client. */
public final class OfferRejectedException extends RuntimeException {
    public OfferRejectedException(String message) {
        super(message);
    }
}
