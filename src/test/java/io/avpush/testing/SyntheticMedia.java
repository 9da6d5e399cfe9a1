package io.avpush.testing;

import io.avpush.media.MarkerClip;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Media made up for tests and benchmarks, as uploads carry it (WAV, bgr24 frames, image files) or
 * as a transport takes it (I420): flat frames and tones where a test checks exact values, speech-
 * like audio and a moving, noise-textured picture where a benchmark needs the encoder to work.
 * Every generator is deterministic (fixed seeds).
 */
public final class SyntheticMedia {

    private SyntheticMedia() {}

    /** A canonical 44-byte-header WAV: 16-bit PCM, one channel. */
    public static byte[] wav(short[] pcm, int sampleRate) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII))
                .putInt(36 + 2 * pcm.length)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII))
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 1)
                .putInt(sampleRate)
                .putInt(sampleRate * 2)
                .putShort((short) 2)
                .putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII))
                .putInt(2 * pcm.length);
        for (short s : pcm) {
            b.putShort(s);
        }
        return b.array();
    }

    /** {@code seconds} of a 440 Hz tone at a fifth of full scale, 48 kHz. */
    public static short[] tone(double seconds) {
        short[] pcm = new short[(int) Math.round(seconds * 48_000)];
        for (int n = 0; n < pcm.length; n++) {
            pcm[n] = (short) Math.round(0.2 * 32767 * Math.sin(2 * Math.PI * 440 * (n + 0.5) / 48_000));
        }
        return pcm;
    }

    /** {@code count} bgr24 frames of one grey level. */
    public static byte[] greyFrames(int width, int height, int count, int level) {
        byte[] frames = new byte[width * height * 3 * count];
        Arrays.fill(frames, (byte) level);
        return frames;
    }

    /** An I420 frame of one luma value and neutral chroma. */
    public static byte[] i420(int width, int height, int luma) {
        int lumaBytes = width * height;
        int chromaBytes = ((width + 1) / 2) * ((height + 1) / 2);
        byte[] frame = new byte[lumaBytes + 2 * chromaBytes];
        Arrays.fill(frame, 0, lumaBytes, (byte) luma);
        Arrays.fill(frame, lumaBytes, frame.length, (byte) 128);
        return frame;
    }

    /** A {@code width} x {@code height} picture of one colour as a PNG, JPEG or GIF file. */
    public static byte[] image(int width, int height, int rgb, String format) throws IOException {
        java.awt.image.BufferedImage image =
                new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!javax.imageio.ImageIO.write(image, format, out)) {
            throw new IOException("ImageIO has no writer for " + format);
        }
        return out.toByteArray();
    }

    /** 48 kHz mono: voiced harmonics on a wandering pitch, syllable envelope, a little noise. */
    public static short[] speechLike(int samples) {
        int rate = 48_000;
        Random rnd = new Random(7);
        short[] pcm = new short[samples];
        double phase = 0;
        for (int i = 0; i < samples; i++) {
            double t = (double) i / rate;
            double f0 = 120 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
            phase += 2 * Math.PI * f0 / rate;
            double voiced = 0;
            for (int h = 1; h <= 8; h++) {
                voiced += Math.sin(h * phase) / h;
            }
            double env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
            double v = 0.15 * env * voiced + 0.01 * rnd.nextGaussian();
            pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
        }
        return pcm;
    }

    /**
     * bgr24 frames: a noise-textured colour gradient panning 3 px per frame, with two noise-textured
     * discs moving across it, so that every macroblock changes and motion search has real work.
     * Mean luma stays far from the idle frame's (30) and below the flash detector's 180. Made for
     * 512x512 (the discs' paths are in pixels of that picture).
     */
    public static byte[] movingFrames(int width, int height, int count) {
        Random rnd = new Random(11);
        int tw = 1024;
        byte[] texture = new byte[tw * tw];
        rnd.nextBytes(texture);
        byte[] out = new byte[count * width * height * 3];
        for (int f = 0; f < count; f++) {
            int base = f * width * height * 3;
            int pan = 3 * f;
            double c1x = 256 + 180 * Math.cos(2 * Math.PI * f / 60.0);
            double c1y = 256 + 180 * Math.sin(2 * Math.PI * f / 60.0);
            double c2x = (f * 7) % width;
            double c2y = 300 + 60 * Math.sin(2 * Math.PI * f / 20.0);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int noise = (texture[((y + pan / 2) & (tw - 1)) * tw + ((x + pan) & (tw - 1))] & 0xff) / 8 - 16;
                    int r = 60 + (x + pan) % 256 / 3 + noise;
                    int g = 70 + y / 4 + noise;
                    int b = 90 + ((x + y + 2 * pan) % 256) / 4 + noise;
                    double d1 = (x - c1x) * (x - c1x) + (y - c1y) * (y - c1y);
                    double d2 = (x - c2x) * (x - c2x) + (y - c2y) * (y - c2y);
                    if (d1 < 70 * 70) {
                        int tn = (texture[((y - (int) c1y) & (tw - 1)) * tw + ((x - (int) c1x) & (tw - 1))] & 0xff) / 4;
                        r = 200 - tn / 2;
                        g = 150 + tn / 4;
                        b = 40 + tn / 2;
                    } else if (d2 < 50 * 50) {
                        r = 30 + noise;
                        g = 120 + noise;
                        b = 200 + noise;
                    }
                    int p = base + (y * width + x) * 3;
                    out[p] = (byte) clamp(b);
                    out[p + 1] = (byte) clamp(g);
                    out[p + 2] = (byte) clamp(r);
                }
            }
        }
        return out;
    }

    /** bgr24 of TestSignal's marker clip: grey 48 background, a grey 160 bar moving right, white marker frames. */
    public static byte[] markerFrames(MarkerClip clip, int width, int height) {
        int count = clip.i420Frames().length;
        Set<Long> markers = new HashSet<>();
        for (long m : clip.markerFrameIndices()) {
            markers.add(m);
        }
        int barWidth = Math.max(2, width / 16);
        int barStep = Math.max(1, width / 60);
        byte[] out = new byte[count * width * height * 3];
        for (int f = 0; f < count; f++) {
            int base = f * width * height * 3;
            if (markers.contains((long) f)) {
                Arrays.fill(out, base, base + width * height * 3, (byte) 255);
                continue;
            }
            int barX = (int) ((long) f * barStep % width);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    byte v = (byte) (x >= barX && x < barX + barWidth ? 160 : 48);
                    int p = base + (y * width + x) * 3;
                    out[p] = v;
                    out[p + 1] = v;
                    out[p + 2] = v;
                }
            }
        }
        return out;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
