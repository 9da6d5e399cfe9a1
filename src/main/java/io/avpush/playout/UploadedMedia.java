package io.avpush.playout;

import java.util.List;

/**
 * A segment (or idle loop) as uploaded, before decoding: the WAV bytes, the raw frame bytes with
 * the form fields that describe them, or image files (PNG or JPEG), one frame each, in order.
 * Any part may be null when it was not sent.
 *
 * @param video raw frames back to back, {@code format} "bgr24" (the default) or "rgba", as received
 * @param images image files, one frame each; null or empty when none were sent
 */
public record UploadedMedia(
        byte[] wav, RawVideo video, Integer width, Integer height, String fps, String format, List<byte[]> images) {

    /** An upload whose raw frames are in one array. */
    public UploadedMedia(
            byte[] wav, byte[] video, Integer width, Integer height, String fps, String format, List<byte[]> images) {
        this(wav, video == null ? null : RawVideo.of(video), width, height, fps, format, images);
    }

    /** An upload of a WAV and raw bgr24 frames. */
    public UploadedMedia(byte[] wav, byte[] bgr24, Integer width, Integer height, String fps) {
        this(wav, bgr24, width, height, fps, null, null);
    }

    /** How many bytes of raw frames it has (0 without part 'video'). */
    public long videoLength() {
        return video == null ? 0 : video.length();
    }
}
