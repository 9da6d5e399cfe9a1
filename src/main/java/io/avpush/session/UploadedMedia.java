package io.avpush.session;

import java.util.List;

/**
 * A segment (or idle loop) as uploaded, before decoding: the WAV bytes, the raw frame bytes with
 * the form fields that describe them, or image files (PNG or JPEG), one frame each, in order.
 * Any part may be null when it was not sent.
 *
 * @param video raw frames back to back, {@code format} "bgr24" (the default) or "rgba", in its
 *     first {@code videoLength} bytes: the upload route receives the part into an array sized
 *     before the part's end is known, and does not copy it again to trim it
 * @param images image files, one frame each; null or empty when none were sent
 */
public record UploadedMedia(
    byte[] wav, byte[] video, int videoLength, Integer width, Integer height, String fps, String format, List<byte[]> images) {

  public UploadedMedia {
    if (video == null ? videoLength != 0 : videoLength < 0 || videoLength > video.length) {
      throw new IllegalArgumentException("videoLength " + videoLength + " does not fit part 'video' of "
          + (video == null ? "none" : video.length + " bytes"));
    }
  }

  /** An upload whose part 'video' (if any) is the whole array. */
  public UploadedMedia(
      byte[] wav, byte[] video, Integer width, Integer height, String fps, String format, List<byte[]> images) {
    this(wav, video, video == null ? 0 : video.length, width, height, fps, format, images);
  }

  /** An upload of a WAV and raw bgr24 frames. */
  public UploadedMedia(byte[] wav, byte[] bgr24, Integer width, Integer height, String fps) {
    this(wav, bgr24, width, height, fps, null, null);
  }
}
