package io.avpush.playout;

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
        long index = sessionFps.equals(uploadFps) ? tick : uploadFps.frameIndexAtNs(sessionFps.frameStartNs(tick));
        return framesI420[(int) Math.min(index, framesI420.length - 1)];
    }

    /**
     * How the frames fit the audio, which sets the segment's length: ticks at the end that hold the
     * last frame because the frames ran out, frames dropped because they start after the audio's
     * end, and a sentence saying so (null when the frames cover the segment exactly, or when there is
     * no audio or no frame).
     *
     * @param heldTicks the segment's last ticks that show the last frame again
     * @param droppedFrames uploaded frames that start at or after the segment's end
     */
    public record LengthFit(long heldTicks, int droppedFrames, String note) {}

    /**
     * Example at 30 fps: 45 frames with 2 s of audio → 60 ticks, ticks 45..59 hold frame 44:
     * heldTicks 15 ("the last frame is held for 15 frame ticks (500 ms)"); 75 frames with 2 s of
     * audio → frames 60..74 dropped: droppedFrames 15.
     */
    public LengthFit lengthFit(FrameRate sessionFps) {
        if (pcm48k.length == 0 || framesI420.length == 0) {
            return new LengthFit(0, 0, null);
        }
        long videoNs = uploadFps.frameStartNs(framesI420.length);
        long endNs = sessionFps.frameStartNs(frameTicks);
        long firstHeldTick = sessionFps.frameIndexAtNs(videoNs - 1) + 1;
        long heldTicks = Math.max(0, frameTicks - firstHeldTick);
        long framesShown = Math.min(framesI420.length, uploadFps.frameIndexAtNs(endNs - 1) + 1);
        int dropped = (int) (framesI420.length - framesShown);
        String lengths = String.format(
                java.util.Locale.ROOT,
                "the frames last %.0f ms (%d at %s fps) and the audio %.0f ms",
                videoNs / 1e6,
                framesI420.length,
                uploadFps.den() == 1
                        ? Long.toString(uploadFps.num())
                        : String.format(java.util.Locale.ROOT, "%.3f", uploadFps.fps()),
                pcm48k.length / 48.0);
        String note = null;
        if (heldTicks > 0) {
            note = String.format(
                    java.util.Locale.ROOT,
                    "%s: the last frame is held for %d frame tick%s (%.0f ms) to the "
                            + "end of the audio; send frames as long as the audio to avoid it",
                    lengths,
                    heldTicks,
                    heldTicks == 1 ? "" : "s",
                    (endNs - sessionFps.frameStartNs(firstHeldTick)) / 1e6);
        } else if (dropped > 0) {
            note = String.format(
                    java.util.Locale.ROOT,
                    "%s: the last %d frame%s (%.0f ms) start after the audio's end and are "
                            + "dropped; the audio sets a segment's length",
                    lengths,
                    dropped,
                    dropped == 1 ? "" : "s",
                    (videoNs - uploadFps.frameStartNs(framesShown)) / 1e6);
        }
        return new LengthFit(heldTicks, dropped, note);
    }
}
