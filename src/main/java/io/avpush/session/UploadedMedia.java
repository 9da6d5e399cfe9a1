package io.avpush.session;

/**
 * A segment as uploaded, before decoding: the WAV bytes, the raw bgr24 frame bytes, and the
 * form fields that describe the frames. Any part may be null when it was not sent.
 */
public record UploadedMedia(byte[] wav, byte[] bgr24, Integer width, Integer height, String fps) {}
