package io.avpush.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Uploaded image files, recognised and decoded in memory with javax.imageio: only PNG and JPEG
 * are frames, pictures too large are refused before they are decoded, and a damaged file is
 * refused rather than shown half-drawn, each with a message that names the part at fault. What
 * becomes of a decoded picture (compositing, scaling, I420) is {@link FrameImages}'s.
 */
public final class ImageFiles {

    /** Images larger than this many pixels are refused before they are decoded (a PNG header can claim 2^62). */
    static final long MAX_IMAGE_PIXELS = 4096L * 4096L;

    private ImageFiles() {}

    /**
     * "PNG" or "JPEG" when {@code data} starts like such a file (the PNG signature; a JPEG's SOI
     * marker and the next marker's 0xFF), else null. Tells a client who sent an image where raw
     * frames belong which part images go in.
     */
    public static String kind(byte[] data) {
        if (data.length >= 8
                && (data[0] & 0xFF) == 0x89
                && data[1] == 'P'
                && data[2] == 'N'
                && data[3] == 'G'
                && data[4] == 0x0D
                && data[5] == 0x0A
                && data[6] == 0x1A
                && data[7] == 0x0A) {
            return "PNG";
        }
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return "JPEG";
        }
        return null;
    }

    /** Decodes part 'frame' #{@code number}, a PNG or JPEG file. */
    static BufferedImage read(byte[] file, int number) throws MediaFormatException {
        String part = "part 'frame' #" + number;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(file))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new MediaFormatException(part + " (" + file.length + " bytes) is not a PNG or JPEG image");
            }
            ImageReader reader = readers.next();
            try {
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                if (!format.equals("png") && !format.equals("jpeg")) {
                    throw new MediaFormatException(part + " is a " + format + " image; frames must be PNG or JPEG");
                }
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_IMAGE_PIXELS) {
                    throw new MediaFormatException(String.format(
                            "%s is %dx%d; images of at most %d pixels are accepted",
                            part, reader.getWidth(0), reader.getHeight(0), MAX_IMAGE_PIXELS));
                }
                BufferedImage image = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new MediaFormatException(part + " is a damaged " + format + " image: " + warnings.get(0));
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new MediaFormatException(
                    part + " (" + file.length + " bytes) cannot be decoded as an image: " + e.getMessage(), e);
        }
    }
}
