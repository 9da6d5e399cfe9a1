package io.avpush.config;

import com.typesafe.config.Config;
import io.avpush.media.FrameRate;
import java.time.Duration;

/** Defaults of new sessions and the timing of the frame clock. */
public record MediaSettings(
    FrameRate defaultFps, int defaultWidth, int defaultHeight, Duration releaseAhead, Duration maxCatchUp, Duration pacerSpin, Duration videoDelay) {
  static MediaSettings from(Config c) {
    return new MediaSettings(
        FrameRate.parse(c.getString("default-fps")),
        c.getInt("default-width"),
        c.getInt("default-height"),
        c.getDuration("release-ahead"),
        c.getDuration("max-catch-up"),
        c.getDuration("pacer-spin"),
        c.getDuration("video-delay"));
  }
}
