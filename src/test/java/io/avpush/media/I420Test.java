package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class I420Test {

    /** Rows of RGB triples → packed bgr24. */
    private static byte[] bgr(int[][][] rgbRows) {
        int w = rgbRows[0].length;
        byte[] out = new byte[rgbRows.length * w * 3];
        int i = 0;
        for (int[][] row : rgbRows) {
            for (int[] rgb : row) {
                out[i++] = (byte) rgb[2];
                out[i++] = (byte) rgb[1];
                out[i++] = (byte) rgb[0];
            }
        }
        return out;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static final int[][][] IMAGE_4X2 = {
        {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}},
        {{0, 0, 0}, {10, 20, 30}, {200, 100, 50}, {1, 2, 3}},
    };

    @Test
    void knownFourByTwoImage() {
        assertArrayEquals(
                bytes(82, 144, 41, 235, 16, 32, 123, 18, /* U */ 102, 147, /* V */ 131, 135),
                I420.fromBgr24(bgr(IMAGE_4X2), 0, 4, 2));
    }

    @Test
    void oddWidthAndHeightAverageWhatExists() {
        int[][][] image = {
            {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}},
            {{10, 20, 30}, {200, 100, 50}, {1, 2, 3}},
            {{90, 80, 70}, {255, 255, 255}, {0, 0, 0}},
        };
        assertArrayEquals(
                bytes(82, 144, 41, 32, 123, 18, 86, 235, 16, /* U */ 92, 184, 125, 128, /* V */ 143, 119, 131, 128),
                I420.fromBgr24(bgr(image), 0, 3, 3));
    }

    @Test
    void readsAtOffsetAndIntoGivenBuffer() {
        byte[] frame = bgr(IMAGE_4X2);
        byte[] padded = new byte[7 + frame.length];
        System.arraycopy(frame, 0, padded, 7, frame.length);
        byte[] dst = new byte[20];
        I420.fromBgr24(padded, 7, 4, 2, dst);
        byte[] expected = new byte[20];
        System.arraycopy(I420.fromBgr24(frame, 0, 4, 2), 0, expected, 0, 12);
        assertArrayEquals(expected, dst);
    }

    @ParameterizedTest
    @CsvSource({
        "0,   0,   0,   16,  128, 128",
        "255, 255, 255, 235, 128, 128",
        "255, 0,   0,   82,  90,  240",
        "0,   255, 0,   144, 54,  34",
        "0,   0,   255, 41,  240, 110",
        "128, 128, 128, 126, 128, 128",
    })
    void solidColoursMatchConversion(int r, int g, int b, int y, int u, int v) {
        for (int[] size : new int[][] {{1, 1}, {2, 2}, {5, 3}, {6, 4}}) {
            int w = size[0];
            int h = size[1];
            byte[] solid = I420.solid(w, h, r, g, b);
            int[][][] rows = new int[h][w][];
            for (int[][] row : rows) {
                java.util.Arrays.fill(row, new int[] {r, g, b});
            }
            assertArrayEquals(solid, I420.fromBgr24(bgr(rows), 0, w, h));
            assertEquals(y, solid[0] & 0xFF);
            assertEquals(u, solid[w * h] & 0xFF);
            assertEquals(v, solid[solid.length - 1] & 0xFF);
        }
    }

    @ParameterizedTest
    @CsvSource({"2, 2", "4, 2", "6, 4", "64, 36", "512, 512"})
    void evenSizesGiveTheSameBytesAsTheGeneralConversion(int w, int h) {
        java.util.Random random = new java.util.Random(w * 31L + h);
        byte[] frame = new byte[5 + w * h * 3];
        random.nextBytes(frame);
        byte[] general = new byte[I420.byteSize(w, h)];
        I420.anyBgr24(frame, 5, w, h, general);
        assertArrayEquals(general, I420.fromBgr24(frame, 5, w, h));
    }

    @ParameterizedTest
    @CsvSource({"1, 1, 3", "2, 2, 6", "4, 2, 12", "5, 3, 27", "640, 480, 460800", "513, 511, 393727"})
    void byteSize(int w, int h, int size) {
        assertEquals(size, I420.byteSize(w, h));
    }

    @Test
    void rejectsShortInputWithReadableMessage() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> I420.fromBgr24(new byte[23], 0, 4, 2));
        assertEquals("video: a 4x2 bgr24 frame needs 24 bytes at offset 0, but only 23 are there", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> I420.fromBgr24(new byte[24], 0, 4, 2, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> I420.byteSize(0, 2));
    }
}
