package io.avpush.webrtc;

import dev.onvoid.webrtc.media.FourCC;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoBufferConverter;
import io.avpush.media.FrameConverter;
import io.avpush.media.I420;
import java.nio.ByteBuffer;

/**
 * bgr24 → I420 through libyuv ({@code VideoBufferConverter}, SIMD): 0.12 ms per 512x512 frame
 * against 0.87 ms in Java, with the same numbers as {@link I420#fromBgr24} give or take one (libyuv's
 * SIMD rows round slightly differently from its C reference). Each frame is copied into a direct
 * buffer (libyuv reads native memory; webrtc-java's byte[] path copies the whole array and has no
 * offset), converted into one native I420 buffer per call and copied out; safe on any thread.
 */
final class LibyuvFrames implements FrameConverter {

  @Override
  public byte[][] toI420(byte[] bgr, int count, int width, int height) {
    int frameBytes = Math.multiplyExact(width * height, 3);
    if ((long) count * frameBytes > bgr.length) {
      throw new IllegalArgumentException(
          count + " bgr24 frames of " + width + "x" + height + " need " + (long) count * frameBytes
              + " bytes, got " + bgr.length);
    }
    byte[][] frames = new byte[count][];
    if (count == 0) {
      return frames;
    }
    int chromaWidth = (width + 1) / 2;
    int chromaHeight = (height + 1) / 2;
    int lumaBytes = width * height;
    int chromaBytes = chromaWidth * chromaHeight;
    ByteBuffer source = ByteBuffer.allocateDirect(frameBytes);
    NativeI420Buffer planes = NativeI420Buffer.allocate(width, height);
    try {
      for (int i = 0; i < count; i++) {
        source.clear();
        source.put(bgr, i * frameBytes, frameBytes);
        source.flip();
        VideoBufferConverter.convertToI420(source, planes, FourCC.BG24);
        byte[] frame = new byte[I420.byteSize(width, height)];
        copyPlane(planes.getDataY(), planes.getStrideY(), frame, 0, width, height);
        copyPlane(planes.getDataU(), planes.getStrideU(), frame, lumaBytes, chromaWidth, chromaHeight);
        copyPlane(planes.getDataV(), planes.getStrideV(), frame, lumaBytes + chromaBytes, chromaWidth, chromaHeight);
        frames[i] = frame;
      }
    } catch (Exception e) {
      throw new IllegalStateException("libyuv could not convert a " + width + "x" + height + " bgr24 frame: " + e, e);
    } finally {
      planes.release();
    }
    return frames;
  }

  private static void copyPlane(ByteBuffer src, int stride, byte[] dst, int offset, int width, int height) {
    if (stride == width) {
      src.get(dst, offset, width * height);
      return;
    }
    for (int row = 0; row < height; row++) {
      src.position(row * stride);
      src.get(dst, offset + row * width, width);
    }
  }
}
