package io.avpush.session;

import io.avpush.media.FrameRate;

/**
 * One decoded utterance in memory: 48 kHz mono audio and I420 frames of the session's size.
 * Its length on the session's timeline is {@code frameTicks} frame ticks (audio is the master;
 * see {@link io.avpush.media.FrameFit}); its audio starts exactly at its first tick.
 *
 * @param uploadFps the rate the frames were made at; tick t of the session shows the uploaded
 *     frame whose time span contains the tick's start, and the last frame is held if they run out
 */
public record Segment(
    String id, short[] pcm48k, byte[][] framesI420, int width, int height, FrameRate uploadFps, long frameTicks)
    implements Playable {

  /** Memory the decoded media takes. */
  @Override
  public long memoryBytes() {
    long bytes = 2L * pcm48k.length;
    for (byte[] frame : framesI420) {
      bytes += frame.length;
    }
    return bytes;
  }

  /** Length in ms on the session's clock. */
  public double durationMs(FrameRate sessionFps) {
    return sessionFps.frameStartNs(frameTicks) / 1e6;
  }

  /**
   * The frame shown at the segment's {@code tick} (0 = its first tick) at {@code sessionFps}, or
   * null when the segment has no frames (audio only: the picture before it is held).
   * Example: uploaded at 25 fps, session at 50 fps: ticks 0,1,2,3 show frames 0,0,1,1.
   */
  public byte[] frameAt(long tick, FrameRate sessionFps) {
    if (framesI420.length == 0) {
      return null;
    }
    long index = sessionFps.equals(uploadFps)
        ? tick
        : uploadFps.frameIndexAtNs(sessionFps.frameStartNs(tick));
    return framesI420[(int) Math.min(index, framesI420.length - 1)];
  }
}
