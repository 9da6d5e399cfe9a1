package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import io.avpush.media.FrameRate;
import io.avpush.media.MarkerClip;
import io.avpush.media.TestSignal;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.testing.SyntheticMedia;
import io.avpush.webrtc.TestViewer;
import io.avpush.webrtc.WebRtcEngine;
import io.avpush.webrtc.WebRtcTransports;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole server as a browser meets it: real Guardian, WebRTC engine and pacer; a real receiving
 * peer connects through {@code POST /api/sessions/{id}/offer}, a marker segment goes in through the
 * public multipart upload, and the test checks what a watcher would notice: a steady picture and
 * unbroken sound while idle, every flash with its beep, how soon an upload shows, and that deleting
 * the session ends the stream. Needs a network interface other than loopback: run inside
 * {@code scripts/in-netns.sh}.
 */
@Tag("webrtc")
class ApiWebRtcIT {

    private static final int W = 160;
    private static final int H = 120;
    private static final FrameRate FPS = FrameRate.parse("30");
    private static final int DARK = 40;
    private static final int WHITE = 255;
    /** How long the receiver sees idle media before the measurement; -Davpush.it.warmupSeconds to study sync settling. */
    private static final int WARMUP_SECONDS = Integer.getInteger("avpush.it.warmupSeconds", 3);
    /** The marker segment's length (one marker a second); -Davpush.it.segmentSeconds to watch the offset longer. */
    private static final int SEGMENT_SECONDS = Integer.getInteger("avpush.it.segmentSeconds", 6);

