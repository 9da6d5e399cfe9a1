package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Image and raw frames become the I420 pixels a viewer sees: exact for PNG and raw, within JPEG's loss. */
class FrameImagesTest {

    private static final int W = 16;
    private static final int H = 16;

    /** A 16x16 picture of four coloured quadrants, as bgr24 and as an image of {@code type}. */
    private static final int[] QUADRANTS = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFFFFF};

    private static int quadrant(int x, int y, int w, int h) {
        return QUADRANTS[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)];
    }

    private static BufferedImage quadrants(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, 0xFF000000 | quadrant(x, y, w, h));
            }
        }
        return image;
    }

    private static byte[] quadrantsBgr(int w, int h) {
        byte[] bgr = new byte[w * h * 3];
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = quadrant(x, y, w, h);
                bgr[i++] = (byte) rgb;
                bgr[i++] = (byte) (rgb >> 8);
                bgr[i++] = (byte) (rgb >> 16);
            }
        }
        return bgr;
    }

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(image, format, out), "ImageIO writes " + format);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    @Test
    void pngFramesBecomeExactlyTheI420OfTheirPixels() throws Exception {
        byte[] png = encode(quadrants(W, H, BufferedImage.TYPE_3BYTE_BGR), "png");
        byte[][] frames = FrameImages.fromImages(List.of(png, png), W, H, 0);
        assertEquals(2, frames.length);
        byte[] expected = I420.fromBgr24(quadrantsBgr(W, H), 0, W, H);
        assertArrayEquals(expected, frames[0]);
        assertArrayEquals(expected, frames[1]);
    }

    @Test
    void jpegFramesAreTheI420OfTheirPixelsWithinJpegLoss() throws Exception {
        // a smooth picture, as a camera or a face renderer makes (sharp saturated edges bleed through JPEG's chroma)
        int size = 32;
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = new byte[size * size * 3];
        for (int y = 0, i = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int r = 40 + x * 5;
                int g = 60 + y * 4;
                int b = 200 - (x + y) * 2;
                image.setRGB(x, y, 0xFF000000 | r << 16 | g << 8 | b);
                bgr[i++] = (byte) b;
                bgr[i++] = (byte) g;
                bgr[i++] = (byte) r;
            }
        }
        byte[][] frames = FrameImages.fromImages(List.of(encode(image, "jpeg")), size, size, 0);
        byte[] expected = I420.fromBgr24(bgr, 0, size, size);
        int worst = maxDifference(expected, frames[0]);
        assertTrue(worst <= 4, "JPEG at ImageIO's default quality stays within 4 levels of the source: " + worst);
    }

    @Test
    void palettePngsAreReadThroughTheirColourTable() throws Exception {
        // TYPE_BYTE_INDEXED's table holds pure red, green, blue and white: the quadrants stay exact
        byte[] png = encode(quadrants(W, H, BufferedImage.TYPE_BYTE_INDEXED), "png");
        assertArrayEquals(
                I420.fromBgr24(quadrantsBgr(W, H), 0, W, H), FrameImages.fromImages(List.of(png), W, H, 0)[0]);
    }

    @Test
    void greyPngsKeepTheirLevelsInsteadOfBeingTreatedAsLinearLight() throws Exception {
        BufferedImage grey = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                grey.getRaster().setSample(x, y, 0, 128);
            }
        }
        byte[][] frames = FrameImages.fromImages(List.of(encode(grey, "png")), W, H, 0);
        assertArrayEquals(I420.solid(W, H, 128, 128, 128), frames[0]);
    }

    @Test
    void pngAlphaIsCompositedOverTheBackground() throws Exception {
        BufferedImage argb = new BufferedImage(W, H, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                argb.setRGB(x, y, 0x80FF0000); // red at alpha 128
            }
        }
        byte[] png = encode(argb, "png");
        assertArrayEquals(I420.solid(W, H, 128, 0, 0), FrameImages.fromImages(List.of(png), W, H, 0x000000)[0]);
        assertArrayEquals(I420.solid(W, H, 255, 127, 127), FrameImages.fromImages(List.of(png), W, H, 0xFFFFFF)[0]);
    }

    @ParameterizedTest
    @CsvSource({
        // r, g, b, alpha, background, expected r, g, b
        "255, 0, 0, 128, 000000, 128, 0, 0",
        "255, 0, 0, 128, ffffff, 255, 127, 127",
        "10, 20, 30, 255, ffffff, 10, 20, 30",
        "10, 20, 30, 0, 336699, 51, 102, 153",
        "200, 100, 50, 64, 000000, 50, 25, 13",
    })
    void rgbaFramesAreCompositedOverTheBackground(int r, int g, int b, int a, String bg, int er, int eg, int eb)
            throws Exception {
        byte[] rgba = new byte[W * H * 4 * 2];
        for (int i = 0; i < rgba.length; i += 4) {
            rgba[i] = (byte) r;
            rgba[i + 1] = (byte) g;
            rgba[i + 2] = (byte) b;
            rgba[i + 3] = (byte) a;
        }
        byte[][] frames = FrameImages.fromRaw(rgba, FrameImages.RawFormat.RGBA, W, H, Integer.parseInt(bg, 16));
        assertEquals(2, frames.length);
        assertArrayEquals(I420.solid(W, H, er, eg, eb), frames[0]);
        assertArrayEquals(I420.solid(W, H, er, eg, eb), frames[1]);
    }

    @Test
    void bgr24FramesConvertAsBefore() throws Exception {
        byte[] bgr = quadrantsBgr(W, H);
        byte[][] frames = FrameImages.fromRaw(bgr, FrameImages.RawFormat.parse(null), W, H, 0);
        assertArrayEquals(I420.fromBgr24(bgr, 0, W, H), frames[0]);
    }

    @Test
    void anImageOfAnotherSizeIsScaledToFitCentredOnTheBackground() throws Exception {
        BufferedImage red = new BufferedImage(8, 4, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) {
                red.setRGB(x, y, 0xFFFF0000);
            }
        }
        // 8x4 into 16x16: scaled 2x to 16x8 at y = 4, bars above and below in the background (blue)
        byte[] frame = FrameImages.fromImages(List.of(encode(red, "png")), W, H, 0x0000FF)[0];
        byte[] redY = I420.solid(W, H, 255, 0, 0);
        byte[] blueY = I420.solid(W, H, 0, 0, 255);
        for (int y = 0; y < H; y++) {
            byte expected = (y >= 4 && y < 12 ? redY : blueY)[0];
            for (int x = 0; x < W; x++) {
                assertEquals(expected, frame[y * W + x], "luma at " + x + "," + y);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "320, 240, 512, 512, 0, 64, 512, 384",
        "240, 320, 512, 512, 64, 0, 384, 512",
        "100, 100, 64, 32, 16, 0, 32, 32",
    })
    void fitKeepsTheAspectRatio(int sw, int sh, int w, int h, int x0, int y0, int fw, int fh) {
        byte[] white = new byte[sw * sh * 3];
        java.util.Arrays.fill(white, (byte) 255);
        byte[] out = FrameImages.fit(white, sw, sh, w, h, 0x000000);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean inside = x >= x0 && x < x0 + fw && y >= y0 && y < y0 + fh;
                assertEquals(inside ? 255 : 0, out[(y * w + x) * 3] & 0xFF, "pixel " + x + "," + y);
            }
        }
    }

    @Test
    void imagesOfMixedSizesAreRefusedNamingTheOddOne() {
        byte[] a = encode(quadrants(W, H, BufferedImage.TYPE_3BYTE_BGR), "png");
        byte[] b = encode(quadrants(W * 2, H, BufferedImage.TYPE_3BYTE_BGR), "png");
        MediaFormatException e =
                assertThrows(MediaFormatException.class, () -> FrameImages.fromImages(List.of(a, a, b), W, H, 0));
        assertEquals(
                "part 'frame' #3 is 32x16 but #1 is 16x16; all frames of an upload must have one size", e.getMessage());
    }

    @Test
    void bytesThatAreNoImageAreRefused() {
        MediaFormatException e = assertThrows(
                MediaFormatException.class,
                () -> FrameImages.fromImages(List.of("hello, not a picture".getBytes()), W, H, 0));
        assertEquals("part 'frame' #1 (20 bytes) is not a PNG or JPEG image", e.getMessage());
    }

    @Test
    void imageFormatsOtherThanPngAndJpegAreRefused() {
        byte[] gif = encode(quadrants(W, H, BufferedImage.TYPE_3BYTE_BGR), "gif");
        MediaFormatException e =
                assertThrows(MediaFormatException.class, () -> FrameImages.fromImages(List.of(gif), W, H, 0));
        assertEquals("part 'frame' #1 is a gif image; frames must be PNG or JPEG", e.getMessage());
    }

    @Test
    void truncatedImagesAreRefused() {
        byte[] png = encode(quadrants(W, H, BufferedImage.TYPE_3BYTE_BGR), "png");
        byte[] cutPng = java.util.Arrays.copyOf(png, png.length / 2);
        MediaFormatException e =
                assertThrows(MediaFormatException.class, () -> FrameImages.fromImages(List.of(cutPng), W, H, 0));
        assertTrue(
                e.getMessage()
                        .startsWith("part 'frame' #1 (" + cutPng.length + " bytes) cannot be decoded as an image"),
                e.getMessage());

        byte[] jpeg = encode(quadrants(64, 64, BufferedImage.TYPE_3BYTE_BGR), "jpeg");
        byte[] cutJpeg = java.util.Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
        MediaFormatException j =
                assertThrows(MediaFormatException.class, () -> FrameImages.fromImages(List.of(cutJpeg), W, H, 0));
        assertTrue(j.getMessage().startsWith("part 'frame' #1"), j.getMessage());
    }

    @Test
    void anImageHeaderClaimingAHugePictureIsRefusedBeforeDecoding() {
        byte[] png = encode(quadrants(W, H, BufferedImage.TYPE_3BYTE_BGR), "png");
        // IHDR: length(4) "IHDR"(4) width(4) height(4) ... at offset 8; claim 50000x50000 and fix the CRC
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, 50_000).putInt(20, 50_000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        MediaFormatException e =
                assertThrows(MediaFormatException.class, () -> FrameImages.fromImages(List.of(png), W, H, 0));
        assertEquals("part 'frame' #1 is 50000x50000; images of at most 16777216 pixels are accepted", e.getMessage());
    }

    @Test
    void rawFramesThatAreNotAWholeNumberOfFramesAreRefused() {
        MediaFormatException e = assertThrows(
                MediaFormatException.class,
                () -> FrameImages.fromRaw(new byte[W * H * 4 + 7], FrameImages.RawFormat.RGBA, W, H, 0));
        assertEquals(
                "part 'video' has 1031 bytes, which is not a whole number of 16x16 rgba frames (1024 bytes each): "
                        + "1 whole frames and 7 bytes left over",
                e.getMessage());
    }

    @Test
    void unknownRawFormatsAreRefusedWithTheChoices() {
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> FrameImages.RawFormat.parse("yuv420p"));
        assertTrue(
                e.getMessage().startsWith("field 'format' = 'yuv420p' is not a raw frame format; use 'bgr24'"),
                e.getMessage());
        assertEquals(FrameImages.RawFormat.RGBA, assertDoesNotThrow(() -> FrameImages.RawFormat.parse(" RGBA ")));
    }

    @ParameterizedTest
    @CsvSource({"255, 128, 0, 128", "255, 128, 255, 255", "0, 128, 255, 127", "100, 255, 7, 100", "100, 0, 7, 7"})
    void overRoundsToNearest(int c, int a, int bg, int expected) {
        assertEquals(expected, FrameImages.over(c, a, bg));
    }

    private static int maxDifference(byte[] a, byte[] b) {
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        }
        return max;
    }

    private static double meanDifference(byte[] a, byte[] b) {
        long sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
        }
        return (double) sum / a.length;
    }
}
