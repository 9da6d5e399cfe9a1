package io.avpush.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real media between the engine and an in-JVM receiving peer. Needs a network interface other than
 * loopback: run inside {@code scripts/in-netns.sh} (see there why).
 */
@Tag("webrtc")
class WebRtcEngineIT {
    private static final Duration CONNECT = Duration.ofSeconds(10);

    @Test
    void streamsFramesAndContinuousAudioWithFlashesAndBeepsPaired() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("media");
                TestViewer receiver = TestViewer.create()) {
            List<ViewerState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
            Viewer viewer = connect(output, "v1", receiver, (id, s) -> states.add(s));
            assertTrue(receiver.awaitConnected(CONNECT), "viewer connected within 10 s");

            long seconds = 6;
            MarkerPushLoop pushLoop = new MarkerPushLoop(output, 30, seconds * 1_000_000_000L).start();
            pushLoop.join();
            long end = System.nanoTime();
            awaitTrue(() -> receiver.flashArrivals().size() >= seconds - 1, Duration.ofSeconds(2));
            ViewerStats stats = viewer.stats().toCompletableFuture().get(5, TimeUnit.SECONDS);

            long lastFour = receiver.frames().stream()
                    .filter(f -> f.arrivalNanos() > end - 4_000_000_000L)
                    .count();
            double fps = lastFour / 4.0;
            List<TestViewer.AudioArrival> audio = receiver.audio();
            java.util.Map<String, Object> inbound = receiver.inbound("audio");
            System.out.printf(
                    "IT media: receiver audio: packetsReceived %s, totalSamplesReceived %s, concealedSamples %s,"
                            + " insertedSamplesForDeceleration %s, removedSamplesForAcceleration %s%n",
                    inbound.get("packetsReceived"),
                    inbound.get("totalSamplesReceived"),
                    inbound.get("concealedSamples"),
                    inbound.get("insertedSamplesForDeceleration"),
                    inbound.get("removedSamplesForAcceleration"));
            assertTrue(!audio.isEmpty(), "no audio reached the receiver");
            long firstAudio = audio.get(0).arrivalNanos();
            long lastAudio = audio.get(audio.size() - 1).arrivalNanos();
            double receivedSeconds = audio.stream()
                    .mapToDouble(a -> (double) a.frames() / a.sampleRate())
                    .sum();
            double elapsedSeconds = (lastAudio - firstAudio) / 1e9
                    + (double) audio.get(audio.size() - 1).frames()
                            / audio.get(0).sampleRate();
            double pushedSeconds = pushLoop.chunksPushed() / 100.0;
            double sentSeconds = stats.audioPacketsSent() * 0.020;
            List<Double> offsetsMs = TestViewer.pairOffsetsMs(receiver.flashArrivals(), receiver.beepArrivals());

            System.out.printf(
                    "IT media: pushed %d frames, %d audio chunks in %d s; sender stats %s%n",
                    pushLoop.framesPushed(), pushLoop.chunksPushed(), seconds, stats);
            System.out.printf(
                    "IT media: received %.1f frames/s over the last 4 s (%d frames total)%n",
                    fps, receiver.frames().size());
            System.out.printf(
                    "IT media: audio received %.3f s over %.3f s elapsed (%.1f %%), %d callbacks of %d Hz x %d ch;"
                            + " sender: %d packets ~ %.2f s for %.2f s pushed%n",
                    receivedSeconds,
                    elapsedSeconds,
                    100 * receivedSeconds / elapsedSeconds,
                    audio.size(),
                    audio.get(0).sampleRate(),
                    audio.get(0).channels(),
                    stats.audioPacketsSent(),
                    sentSeconds,
                    pushedSeconds);
            System.out.printf(
                    "IT media: flashes %d, beeps %d, beep - flash offsets ms %s%n",
                    receiver.flashArrivals().size(), receiver.beepArrivals().size(), offsetsMs);
            System.out.printf("IT media: viewer states %s%n", states);

            assertTrue(fps >= 25, "frames/s over the last 4 s: " + fps);
            assertTrue(
                    Math.abs(receivedSeconds - elapsedSeconds) <= 0.1 * elapsedSeconds,
                    "audio received " + receivedSeconds + " s over " + elapsedSeconds + " s");
            assertTrue(offsetsMs.size() >= seconds - 2, "flash/beep pairs: " + offsetsMs);
            for (double offset : offsetsMs) {
                assertTrue(Math.abs(offset) < 250, "beep - flash offset " + offset + " ms");
            }
            assertTrue(states.contains(ViewerState.CONNECTED), "listener told CONNECTED: " + states);
        }
    }

    @Test
    void malformedOfferFailsReadablyAndTheOutputStillServesAnotherViewer() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("malformed");
                TestViewer receiver = TestViewer.create()) {
            String malformed = "v=0\r\nthis is not sdp\r\nm=audio nine\r\nm=video ten\r\n";
            CompletionException failure = assertThrows(
                    CompletionException.class,
                    () -> output.connect("bad", malformed, (id, s) -> {})
                            .toCompletableFuture()
                            .orTimeout(10, TimeUnit.SECONDS)
                            .join());
            SdpException sdp = assertInstanceOf(SdpException.class, failure.getCause());
            System.out.println("IT malformed offer message: " + sdp.getMessage());
            assertTrue(sdp.getMessage().startsWith("offer SDP rejected by WebRTC: "), sdp.getMessage());
            awaitTrue(() -> output.viewerCount() == 0, Duration.ofSeconds(2));

            connect(output, "good", receiver, (id, s) -> {});
            assertTrue(receiver.awaitConnected(CONNECT));
            try (MarkerPushLoop pushLoop = new MarkerPushLoop(output, 30, 10_000_000_000L).start()) {
                awaitTrue(() -> receiver.frames().size() >= 15, Duration.ofSeconds(5));
            }
            assertEquals(1, output.viewerCount());
        }
    }

    @Test
    void closingOneViewerLeavesTheOtherReceiving() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("two");
                TestViewer first = TestViewer.create();
                TestViewer second = TestViewer.create()) {
            Viewer closing = connect(output, "first", first, (id, s) -> {});
            connect(output, "second", second, (id, s) -> {});
            assertTrue(first.awaitConnected(CONNECT) && second.awaitConnected(CONNECT));
            assertEquals(2, output.viewerCount());
            try (MarkerPushLoop pushLoop = new MarkerPushLoop(output, 30, 20_000_000_000L).start()) {
                awaitTrue(() -> first.frames().size() >= 10 && second.frames().size() >= 10, Duration.ofSeconds(5));
                closing.close();
                closing.close();
                assertEquals(ViewerState.CLOSED, closing.state());
                assertEquals(1, output.viewerCount());
                int framesAtClose = second.frames().size();
                int audioAtClose = second.audio().size();
                awaitTrue(
                        () -> second.frames().size() >= framesAtClose + 30
                                && second.audio().size() >= audioAtClose + 50,
                        Duration.ofSeconds(5));
                System.out.printf(
                        "IT two viewers: after closing the first, the second got %d more frames%n",
                        second.frames().size() - framesAtClose);
            }
        }
    }

    @Test
    void engineCloseIsIdempotentAndTheJvmExitsByItself() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(
                List.of(java, "-cp", System.getProperty("java.class.path"), EngineExitProbe.class.getName()));
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                probe.getInputStream().transferTo(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        synchronized (out) {
                            out.append((char) b);
                        }
                    }
                });
            } catch (java.io.IOException ignored) {
                // the probe ended
            }
        });
        reader.start();
        boolean exited = probe.waitFor(40, TimeUnit.SECONDS);
        if (!exited) {
            probe.destroyForcibly();
        }
        reader.join(2_000);
        String log;
        synchronized (out) {
            log = out.toString();
        }
        System.out.println("IT exit probe output:\n"
                + log.lines().filter(l -> l.startsWith("probe")).reduce("", (a, b) -> a + b + "\n"));
        assertTrue(exited, "child JVM did not exit within 40 s after closing everything:\n" + log);
        assertEquals(0, probe.exitValue(), log);
        assertTrue(log.contains("probe closed"), log);
    }

    private static Viewer connect(SessionMedia output, String id, TestViewer receiver, ViewerListener listener)
            throws Exception {
        String offer = receiver.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Viewer viewer =
                output.connect(id, offer, listener).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertTrue(viewer.answerSdp().contains("a=candidate:"), "answer carries candidates");
        assertTrue(viewer.answerSdp().contains("a=msid:" + SessionMedia.STREAM_ID + " "), "tracks in stream avpush");
        receiver.acceptAnswer(viewer.answerSdp());
        return viewer;
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + timeout);
            Thread.sleep(20);
        }
    }
}
