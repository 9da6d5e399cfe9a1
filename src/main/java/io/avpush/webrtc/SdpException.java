package io.avpush.webrtc;

/** An offer that cannot be answered; the message says why in words a person can act on. */
public final class SdpException extends Exception {
    private static final long serialVersionUID = 1L;

    public SdpException(String message) {
        super(message);
    }
}
