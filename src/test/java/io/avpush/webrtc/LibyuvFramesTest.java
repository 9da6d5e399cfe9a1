package io.avpush.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.I420;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** libyuv's bgr24 → I420 gives the numbers of the Java reference, give or take one, at any size. */
class LibyuvFramesTest {

    private static WebRtcEngine engine; // loads the natives

    @BeforeAll
    static void loadNatives() {
        engine = WebRtcEngine.start(List.of());
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @ParameterizedTest
    @CsvSource({"512, 512, 3", "64, 36, 2", "6, 4, 1", "5, 3, 2", "513, 511, 1"})
    void randomFramesMatchTheJavaConversionWithinOne(int width, int height, int count) {
        byte[] bgr = new byte[count * width * height * 3];
        new Random(width * 7919L + height).nextBytes(bgr);
        byte[][] frames = new LibyuvFrames().toI420(bgr, count, width, height);
        assertEquals(count, frames.length);
        for (int f = 0; f < count; f++) {
            byte[] expected = I420.fromBgr24(bgr, f * width * height * 3, width, height);
            assertEquals(expected.length, frames[f].length);
            int differ = 0;
            for (int i = 0; i < expected.length; i++) {
                int d = Math.abs((expected[i] & 0xFF) - (frames[f][i] & 0xFF));
                assertTrue(
                        d <= 1,
                        "frame " + f + " byte " + i + ": Java " + (expected[i] & 0xFF) + ", libyuv "
                                + (frames[f][i] & 0xFF));
                differ += d;
            }
            System.out.printf(
                    "libyuv %dx%d frame %d: %d of %d bytes differ by one%n", width, height, f, differ, expected.length);
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 0, 0", "255, 255, 255", "255, 0, 0", "0, 255, 0", "0, 0, 255", "128, 128, 128"})
    void solidColoursWithinOneOfTheReference(int r, int g, int b) {
        int width = 8;
        int height = 6;
        byte[] bgr = new byte[width * height * 3];
        for (int i = 0; i < bgr.length; i += 3) {
            bgr[i] = (byte) b;
            bgr[i + 1] = (byte) g;
            bgr[i + 2] = (byte) r;
        }
        byte[] expected = I420.solid(width, height, r, g, b);
        byte[] actual = new LibyuvFrames().toI420(bgr, 1, width, height)[0];
        for (int i = 0; i < expected.length; i++) {
            assertTrue(
                    Math.abs((expected[i] & 0xFF) - (actual[i] & 0xFF)) <= 1,
                    "byte " + i + ": Java " + (expected[i] & 0xFF) + ", libyuv " + (actual[i] & 0xFF));
        }
    }

    @ParameterizedTest
    @CsvSource({"512, 512, 12", "64, 36, 0", "5, 3, 3"})
    void aFrameInADirectOrHeapBufferAtAnyPositionConvertsAsFromAnArray(int width, int height, int offset) {
        byte[] bgr = new byte[width * height * 3];
        new Random(width * 31L + height).nextBytes(bgr);
        byte[] expected = new LibyuvFrames().toI420(bgr, 1, width, height)[0];
        for (java.nio.ByteBuffer b : List.of(
                java.nio.ByteBuffer.allocateDirect(offset + bgr.length),
                java.nio.ByteBuffer.allocate(offset + bgr.length))) {
            b.position(offset).put(bgr).position(offset);
            assertTrue(
                    java.util.Arrays.equals(expected, new LibyuvFrames().toI420(b, width, height)),
                    "direct " + b.isDirect());
            assertEquals(offset, b.position(), "the buffer's position is left as it was");
        }
    }

    @org.junit.jupiter.api.Test
    void shortInputIsRefusedWithTheSizes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new LibyuvFrames().toI420(new byte[100], 1, 8, 6));
        assertEquals("1 bgr24 frames of 8x6 need 144 bytes, got 100", e.getMessage());
    }
}
