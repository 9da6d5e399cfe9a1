package io.avpush.media;

/**
 * Converts uploaded bgr24 frames to I420 at upload time. {@link #JAVA} is the pure reference
 * ({@link I420#fromBgr24}); the WebRTC transport offers libyuv's SIMD conversion, about seven times
 * as fast (the same numbers give or take one).
 */
@FunctionalInterface
public interface FrameConverter {

    /**
     * Converts {@code count} frames of {@code width x height} bgr24 packed back to back from the
     * start of {@code bgr} into one new I420 array each (layout of {@link I420}).
     */
    byte[][] toI420(byte[] bgr, int count, int width, int height);

    /** The pure-Java conversion, frame by frame. */
    FrameConverter JAVA = (bgr, count, width, height) -> {
        byte[][] frames = new byte[count][];
        int frameBytes = Math.multiplyExact(width * height, 3);
        for (int i = 0; i < count; i++) {
            frames[i] = I420.fromBgr24(bgr, Math.multiplyExact(i, frameBytes), width, height);
        }
        return frames;
    };
}
