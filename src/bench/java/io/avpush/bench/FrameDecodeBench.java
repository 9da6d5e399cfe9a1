package io.avpush.bench;

import io.avpush.media.FrameImages;
import io.avpush.media.MediaFormatException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * What an upload's frames cost to turn into I420, CPU time per frame, single-threaded (uploads are decoded
 * on the blocking dispatcher, two threads by default): raw bgr24 and rgba, PNG and JPEG of the
 * session's size, and PNG of half the size scaled to fit. The picture is a textured, noisy one
 * (a face renderer's output compresses about like it). Prints one line per kind and a markdown table.
 *
 * <p>Run: {@code mvn -o -q -Davpush.buildDir=B test-compile && java -cp B/test-classes:B/classes
 * io.avpush.bench.FrameDecodeBench [size=512] [frames=60] [rounds=5]}; with {@code converter=libyuv}
 * (images to I420 as a node converts them) on the test classpath ({@code scripts/bench.sh} shows how
 * to resolve it).
 */
public final class FrameDecodeBench {

    private FrameDecodeBench() {}

    private interface Decode {
        byte[][] run() throws MediaFormatException;
    }

    public static void main(String[] args) throws Exception {
        int size = 512;
        int frames = 60;
        int rounds = 5;
        boolean libyuv = false;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "size" -> size = Integer.parseInt(kv[1]);
                case "frames" -> frames = Integer.parseInt(kv[1]);
                case "rounds" -> rounds = Integer.parseInt(kv[1]);
                case "converter" ->
                    libyuv = switch (kv[1]) {
                        case "java" -> false;
                        case "libyuv" -> true;
                        default -> throw new IllegalArgumentException("converter is java or libyuv; got " + kv[1]);
                    };
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + a + "; use size=, frames=, rounds=, converter=");
            }
        }
        final int s = size;
        // As a node converts image frames (SegmentDecoder): libyuv from the WebRTC engine, or the Java reference.
        io.avpush.webrtc.WebRtcEngine engine = libyuv ? io.avpush.webrtc.WebRtcEngine.start(List.of()) : null;
        io.avpush.media.FrameConverter converter = engine == null
                ? io.avpush.media.FrameConverter.JAVA
                : new io.avpush.webrtc.WebRtcTransports(engine).frameConverter();
        BufferedImage full = picture(s, s);
        BufferedImage half = picture(s / 2, s / 2);
        byte[] bgr = ((DataBufferByte) full.getRaster().getDataBuffer()).getData();
        byte[] rawBgr = repeat(bgr, frames);
        byte[] rgba = new byte[s * s * 4];
        for (int p = 0; p < s * s; p++) {
            rgba[4 * p] = bgr[3 * p + 2];
            rgba[4 * p + 1] = bgr[3 * p + 1];
            rgba[4 * p + 2] = bgr[3 * p];
            rgba[4 * p + 3] = (byte) (p % 256);
        }
        byte[] rawRgba = repeat(rgba, frames);
        List<byte[]> png = copies(encode(full, "png"), frames);
        List<byte[]> jpeg = copies(encode(full, "jpeg"), frames);
        List<byte[]> halfPng = copies(encode(half, "png"), frames);

        System.out.printf(
                "frame decoding, %dx%d, %d frames per upload, best of %d rounds, images to I420 by %s, load %s%n",
                s,
                s,
                frames,
                rounds,
                libyuv ? "libyuv" : "Java",
                new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim());
        List<String> rows = new ArrayList<>();
        rows.add(row(
                "bgr24",
                s * s * 3,
                frames,
                rounds,
                () -> FrameImages.fromRaw(rawBgr, FrameImages.RawFormat.BGR24, s, s, 0)));
        rows.add(row(
                "rgba",
                s * s * 4,
                frames,
                rounds,
                () -> FrameImages.fromRaw(rawRgba, FrameImages.RawFormat.RGBA, s, s, 0)));
        rows.add(row("PNG", png.get(0).length, frames, rounds, () -> FrameImages.fromImages(png, s, s, 0, converter)));
        rows.add(row(
                "JPEG (q 0.75)",
                jpeg.get(0).length,
                frames,
                rounds,
                () -> FrameImages.fromImages(jpeg, s, s, 0, converter)));
        rows.add(row(
                "PNG " + s / 2 + "x" + s / 2 + " scaled",
                halfPng.get(0).length,
                frames,
                rounds,
                () -> FrameImages.fromImages(halfPng, s, s, 0, converter)));
        System.out.println();
        System.out.println("| frames | bytes per frame | CPU ms per frame | frames/s (one thread) |");
        System.out.println("|---|---:|---:|---:|");
        rows.forEach(System.out::println);
        if (engine != null) {
            engine.close();
        }
    }

    private static String row(String kind, int bytes, int frames, int rounds, Decode decode)
            throws MediaFormatException {
        // CPU time of this thread (libyuv and ImageIO's native decoders run on it too): on a shared
        // machine, wall time would count the other processes' turns.
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t0 = threads.getCurrentThreadCpuTime();
            byte[][] out = decode.run();
            long ns = threads.getCurrentThreadCpuTime() - t0;
            if (out.length != frames) {
                throw new IllegalStateException(kind + ": " + out.length + " frames decoded, " + frames + " sent");
            }
            best = Math.min(best, ns);
        }
        double msPerFrame = best / 1e6 / frames;
        System.out.printf(
                "%-20s %9d bytes/frame  %7.2f ms/frame  %7.0f frames/s%n", kind, bytes, msPerFrame, 1000 / msPerFrame);
        return String.format("| %s | %d | %.2f | %.0f |", kind, bytes, msPerFrame, 1000 / msPerFrame);
    }

    /** Smooth gradients with fine noise: a picture that neither PNG nor JPEG shrinks to nothing. */
    private static BufferedImage picture(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(7);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int n = random.nextInt(9) - 4;
                int r = clamp(128 + (int) (100 * Math.sin(x / 23.0)) + n);
                int g = clamp(128 + (int) (100 * Math.cos(y / 31.0)) + n);
                int b = clamp((x + y) * 255 / (w + h) + n);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    private static byte[] repeat(byte[] frame, int count) {
        byte[] out = new byte[frame.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(frame, 0, out, i * frame.length, frame.length);
        }
        return out;
    }

    private static List<byte[]> copies(byte[] file, int count) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(file);
        }
        return out;
    }
}
