package io.avpush.media;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.util.List;
import java.util.Locale;

/**
 * Turns uploaded frames into I420 of the session's size, once at upload time. Raw frames (packed
 * rows of bgr24 or rgba) must already be the session's size. Image files (PNG or JPEG, decoded in
 * memory by {@link ImageFiles}) may be any size, one size per upload: they are scaled to fit the
 * session's picture, keeping their aspect ratio, centred, the bars filled with the background.
 *
 * <p>Alpha (rgba frames, PNGs with alpha) is straight, not premultiplied, and composited over the
 * session's background colour: per channel out = (c * a + bg * (255 - a) + 127) / 255.
 * Example: rgba (255, 0, 0, 128) over black → (128, 0, 0); over white #ffffff → (255, 127, 127).
 */
public final class FrameImages {

    /** The layouts of raw frames in part 'video'. */
    public enum RawFormat {
        BGR24(3),
        RGBA(4);

        private final int bytesPerPixel;

        RawFormat(int bytesPerPixel) {
            this.bytesPerPixel = bytesPerPixel;
        }

        public int bytesPerPixel() {
            return bytesPerPixel;
        }

        /** "bgr24" or "rgba" (any case); null or blank means bgr24. */
        public static RawFormat parse(String name) throws MediaFormatException {
            if (name == null || name.isBlank()) {
                return BGR24;
            }
            return switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "bgr24" -> BGR24;
                case "rgba" -> RGBA;
                default ->
                    throw new MediaFormatException("field 'format' = '" + name.trim()
                            + "' is not a raw frame format; use 'bgr24' (3 bytes a pixel: B, G, R) or 'rgba' "
                            + "(4 bytes: R, G, B, alpha); send PNG or JPEG images as repeated parts 'frame' instead");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private FrameImages() {}

    /**
     * Splits part 'video' into {@code width} x {@code height} frames of {@code format} and converts
     * each to I420, compositing rgba over {@code backgroundRgb} (0xRRGGBB).
     */
    public static byte[][] fromRaw(byte[] data, RawFormat format, int width, int height, int backgroundRgb)
            throws MediaFormatException {
        long frameBytes = (long) width * height * format.bytesPerPixel();
        int count = wholeFrames(data, format, width, height);
        byte[][] frames = new byte[count][];
        byte[] bgr = format == RawFormat.BGR24 ? null : new byte[width * height * 3];
        for (int i = 0; i < count; i++) {
            int offset = (int) (i * frameBytes);
            if (format == RawFormat.BGR24) {
                frames[i] = I420.fromBgr24(data, offset, width, height);
            } else {
                rgbaToBgr(data, offset, width * height, backgroundRgb, bgr);
                frames[i] = I420.fromBgr24(bgr, 0, width, height);
            }
        }
        return frames;
    }

    /** How many frames {@code data} holds; refused when it is not a whole number of them. */
    public static int wholeFrames(byte[] data, RawFormat format, int width, int height) throws MediaFormatException {
        long frameBytes = (long) width * height * format.bytesPerPixel();
        if (data.length % frameBytes != 0) {
            throw new MediaFormatException(String.format(
                    "part 'video' has %d bytes, which is not a whole number of "
                            + "%dx%d %s frames (%d bytes each): %d whole frames and %d bytes left over",
                    data.length,
                    width,
                    height,
                    format,
                    frameBytes,
                    data.length / frameBytes,
                    data.length % frameBytes));
        }
        return (int) (data.length / frameBytes);
    }

    /**
     * Decodes PNG or JPEG files (in order, one frame each) of one size and converts them to I420
     * of {@code width} x {@code height}, scaled to fit over {@code backgroundRgb} when their size differs.
     */
    public static byte[][] fromImages(List<byte[]> files, int width, int height, int backgroundRgb)
            throws MediaFormatException {
        return fromImages(files, width, height, backgroundRgb, FrameConverter.JAVA);
    }

    /** As above, the decoded pictures converted to I420 by {@code converter} (libyuv on the WebRTC transport). */
    public static byte[][] fromImages(
            List<byte[]> files, int width, int height, int backgroundRgb, FrameConverter converter)
            throws MediaFormatException {
        byte[][] frames = new byte[files.size()][];
        int firstWidth = 0;
        int firstHeight = 0;
        for (int i = 0; i < files.size(); i++) {
            BufferedImage image = ImageFiles.read(files.get(i), i + 1);
            if (i == 0) {
                firstWidth = image.getWidth();
                firstHeight = image.getHeight();
            } else if (image.getWidth() != firstWidth || image.getHeight() != firstHeight) {
                throw new MediaFormatException(String.format(
                        "part 'frame' #%d is %dx%d but #1 is %dx%d; " + "all frames of an upload must have one size",
                        i + 1, image.getWidth(), image.getHeight(), firstWidth, firstHeight));
            }
            byte[] bgr = toBgr(image, backgroundRgb);
            if (image.getWidth() != width || image.getHeight() != height) {
                bgr = fit(bgr, image.getWidth(), image.getHeight(), width, height, backgroundRgb);
            }
            frames[i] = converter.toI420(bgr, 1, width, height)[0];
        }
        return frames;
    }

    /** Straight alpha over the background: (c * a + bg * (255 - a) + 127) / 255. Example: (255, 128, 0) → 128. */
    static int over(int c, int alpha, int background) {
        return (c * alpha + background * (255 - alpha) + 127) / 255;
    }

    private static void rgbaToBgr(byte[] rgba, int offset, int pixels, int backgroundRgb, byte[] bgr) {
        int bgR = (backgroundRgb >> 16) & 0xFF;
        int bgG = (backgroundRgb >> 8) & 0xFF;
        int bgB = backgroundRgb & 0xFF;
        for (int p = 0, s = offset, d = 0; p < pixels; p++, s += 4, d += 3) {
            int a = rgba[s + 3] & 0xFF;
            bgr[d] = (byte) over(rgba[s + 2] & 0xFF, a, bgB);
            bgr[d + 1] = (byte) over(rgba[s + 1] & 0xFF, a, bgG);
            bgr[d + 2] = (byte) over(rgba[s] & 0xFF, a, bgR);
        }
    }

    /** The image as bgr24 at its own size, alpha composited over the background. */
    private static byte[] toBgr(BufferedImage image, int backgroundRgb) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] bgr = new byte[w * h * 3];
        int bgR = (backgroundRgb >> 16) & 0xFF;
        int bgG = (backgroundRgb >> 8) & 0xFF;
        int bgB = backgroundRgb & 0xFF;
        if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // getRGB would treat the grey as linear light and brighten it; PNG grey is display-ready like RGB
            Raster raster = image.getRaster();
            int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
            boolean alpha = raster.getNumBands() > 1;
            int alphaMax = alpha ? (1 << raster.getSampleModel().getSampleSize(1)) - 1 : 1;
            for (int y = 0, d = 0; y < h; y++) {
                for (int x = 0; x < w; x++, d += 3) {
                    int grey = (raster.getSample(x, y, 0) * 255 + max / 2) / max;
                    int a = alpha ? (raster.getSample(x, y, 1) * 255 + alphaMax / 2) / alphaMax : 255;
                    bgr[d] = (byte) over(grey, a, bgB);
                    bgr[d + 1] = (byte) over(grey, a, bgG);
                    bgr[d + 2] = (byte) over(grey, a, bgR);
                }
            }
            return bgr;
        }
        if (image.getRaster().getDataBuffer() instanceof DataBufferByte buffer
                && image.getRaster().getParent() == null) {
            byte[] data = buffer.getData();
            if (image.getType() == BufferedImage.TYPE_3BYTE_BGR && data.length == bgr.length) {
                return data; // decoded opaque RGB (JPEG, 8-bit PNG) is already bgr24
            }
            if (image.getType() == BufferedImage.TYPE_4BYTE_ABGR && data.length == w * h * 4) {
                for (int s = 0, d = 0; d < bgr.length; s += 4, d += 3) { // A, B, G, R per pixel
                    int a = data[s] & 0xFF;
                    bgr[d] = (byte) over(data[s + 1] & 0xFF, a, bgB);
                    bgr[d + 1] = (byte) over(data[s + 2] & 0xFF, a, bgG);
                    bgr[d + 2] = (byte) over(data[s + 3] & 0xFF, a, bgR);
                }
                return bgr;
            }
        }
        int[] row = new int[w];
        for (int y = 0, d = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++, d += 3) {
                int argb = row[x];
                int a = argb >>> 24;
                bgr[d] = (byte) over(argb & 0xFF, a, bgB);
                bgr[d + 1] = (byte) over((argb >> 8) & 0xFF, a, bgG);
                bgr[d + 2] = (byte) over((argb >> 16) & 0xFF, a, bgR);
            }
        }
        return bgr;
    }

    /**
     * Scales a bgr24 picture to fit {@code width} x {@code height} keeping its aspect ratio, centred,
     * bars in the background colour. Example: 320x240 into 512x512 → 512x384 at y = 64.
     */
    static byte[] fit(byte[] bgr, int srcWidth, int srcHeight, int width, int height, int backgroundRgb) {
        BufferedImage src = new BufferedImage(srcWidth, srcHeight, BufferedImage.TYPE_3BYTE_BGR);
        System.arraycopy(bgr, 0, ((DataBufferByte) src.getRaster().getDataBuffer()).getData(), 0, bgr.length);
        BufferedImage dst = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        double scale = Math.min((double) width / srcWidth, (double) height / srcHeight);
        int scaledWidth = Math.max(1, (int) Math.round(srcWidth * scale));
        int scaledHeight = Math.max(1, (int) Math.round(srcHeight * scale));
        Graphics2D g = dst.createGraphics();
        try {
            g.setColor(new java.awt.Color(backgroundRgb));
            g.fillRect(0, 0, width, height);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(src, (width - scaledWidth) / 2, (height - scaledHeight) / 2, scaledWidth, scaledHeight, null);
        } finally {
            g.dispose();
        }
        return ((DataBufferByte) dst.getRaster().getDataBuffer()).getData();
    }
}
