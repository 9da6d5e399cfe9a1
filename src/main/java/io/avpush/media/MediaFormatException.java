package io.avpush.media;

/**
 * Uploaded media that cannot be used. The message goes back verbatim in the HTTP error reply,
 * so it names the part ("audio: ...", "video: ...") and says what is wrong in words the caller
 * can act on, e.g. "audio: WAV 'fmt ' chunk says 3 channels; only mono or stereo is supported".
 */
public final class MediaFormatException extends Exception {

    public MediaFormatException(String message) {
        super(message);
    }

    public MediaFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
