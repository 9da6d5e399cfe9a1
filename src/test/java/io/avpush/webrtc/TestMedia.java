package io.avpush.webrtc;

import java.util.Arrays;

/** Synthetic media for tests: flat I420 frames and tones. */
final class TestMedia {
  private TestMedia() {}

  /** A frame of one luma value and neutral chroma. */
  static byte[] i420(int width, int height, int luma) {
    int lumaBytes = width * height;
    int chromaBytes = ((width + 1) / 2) * ((height + 1) / 2);
    byte[] frame = new byte[lumaBytes + 2 * chromaBytes];
    Arrays.fill(frame, 0, lumaBytes, (byte) luma);
    Arrays.fill(frame, lumaBytes, frame.length, (byte) 128);
    return frame;
  }
}
