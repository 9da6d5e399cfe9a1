package io.avpush.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.avpush.media.FrameRate;
import java.time.Duration;

/**
 * Defaults of new sessions and the timing of the frame clock.
 *
 * @param backgroundRgb 0xRRGGBB under transparent pixels and around images scaled to fit the picture
 * @param pacerRealtimePriority SCHED_FIFO priority the pacer thread asks for (0: it does not ask)
 */
public record MediaSettings(
        FrameRate defaultFps,
        int defaultWidth,
        int defaultHeight,
        Duration releaseAhead,
        Duration maxCatchUp,
        Duration pacerSpin,
        int backgroundRgb,
        int pacerRealtimePriority) {

    /** Settings with a black background and a pacer at normal priority. */
    public MediaSettings(
            FrameRate defaultFps,
            int defaultWidth,
            int defaultHeight,
            Duration releaseAhead,
            Duration maxCatchUp,
            Duration pacerSpin) {
        this(defaultFps, defaultWidth, defaultHeight, releaseAhead, maxCatchUp, pacerSpin, 0x000000, 0);
    }

    /** Settings with a pacer at normal priority. */
    public MediaSettings(
            FrameRate defaultFps,
            int defaultWidth,
            int defaultHeight,
            Duration releaseAhead,
            Duration maxCatchUp,
            Duration pacerSpin,
            int backgroundRgb) {
        this(defaultFps, defaultWidth, defaultHeight, releaseAhead, maxCatchUp, pacerSpin, backgroundRgb, 0);
    }

    static MediaSettings from(Config c) {
        return new MediaSettings(
                FrameRate.parse(c.getString("default-fps")),
                c.getInt("default-width"),
                c.getInt("default-height"),
                c.getDuration("release-ahead"),
                c.getDuration("max-catch-up"),
                c.getDuration("pacer-spin"),
                parseColour(c, "background"),
                pacerRealtimePriority(c));
    }

    static int pacerRealtimePriority(Config c) {
        int priority = c.getInt("pacer-realtime-priority");
        if (priority < 0 || priority > 99) {
            throw new ConfigException.BadValue(
                    c.getValue("pacer-realtime-priority").origin(),
                    "avpush.media.pacer-realtime-priority",
                    priority + " is not a SCHED_FIFO priority; use 1..99, or 0 to keep the pacer at normal priority");
        }
        return priority;
    }

    /** "#rrggbb" → 0xRRGGBB. Example: "#ff8000" → 0xFF8000. */
    static int parseColour(Config c, String key) {
        String value = c.getString(key).trim();
        if (!value.matches("#[0-9a-fA-F]{6}")) {
            throw new ConfigException.BadValue(
                    c.getValue(key).origin(),
                    "avpush.media." + key,
                    "'" + value + "' is not a colour; write it as \"#rrggbb\", e.g. \"#000000\"");
        }
        return Integer.parseInt(value.substring(1), 16);
    }
}
