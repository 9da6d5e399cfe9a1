package io.avpush.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.SyntheticMedia;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A frame pushed again (the idle picture, a held frame) is sent from the native copy made the first
 * time, and a different array is copied anew: the receiver sees every change of picture. Needs a
 * network interface other than loopback: run inside {@code scripts/in-netns.sh}.
 */
@Tag("webrtc")
class SessionMediaFramesIT {

    @Test
    void repeatedFramesAreCopiedOnceAndEveryChangeOfPictureArrives() throws Exception {
        int w = MarkerPushLoop.WIDTH;
        int h = MarkerPushLoop.HEIGHT;
        byte[] dark = SyntheticMedia.i420(w, h, 16);
        byte[] bright = SyntheticMedia.i420(w, h, 200);
        byte[] mid = SyntheticMedia.i420(w, h, 120);
        // one second each at 30 fps: dark, bright, the same dark array again, then mid
        List<byte[]> runs = List.of(dark, bright, dark, mid);
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("frames");
                TestViewer receiver = TestViewer.create()) {
            String offer = receiver.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Viewer viewer = output.connect("v", offer, (id, s) -> {})
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            receiver.acceptAnswer(viewer.answerSdp());
            assertTrue(receiver.awaitConnected(Duration.ofSeconds(10)), "viewer connected within 10 s");

            long t0 = System.nanoTime();
            int n = 0;
            for (byte[] picture : runs) {
                for (int i = 0; i < 30; i++, n++) {
                    LockSupport.parkNanos(t0 + n * 1_000_000_000L / 30 - System.nanoTime());
                    output.pushFrame(picture, w, h);
                }
            }
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < deadline && countAfter(receiver, 100, 140, 0) < 20) {
                Thread.sleep(20);
            }

            List<TestViewer.FrameArrival> frames = receiver.frames();
            int firstBright = indexOf(frames, 180, 220, 0);
            int darkAgain = indexOf(frames, 0, 40, firstBright);
            int firstMid = indexOf(frames, 100, 140, darkAgain);
            System.out.printf(
                    "IT frames: %d received; bright from #%d, dark again from #%d, mid from #%d; %d native copies "
                            + "for %d pushes%n",
                    frames.size(), firstBright, darkAgain, firstMid, output.framesCopied(), n);
            assertTrue(
                    firstBright >= 0 && darkAgain > firstBright && firstMid > darkAgain,
                    "the receiver saw dark, bright, dark, mid in order: bright #" + firstBright + ", dark #" + darkAgain
                            + ", mid #" + firstMid);
            assertTrue(countAfter(receiver, 180, 220, 0) >= 20, "bright frames received");
            assertTrue(countAfter(receiver, 0, 40, darkAgain) >= 20, "dark frames received after the bright ones");
            assertTrue(countAfter(receiver, 100, 140, firstMid) >= 20, "mid frames received");
            assertEquals(runs.size(), output.framesCopied(), "one native copy per run of the same array");
        }
    }

    private static int indexOf(List<TestViewer.FrameArrival> frames, int minLuma, int maxLuma, int from) {
        for (int i = Math.max(0, from); i < frames.size(); i++) {
            int luma = frames.get(i).meanLuma();
            if (luma >= minLuma && luma <= maxLuma) {
                return i;
            }
        }
        return -1;
    }

    private static long countAfter(TestViewer receiver, int minLuma, int maxLuma, int from) {
        List<TestViewer.FrameArrival> frames = receiver.frames();
        return frames.subList(Math.max(0, Math.min(from, frames.size())), frames.size()).stream()
                .filter(f -> f.meanLuma() >= minLuma && f.meanLuma() <= maxLuma)
                .count();
    }
}
