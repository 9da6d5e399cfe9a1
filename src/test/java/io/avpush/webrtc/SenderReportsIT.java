package io.avpush.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onvoid.webrtc.RTCStatsType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a receiver needs before it can lip-sync a session, seen from an in-JVM receiving peer: RTCP
 * sender reports of both streams within the first second or two, and NTP↔RTP mappings that put
 * each stream's media at its true capture time (the receiver's estimated playout timestamp, which
 * libwebrtc computes from those mappings, is then the wall clock minus a playout delay of tens of
 * milliseconds, not minus the machine's uptime). Needs a network interface other than loopback:
 * run inside {@code scripts/in-netns.sh}.
 */
@Tag("webrtc")
class SenderReportsIT {
    /** Seconds since 1900-01-01 (NTP's epoch) at the Unix epoch, in ms. */
    private static final long NTP_TO_UNIX_MS = 2_208_988_800_000L;

    @Test
    void bothStreamsAreMappedToTheirCaptureTimesWithinTwoSecondsOfConnecting() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("reports");
                TestViewer receiver = TestViewer.create()) {
            assertTrue(output.clockAligned(), "the session's SyncClock counts libwebrtc's clock");
            String offer = receiver.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Viewer viewer = output.connect("v1", offer, (id, state) -> {})
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            receiver.acceptAnswer(viewer.answerSdp());
            assertTrue(SenderReports.applied() >= 1, "the report interval was written into the viewer's configuration");
            assertEquals(
                    0, SenderReports.layoutMismatches(), "configurations without libwebrtc's defaults where expected");
            assertTrue(receiver.awaitConnected(Duration.ofSeconds(10)), "viewer connected within 10 s");
            long connected = System.nanoTime();
            try (MarkerPushLoop pushLoop = new MarkerPushLoop(output, 30, 6_000_000_000L).start()) {
                Thread.sleep(2_000);
                Map<String, Object> audioReports = receiver.stats(RTCStatsType.REMOTE_OUTBOUND_RTP, "audio");
                Map<String, Object> videoReports = receiver.stats(RTCStatsType.REMOTE_OUTBOUND_RTP, "video");
                double afterSeconds = (System.nanoTime() - connected) / 1e9;
                System.out.printf(
                        "IT sender reports %.1f s after connecting: audio %s, video %s%n",
                        afterSeconds, audioReports.get("reportsSent"), videoReports.get("reportsSent"));
                // libwebrtc's own audio interval (5 s, randomised to 2.5-7.5 s) gives at most one here.
                assertTrue(number(audioReports, "reportsSent") >= 2, "audio sender reports after 2 s: " + audioReports);
                assertTrue(number(videoReports, "reportsSent") >= 2, "video sender reports after 2 s: " + videoReports);

                Thread.sleep(1_000);
                for (String kind : List.of("audio", "video")) {
                    Map<String, Object> inbound = receiver.inbound(kind);
                    double playoutMs = number(inbound, "estimatedPlayoutTimestamp") - NTP_TO_UNIX_MS;
                    double behindMs = System.currentTimeMillis() - playoutMs;
                    System.out.printf(
                            "IT %s: the receiver plays media captured %.0f ms ago (estimatedPlayoutTimestamp)%n",
                            kind, behindMs);
                    assertTrue(
                            behindMs > -50 && behindMs < 1_000,
                            kind + " is estimated to play media captured " + behindMs
                                    + " ms ago (true capture time: tens of ms)");
                }
                pushLoop.join();
            }
        }
    }

    private static double number(Map<String, Object> stats, String key) {
        Object value = stats.get(key);
        assertTrue(value instanceof Number, key + " missing from " + stats);
        return ((Number) value).doubleValue();
    }
}
