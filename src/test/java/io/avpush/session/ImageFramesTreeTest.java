package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.FrameRate;
import io.avpush.media.I420;
import io.avpush.playout.UploadedMedia;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Segments of PNG, JPEG and rgba frames through the whole session tree: the viewer gets the I420
 * of the pictures sent (exactly for PNG and rgba, within JPEG's loss), one per tick, in order.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class ImageFramesTreeTest {

    private static final int W = 32;
    private static final int H = 32;
    private static final int BACKGROUND = 0x336699;

    @JUnit5TestKit
    public ActorTestKit testKit = ActorTestKit.create();

    private SessionUnderTest s;

    @BeforeEach
    void start() {
        s = new SessionUnderTest(testKit, new FrameRate(30, 1), W, H, BACKGROUND);
        s.connectViewer();
    }

    @AfterEach
    void stop() {
        s.close();
    }

    @Test
    void pngAndJpegFramesReachTheViewerAsTheirPixels() {
        List<byte[]> files = new ArrayList<>();
        List<byte[]> bgr = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            byte[] picture = gradient(i * 40);
            bgr.add(picture);
            files.add(encode(picture, i < 2 ? "png" : "jpeg"));
        }
        SessionReplies.SegmentAccepted accepted =
                s.upload(new UploadedMedia(null, (byte[]) null, null, null, "30", null, files));
        assertEquals(4, accepted.frames());
        s.await("the segment to play", () -> s.status().segmentsPlayed() == 1);

        List<byte[]> frames = s.output.framesCopy();
        int start = SessionUnderTest.indexOf(frames, I420.fromBgr24(bgr.get(0), 0, W, H), 0);
        assertTrue(start > 0, "the first PNG frame reached the viewer exactly");
        assertArrayEquals(
                I420.fromBgr24(bgr.get(1), 0, W, H), frames.get(start + 1), "the second PNG, on the next tick");
        for (int k = 2; k < 4; k++) {
            byte[] expected = I420.fromBgr24(bgr.get(k), 0, W, H);
            byte[] got = frames.get(start + k);
            int worst = 0;
            for (int i = 0; i < expected.length; i++) {
                worst = Math.max(worst, Math.abs((expected[i] & 0xFF) - (got[i] & 0xFF)));
            }
            assertTrue(worst <= 4, "JPEG frame " + k + " within 4 levels of its picture: " + worst);
        }
    }

    @Test
    void rgbaFramesAreCompositedOverTheConfiguredBackground() {
        byte[] rgba = new byte[W * H * 4 * 3];
        for (int i = 0; i < rgba.length; i += 4) {
            int frame = i / (W * H * 4);
            rgba[i] = (byte) 255;
            rgba[i + 3] = (byte) (frame * 127); // alpha 0, 127, 254
        }
        s.upload(new UploadedMedia(null, rgba, W, H, "30", "rgba", null));
        s.await("the segment to play", () -> s.status().segmentsPlayed() == 1);

        List<byte[]> frames = s.output.framesCopy();
        byte[] background = I420.solid(W, H, 0x33, 0x66, 0x99);
        int start = SessionUnderTest.indexOf(frames, background, 0);
        assertTrue(start > 0, "a transparent frame shows the background #336699");
        // red over (0x33, 0x66, 0x99) at alpha 127: (255 * 127 + bg * 128 + 127) / 255
        assertArrayEquals(I420.solid(W, H, 153, 51, 77), frames.get(start + 1), "half-transparent red");
        assertArrayEquals(I420.solid(W, H, 254, 0, 1), frames.get(start + 2), "nearly opaque red");
    }

    /** A smooth bgr24 picture (JPEG's loss on it is small), shifted by {@code offset}. */
    private static byte[] gradient(int offset) {
        byte[] bgr = new byte[W * H * 3];
        for (int y = 0, i = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                bgr[i++] = (byte) (200 - (x + y) * 2);
                bgr[i++] = (byte) (60 + y * 4);
                bgr[i++] = (byte) (offset + x * 3);
            }
        }
        return bgr;
    }

    private static byte[] encode(byte[] bgr, String format) {
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0, i = 0; y < H; y++) {
            for (int x = 0; x < W; x++, i += 3) {
                image.setRGB(x, y, 0xFF000000 | (bgr[i + 2] & 0xFF) << 16 | (bgr[i + 1] & 0xFF) << 8 | (bgr[i] & 0xFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertTrue(ImageIO.write(image, format, out));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
