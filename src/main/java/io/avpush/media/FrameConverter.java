package io.avpush.media;

import java.nio.ByteBuffer;

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

    /**
     * Converts the one {@code width x height} bgr24 frame at {@code bgr}'s position into a new I420
     * array, leaving the buffer's position as it was. The libyuv converter reads a direct buffer
     * where it is, without copying it first.
     */
    default byte[] toI420(ByteBuffer bgr, int width, int height) {
        int frameBytes = Math.multiplyExact(width * height, 3);
        if (bgr.hasArray()) {
            return I420.fromBgr24(bgr.array(), bgr.arrayOffset() + bgr.position(), width, height);
        }
        byte[] copy = new byte[frameBytes];
        bgr.get(bgr.position(), copy);
        return toI420(copy, 1, width, height)[0];
    }

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
