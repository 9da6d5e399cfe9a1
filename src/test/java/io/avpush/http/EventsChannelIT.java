package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.testing.SyntheticMedia;
import io.avpush.webrtc.TestViewer;
import io.avpush.webrtc.WebRtcEngine;
import io.avpush.webrtc.WebRtcTransports;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The session's events on the viewer's WebRTC data channel: a webrtc-java viewer creates the
 * negotiated "avpush-events" channel as the demo page does, connects through the offer route, and
 * receives the events of a segment it watches, in order. Run inside {@code scripts/in-netns.sh}.
 */
@Tag("webrtc")
class EventsChannelIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theEventsDataChannelDeliversTheSegmentsEventsInOrder() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                TestServer server = TestServer.start("events-channel", new WebRtcTransports(engine), "");
                TestViewer viewer = TestViewer.create()) {
            ApiClient api = server.client;
            String id = api.postJson("/api/sessions", "{\"width\": 160, \"height\": 120}")
                    .text("sessionId");
            viewer.openEventsChannel();
            String offer = viewer.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(offer.contains("m=application"), "the channel puts a data section in the offer");
            Reply answer = api.postJson(
                    "/api/sessions/" + id + "/offer",
                    JSON.writeValueAsString(java.util.Map.of("type", "offer", "sdp", offer)));
            assertEquals(200, answer.status(), answer.toString());
            assertTrue(answer.text("sdp").contains("m=application"), "the answer accepts it");
            viewer.acceptAnswer(answer.text("sdp"));
            assertTrue(viewer.awaitConnected(Duration.ofSeconds(10)), "viewer connected within 10 s");
            awaitTrue(() -> !viewer.frames().isEmpty(), "first frame");
            // av-diff events come once a second: the channel is open once one arrives
            awaitTrue(
                    () -> viewer.eventMessages().stream().anyMatch(m -> m.contains("\"av-diff\"")),
                    "the channel to carry events");

            Reply upload = api.postParts(
                    "/api/sessions/" + id + "/segments",
                    List.of(
                            Part.file("audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(0.5), 48_000)),
                            Part.file("video", "v.bgr", SyntheticMedia.greyFrames(160, 120, 15, 200)),
                            Part.field("width", "160"),
                            Part.field("height", "120"),
                            Part.field("fps", "30")));
            assertEquals(202, upload.status(), upload.toString());
            String segment = upload.text("segmentId");
            awaitTrue(
                    () -> viewer.eventMessages().stream().anyMatch(m -> m.contains("segment-finished")),
                    "segment-finished");

            List<String> order = new ArrayList<>();
            long lastSeq = 0;
            for (String message : viewer.eventMessages()) {
                JsonNode e = JSON.readTree(message);
                assertTrue(e.path("seq").asLong() > lastSeq, "events arrive in order: " + viewer.eventMessages());
                lastSeq = e.path("seq").asLong();
                if (segment.equals(e.path("segmentId").asText())) {
                    order.add(e.path("type").asText());
                }
            }
            assertEquals(List.of("segment-queued", "segment-started", "segment-finished"), order);
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