    @Test
    void aViewerConnectedThroughTheApiSeesIdleMediaThenEveryFlashWithItsBeep() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                TestServer server = TestServer.start("api-webrtc", new WebRtcTransports(engine), "");
                TestViewer viewer = TestViewer.create()) {
            ApiClient api = server.client;
            Reply created =
                    api.postJson("/api/sessions", "{\"fps\": \"30\", \"width\": " + W + ", \"height\": " + H + "}");
            assertEquals(201, created.status(), created.toString());
            String base = "/api/sessions/" + created.text("sessionId");

            String offer = viewer.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Reply answer = api.postJson(base + "/offer", offerJson(offer));
            assertEquals(200, answer.status(), answer.toString());
            assertEquals("answer", answer.text("type"));
            assertTrue(answer.text("sdp").contains("a=candidate:"), "the answer carries candidates");
            viewer.acceptAnswer(answer.text("sdp"));
            assertTrue(viewer.awaitConnected(Duration.ofSeconds(10)), "viewer connected within 10 s");
            awaitTrue(
                    () -> !viewer.frames().isEmpty() && !viewer.audio().isEmpty(),
                    Duration.ofSeconds(5),
                    "first frame and audio arrive");

            // Idle: the held neutral frame at the session's rate, and silence without gaps.
            // The receiver aligns its video delay to its audio delay from RTCP sender reports; give it a few.
            Thread.sleep(1000L * WARMUP_SECONDS);
            Map<String, Object> audioBefore = viewer.inbound("audio");
            long idleFrom = System.nanoTime();
            Thread.sleep(3000);
            long idleTo = System.nanoTime();
            Map<String, Object> audioAfter = viewer.inbound("audio");
            double idleSeconds = (idleTo - idleFrom) / 1e9;
            List<TestViewer.FrameArrival> idleFrames = between(viewer.frames(), idleFrom, idleTo);
            double idleFps = idleFrames.size() / idleSeconds;
            double idleAudioSeconds = audioSecondsBetween(viewer.audio(), idleFrom, idleTo);
            int idleLuma = idleFrames.isEmpty()
                    ? -1
                    : idleFrames.get(idleFrames.size() - 1).meanLuma();
            double concealed = delta(audioBefore, audioAfter, "concealedSamples");
            double samplesOut = delta(audioBefore, audioAfter, "totalSamplesReceived");
            System.out.printf(
                    "API IT idle: %.1f frames/s over %.2f s (luma %d); audio at the sink %.3f s over %.3f s (%.1f %%);"
                            + " receiver played %.0f samples, %.0f of them concealed (%.1f %%), %.0f audio packets%n",
                    idleFps,
                    idleSeconds,
                    idleLuma,
                    idleAudioSeconds,
                    idleSeconds,
                    100 * idleAudioSeconds / idleSeconds,
                    samplesOut,
                    concealed,
                    samplesOut > 0 ? 100 * concealed / samplesOut : Double.NaN,
                    delta(audioBefore, audioAfter, "packetsReceived"));
            assertTrue(idleFps >= 25, "idle frames/s: " + idleFps);
            assertTrue(
                    Math.abs(idleAudioSeconds - idleSeconds) <= 0.1 * idleSeconds,
                    "idle audio " + idleAudioSeconds + " s over " + idleSeconds + " s");
            assertTrue(viewer.flashArrivals().isEmpty(), "no flash while idle: " + viewer.flashArrivals());

            // A marker segment through the public upload: white frames exactly where the beeps start.
            MarkerClip clip = TestSignal.markers(W, H, FPS, SEGMENT_SECONDS, 1.0);
            long[] markerFrames = clip.markerFrameIndices();
            byte[] bgr = markerFramesBgr24(clip.i420Frames().length, markerFrames);
            int beepsBefore = viewer.beepArrivals().size();
            Reply accepted = api.postParts(
                    base + "/segments",
                    List.of(
                            Part.file("audio", "markers.wav", SyntheticMedia.wav(clip.pcm48k(), 48_000)),
                            Part.file("video", "markers.bgr", bgr),
                            Part.field("width", "" + W),
                            Part.field("height", "" + H),
                            Part.field("fps", "30")));
            long acceptedAt = System.nanoTime();
            assertEquals(202, accepted.status(), accepted.toString());
            assertNotNull(accepted.text("segmentId"), accepted.toString());
            double durationMs = accepted.json().get("durationMs").asDouble();
            awaitTrue(
                    () -> api.get(base).json().get("segmentsPlayed").asLong() >= 1,
                    Duration.ofMillis((long) durationMs + 3000),
                    "the segment plays to its end");
            awaitTrue(
                    () -> viewer.flashArrivals().size() >= markerFrames.length
                            && viewer.beepArrivals().size() - beepsBefore >= markerFrames.length,
                    Duration.ofSeconds(1),
                    "the last flash and beep arrive",
                    false);
            System.out.printf(
                    "API IT receiver jitter buffer: audio %.1f ms, video %.1f ms (mean over the connection);"
                            + " server: %s%n",
                    jitterBufferMs(viewer.inbound("audio")),
                    jitterBufferMs(viewer.inbound("video")),
                    api.get(base).json().get("pushed"));
            List<Long> flashes = viewer.flashArrivals();
            List<Long> beeps = viewer.beepArrivals()
                    .subList(beepsBefore, viewer.beepArrivals().size());
            List<Double> offsetsMs = TestViewer.pairOffsetsMs(flashes, beeps);
            System.out.printf(
                    "API IT markers: %d markers on frames %s; %d flashes, %d beeps received;"
                            + " beep - flash offsets ms %s%n",
                    markerFrames.length,
                    Arrays.toString(markerFrames),
                    flashes.size(),
                    beeps.size(),
                    format(offsetsMs));

            long firstChanged = viewer.frames().stream()
                    .filter(f -> f.arrivalNanos() > acceptedAt && Math.abs(f.meanLuma() - idleLuma) > 10)
                    .mapToLong(TestViewer.FrameArrival::arrivalNanos)
                    .findFirst()
                    .orElse(-1);
            double firstMarkerMediaMs = FPS.frameStartNs(markerFrames[0]) / 1e6;
            double firstFlashLatencyMs =
                    flashes.isEmpty() ? Double.NaN : (flashes.get(0) - acceptedAt) / 1e6 - firstMarkerMediaMs;
            double firstChangeLatencyMs = firstChanged < 0 ? Double.NaN : (firstChanged - acceptedAt) / 1e6;
            System.out.printf(
                    "API IT first-frame latency: first flash %.1f ms after the 202 minus its media offset"
                            + " %.1f ms = %.1f ms; first frame differing from idle %.1f ms after the 202%n",
                    flashes.isEmpty() ? Double.NaN : (flashes.get(0) - acceptedAt) / 1e6,
                    firstMarkerMediaMs,
                    firstFlashLatencyMs,
                    firstChangeLatencyMs);

            assertTrue(
                    offsetsMs.size() >= Math.ceil(0.8 * markerFrames.length),
                    "flash/beep pairs for 80 % of " + markerFrames.length + " markers: " + offsetsMs);
            for (double offset : offsetsMs) {
                // This receiver times video at decode and audio at its playout pull, through its own
                // adaptive jitter buffers: it proves the markers travel together, it is no lip-sync judge
                // (ChromiumSyncIT is). Measured +2..+21 ms and +58..+107 ms in different runs.
                assertTrue(Math.abs(offset) < 200, "beep - flash offset " + offset + " ms");
            }
            assertTrue(firstFlashLatencyMs < 1000, "first flash latency " + firstFlashLatencyMs + " ms");

            // Deleting the session ends the viewer's stream.
            assertEquals(204, api.delete(base).status());
            long deletedAt = System.nanoTime();
            awaitTrue(
                    () -> {
                        List<TestViewer.FrameArrival> frames = viewer.frames();
                        long last = frames.get(frames.size() - 1).arrivalNanos();
                        return System.nanoTime() - last > 1_000_000_000L;
                    },
                    Duration.ofSeconds(5),
                    "frames stop after DELETE");
            List<TestViewer.FrameArrival> frames = viewer.frames();
            double lastFrameAfterDeleteMs = (frames.get(frames.size() - 1).arrivalNanos() - deletedAt) / 1e6;
            Object packetsThen = viewer.inbound("audio").get("packetsReceived");
            Thread.sleep(500);
            Object packetsLater = viewer.inbound("audio").get("packetsReceived");
            assertEquals(packetsThen, packetsLater, "audio packets stop after DELETE");
            awaitTrue(
                    () -> viewer.state() != RTCPeerConnectionState.CONNECTED,
                    Duration.ofSeconds(10),
                    "connection state leaves CONNECTED",
                    false);
            RTCPeerConnectionState stateAfter = viewer.state();
            System.out.printf(
                    "API IT delete: last frame %.1f ms after the 204; audio packets stopped at %s;"
                            + " viewer connection state %s %.1f s after the 204%n",
                    lastFrameAfterDeleteMs, packetsLater, stateAfter, (System.nanoTime() - deletedAt) / 1e9);
            assertError404(api.get(base));
        }
    }

    /** Dark bgr24 frames with a white one at each marker frame. */
    private static byte[] markerFramesBgr24(int frameCount, long[] markerFrames) {
        int frameBytes = W * H * 3;
        byte[] bgr = new byte[frameBytes * frameCount];
        Arrays.fill(bgr, (byte) DARK);
        for (long f : markerFrames) {
            Arrays.fill(bgr, (int) f * frameBytes, (int) (f + 1) * frameBytes, (byte) WHITE);
        }
        return bgr;
    }

    private static List<TestViewer.FrameArrival> between(List<TestViewer.FrameArrival> frames, long from, long to) {
        return frames.stream()
                .filter(f -> f.arrivalNanos() > from && f.arrivalNanos() <= to)
                .toList();
    }

    private static double audioSecondsBetween(List<TestViewer.AudioArrival> audio, long from, long to) {
        return audio.stream()
                .filter(a -> a.arrivalNanos() > from && a.arrivalNanos() <= to)
                .mapToDouble(a -> (double) a.frames() / a.sampleRate())
                .sum();
    }

    private static double delta(Map<String, Object> before, Map<String, Object> after, String key) {
        return number(after, key) - number(before, key);
    }

    private static double number(Map<String, Object> stats, String key) {
        return stats.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Mean time a sample or frame spent in the receiver's jitter buffer, in ms. */
    private static double jitterBufferMs(Map<String, Object> inbound) {
        return 1000 * number(inbound, "jitterBufferDelay") / number(inbound, "jitterBufferEmittedCount");
    }

    private static String format(List<Double> ms) {
        return ms.stream().map(v -> String.format("%.1f", v)).toList().toString();
    }

    private static void assertError404(Reply r) {
        assertEquals(404, r.status(), r.toString());
        assertEquals("session_not_found", r.text("error"), r.toString());
    }

    private static void awaitTrue(Check condition, Duration timeout, String what) throws Exception {
        awaitTrue(condition, timeout, what, true);
    }

    /** Waits for the condition; fails on timeout only when {@code required}. */
    private static void awaitTrue(Check condition, Duration timeout, String what, boolean required) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                assertTrue(!required, what + ": not within " + timeout);
                return;
            }
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean get() throws Exception;
    }

    private static String offerJson(String sdp) throws Exception {
        return new ObjectMapper().writeValueAsString(Map.of("sdp", sdp, "type", "offer"));
    }
}
