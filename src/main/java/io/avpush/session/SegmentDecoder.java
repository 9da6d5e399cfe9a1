package io.avpush.session;

import io.avpush.media.DecodedAudio;
import io.avpush.media.FrameConverter;
import io.avpush.media.FrameFit;
import io.avpush.media.FrameRate;
import io.avpush.media.MarkerClip;
import io.avpush.media.MediaFormatException;
import io.avpush.media.Resampler;
import io.avpush.media.TestSignal;
import io.avpush.media.WavDecoder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns an upload into a {@link Segment}: validates every part against the session, decodes the
 * WAV and resamples it to 48 kHz mono, converts bgr24 frames to I420. Pure; runs off the actors.
 * Audio is the master: the segment lasts as long as its audio (frames are held or dropped to fit,
 * see {@link FrameFit}); a segment without audio lasts as long as its frames, in silence.
 */
public final class SegmentDecoder {

  private SegmentDecoder() {}

  public static Segment decode(
      String segmentId, UploadedMedia upload, FrameRate sessionFps, int width, int height, long maxDurationNs)
      throws SegmentRejectedException {
    return decode(segmentId, upload, sessionFps, width, height, maxDurationNs, FrameConverter.JAVA);
  }

  /** As above, with frames converted by {@code converter}. */
  public static Segment decode(
      String segmentId, UploadedMedia upload, FrameRate sessionFps, int width, int height, long maxDurationNs,
      FrameConverter converter)
      throws SegmentRejectedException {
    boolean hasAudio = upload.wav() != null && upload.wav().length > 0;
    boolean hasVideo = upload.bgr24() != null && upload.bgr24().length > 0;
    if (!hasAudio && !hasVideo) {
      throw reject("a segment needs a part 'audio' (a WAV file) and/or a part 'video' (raw bgr24 frames "
          + "with form fields width, height, fps); this upload has neither");
    }
    FrameRate uploadFps = sessionFps;
    if (upload.fps() != null && !upload.fps().isBlank()) {
      try {
        uploadFps = FrameRate.parse(upload.fps().trim());
      } catch (IllegalArgumentException e) {
        throw reject("field 'fps' = '" + upload.fps() + "' is not a frame rate: " + e.getMessage());
      }
    }
    byte[][] frames = new byte[0][];
    if (hasVideo) {
      int w = upload.width() == null ? width : upload.width();
      int h = upload.height() == null ? height : upload.height();
      if (w != width || h != height) {
        throw reject(String.format("frames are %dx%d but this session streams %dx%d; send frames of the "
            + "session's size (or create the session with width=%d and height=%d)", w, h, width, height, w, h));
      }
      long frameBytes = (long) w * h * 3;
      if (upload.bgr24().length % frameBytes != 0) {
        throw reject(String.format("part 'video' has %d bytes, which is not a whole number of %dx%d bgr24 "
                + "frames (%d bytes each): %d whole frames and %d bytes left over",
            upload.bgr24().length, w, h, frameBytes, upload.bgr24().length / frameBytes,
            upload.bgr24().length % frameBytes));
      }
      int count = (int) (upload.bgr24().length / frameBytes);
      frames = converter.toI420(upload.bgr24(), count, w, h);
    }
    short[] pcm = new short[0];
    long frameTicks;
    if (hasAudio) {
      DecodedAudio audio;
      try {
        audio = WavDecoder.decode(upload.wav());
      } catch (MediaFormatException e) {
        throw reject(e.getMessage());
      }
      long durationNs = (long) audio.frameCount() * 1_000_000_000L / audio.sampleRate();
      if (durationNs > maxDurationNs) {
        throw new SegmentRejectedException(ApiError.tooLarge(String.format(
            "part 'audio' lasts %.1f s; the longest segment accepted is %.1f s (avpush.limits.max-segment-duration)",
            durationNs / 1e9, maxDurationNs / 1e9)));
      }
      pcm = Resampler.toMono48k(audio);
      if (pcm.length == 0) {
        throw reject("part 'audio' holds no samples");
      }
      frameTicks = FrameFit.frameTicks(pcm.length, sessionFps);
    } else {
      long videoNs = uploadFps.frameStartNs(frames.length);
      if (videoNs > maxDurationNs) {
        throw new SegmentRejectedException(ApiError.tooLarge(String.format(
            "part 'video' lasts %.1f s; the longest segment accepted is %.1f s (avpush.limits.max-segment-duration)",
            videoNs / 1e9, maxDurationNs / 1e9)));
      }
      frameTicks = sessionFps.frameIndexAtNs(videoNs - 1) + 1;
    }
    return new Segment(segmentId, pcm, frames, width, height, uploadFps, frameTicks);
  }

  private record DemoKey(FrameRate fps, int width, int height, double seconds) {}

  /** Demo clips are immutable and large (10 s of 512x512 is ~100 MB): made once per shape, shared. */
  private static final Map<DemoKey, MarkerClip> DEMO_CLIPS =
      Collections.synchronizedMap(new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<DemoKey, MarkerClip> eldest) {
          return size() > 4;
        }
      });

  /** The built-in marker segment of the demo: a flash with a beep each second, a moving bar, a quiet tone. */
  public static Segment demo(String segmentId, FrameRate sessionFps, int width, int height, double seconds) {
    MarkerClip clip = DEMO_CLIPS.computeIfAbsent(new DemoKey(sessionFps, width, height, seconds),
        k -> TestSignal.markers(width, height, sessionFps, seconds, 1.0));
    return new Segment(segmentId, clip.pcm48k(), clip.i420Frames(), width, height, sessionFps,
        FrameFit.frameTicks(clip.pcm48k().length, sessionFps));
  }

  private static SegmentRejectedException reject(String message) {
    return new SegmentRejectedException(ApiError.badRequest(message));
  }
}
