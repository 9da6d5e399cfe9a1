package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.testing.ApiClient;
import io.avpush.testing.SyntheticMedia;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The streaming WebSocket and the events over real HTTP (the real Guardian, sessions and pacer,
 * a recording transport): a producer's segment plays while it streams, its events arrive over
 * SSE in order, a malformed message is answered and the socket closed without harming another
 * session, and a producer past the buffer is told to slow down.
 */
class StreamRoutesTest {

    private static final int W = 64;
    private static final int H = 64;

    private static final FakeTransports outputs = new FakeTransports();

    @RegisterExtension
    static final TestServer.PerClass server = TestServer.perClass(
            "stream-routes",
            outputs,
            String.join(
                    "\n",
                    "avpush.media { default-width = " + W + ", default-height = " + H + ", stream-buffer = 300 ms }"));

    private static final ApiClient api = server.client;

    private static String newSession() throws Exception {
        return api.postJson("/api/sessions", "{}").text("sessionId");
    }

    private static void connectViewer(String id) throws Exception {
        assertEquals(
                200,
                api.postJson("/api/sessions/" + id + "/offer", "{\"sdp\": \"v=0\\r\\n\", \"type\": \"offer\"}")
                        .status());
    }

    /** Sends {@code ticks} 30 fps ticks: 16 kHz s16le audio in 20 ms chunks and a grey frame per tick. */
    private static void sendMedia(StreamClient.Socket ws, int ticks, short level) {
        sendMedia(ws, 0, ticks, level);
    }

    /** As above, from tick {@code from} of the segment (every 3 ticks is 5 chunks). */
    private static void sendMedia(StreamClient.Socket ws, int from, int ticks, short level) {
        for (int c = from * 5 / 3; c < (from + ticks) * 5 / 3; c++) {
            ws.binary(StreamClient.message(1, 1, c * 20_000L, StreamClient.s16(320, level)));
        }
        for (int k = from; k < from + ticks; k++) {
            ws.binary(StreamClient.message(2, 1, Math.round(k * 1e6 / 30), SyntheticMedia.greyFrames(W, H, 1, 50 + k)));
        }
    }

    @Test
    void aStreamedSegmentPlaysAndItsEventsArriveOverSseInOrder() throws Exception {
        String id = newSession();
        BlockingQueue<JsonNode> events = StreamClient.events(api.base(), id);
        connectViewer(id);
        StreamClient.nextEvent(events, "viewer-joined");
        try (StreamClient.Socket ws = new StreamClient.Socket(api.base(), id)) {
            ws.text("{\"type\": \"open\", \"sampleRate\": 16000}");
            JsonNode opened = ws.next();
            assertEquals("opened", opened.path("type").asText(), opened.toString());
            String segmentId = opened.path("segmentId").asText();
            assertEquals(100.0, opened.path("leadMs").asDouble());
            sendMedia(ws, 30, (short) 4000);
            ws.text("{\"type\": \"close\"}");
            JsonNode closed = ws.next("closed");
            assertEquals(segmentId, closed.path("segmentId").asText());
            assertEquals(1000.0, closed.path("receivedMs").asDouble(), 0.5, closed.toString());

            assertEquals(
                    segmentId,
                    StreamClient.nextEvent(events, "segment-queued")
                            .path("segmentId")
                            .asText());
            JsonNode started = StreamClient.nextEvent(events, "segment-started");
            assertEquals(segmentId, started.path("segmentId").asText());
            assertTrue(
                    StreamClient.nextEvent(events, "speaking").path("speaking").asBoolean());
            JsonNode finished = StreamClient.nextEvent(events, "segment-finished");
            assertEquals(segmentId, finished.path("segmentId").asText());
            assertEquals(
                    30,
                    finished.path("frame").asLong()
                            - started.path("frame").asLong()
                            - finished.path("gapTicks").asLong(),
                    "1 s at 30 fps is 30 ticks of media, plus any gap: " + finished);
            assertTrue(finished.path("seq").asLong() > started.path("seq").asLong());
        }
        FakeTransports.Recorder out = outputs.of(id);
        await("the segment's audio at the viewer", () -> out.audibleSamples() >= 47_000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "media before open  | true  | 1 | 1 | 0   | 640   | no segment is open",
                "unknown kind       | false | 9 | 1 | 0   | 640   | kind) is 9",
                "unknown format     | false | 1 | 7 | 0   | 640   | audio format (header byte 1) is 7",
                "half a sample      | false | 1 | 1 | 0   | 641   | not a whole number of s16le samples",
                "short header       | false | 0 | 0 | 0   | -1    | only 5 bytes",
                "wrong frame size   | false | 2 | 1 | 0   | 100   | 64x64 bgr24 frames (12288 bytes each)",
                "negative timestamp | false | 1 | 1 | -5  | 640   | is negative"
            })
    void aMalformedMessageGetsAnErrorAndTheSocketClosesWithoutHarmingAnotherSession(
            String name, boolean skipOpen, int kind, int format, long tsUs, int payloadBytes, String expected)
            throws Exception {
        String other = newSession();
        connectViewer(other);
        String id = newSession();
        try (StreamClient.Socket good = new StreamClient.Socket(api.base(), other);
                StreamClient.Socket bad = new StreamClient.Socket(api.base(), id)) {
            good.text("{\"type\": \"open\", \"sampleRate\": 16000}");
            good.next("opened");
            sendMedia(good, 6, (short) 3000);
            if (!skipOpen) {
                bad.text("{\"type\": \"open\", \"sampleRate\": 16000}");
                bad.next("opened");
            }
            bad.binary(
                    payloadBytes < 0
                            ? java.nio.ByteBuffer.wrap(new byte[5])
                            : StreamClient.message(kind, format, tsUs, new byte[payloadBytes]));
            JsonNode error = bad.next("error");
            assertEquals("bad_request", error.path("error").asText());
            assertTrue(error.path("message").asText().contains(expected), error.toString());
            assertEquals(1000, bad.closed.get(20, TimeUnit.SECONDS), "the server closes the socket after the error");

            sendMedia(good, 0, (short) 0);
            good.text("{\"type\": \"close\"}");
            assertTrue(good.next("closed").path("receivedMs").asDouble() >= 200, "the other session's stream went on");
        }
    }

    @Test
    void aBadOpenIsRefusedWithWhatToSend() throws Exception {
        String id = newSession();
        List<String> messages = new ArrayList<>();
        for (String open : List.of(
                "{\"type\": \"open\"}",
                "{\"type\": \"open\", \"sampleRate\": 1}",
                "not json",
                "{\"type\": \"open\", \"audio\": false, \"video\": false}",
                "{\"type\": \"close\"}",
                "{\"type\": \"play\"}")) {
            try (StreamClient.Socket ws = new StreamClient.Socket(api.base(), id)) {
                ws.text(open);
                JsonNode error = ws.next("error");
                messages.add(error.path("message").asText());
            }
        }
        assertTrue(messages.get(0).contains("\"sampleRate\" is missing"), messages.get(0));
        assertTrue(messages.get(1).contains("8000..192000 Hz"), messages.get(1));
        assertTrue(messages.get(2).contains("not JSON"), messages.get(2));
        assertTrue(messages.get(3).contains("declares neither"), messages.get(3));
        assertTrue(messages.get(4).contains("no segment is open"), messages.get(4));
        assertTrue(messages.get(5).contains("unknown control message type 'play'"), messages.get(5));
        ApiClient.Reply plain = api.get("/api/sessions/" + id + "/stream");
        assertEquals(400, plain.status(), "a plain GET of the stream is no WebSocket upgrade: " + plain);
        assertTrue(
                plain.contentType().startsWith("application/json")
                        && plain.body().contains("WebSocket"),
                plain.toString());
    }

    @Test
    void aProducerPastTheBufferIsToldToSlowDownAndToResumeOnceItPlays() throws Exception {
        String id = newSession();
        try (StreamClient.Socket ws = new StreamClient.Socket(api.base(), id)) {
            ws.text("{\"type\": \"open\", \"sampleRate\": 16000, \"video\": false}");
            ws.next("opened");
            for (int c = 0; c < 50; c++) {
                ws.binary(StreamClient.message(1, 1, c * 20_000L, StreamClient.s16(320, (short) 2000)));
            }
            JsonNode slow = ws.next("slow-down");
            assertTrue(slow.path("bufferedMs").asDouble() > 300, slow.toString());
            assertEquals(300.0, slow.path("bufferMs").asDouble());
            assertTrue(
                    ws.received.stream().noneMatch(m -> m.path("type").asText().equals("resume")),
                    "nothing plays without a viewer, so the producer stays held");
            connectViewer(id);
            JsonNode resume = ws.next("resume");
            assertTrue(resume.path("bufferedMs").asDouble() <= 300, resume.toString());
            ws.text("{\"type\": \"close\"}");
            assertEquals(1000.0, ws.next("closed").path("receivedMs").asDouble(), 0.5);
        }
    }

    @Test
    void anInterruptEndsTheStreamedSegmentAndTheProducerIsTold() throws Exception {
        String id = newSession();
        connectViewer(id);
        try (StreamClient.Socket ws = new StreamClient.Socket(api.base(), id)) {
            ws.text("{\"type\": \"open\", \"sampleRate\": 16000}");
            String segmentId = ws.next("opened").path("segmentId").asText();
            sendMedia(ws, 6, (short) 1000);
            await("the segment to play", () -> {
                try {
                    return segmentId.equals(api.get("/api/sessions/" + id).text("playing"));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            JsonNode cut =
                    api.postJson("/api/sessions/" + id + "/interrupt", "").json();
            assertEquals(segmentId, cut.path("cut").asText());
            sendMedia(ws, 6, 3, (short) 1000);
            JsonNode ended = ws.next("segment-ended");
            assertEquals(segmentId, ended.path("segmentId").asText());
            ws.text("{\"type\": \"close\"}");
            assertTrue(ws.next("closed").path("ended").asBoolean());
            ws.text("{\"type\": \"open\", \"sampleRate\": 16000}");
            assertTrue(
                    !ws.next("opened").path("segmentId").asText().equals(segmentId),
                    "the next segment opens on the same socket");
        }
    }

    @Test
    void sseReadByPekkoHttpsClientCarriesTypeSeqAndJson() throws Exception {
        String id = newSession();
        org.apache.pekko.actor.ActorSystem client = org.apache.pekko.actor.ActorSystem.create("sse-client");
        try {
            org.apache.pekko.http.javadsl.model.HttpResponse response = org.apache.pekko.http.javadsl.Http.get(client)
                    .singleRequest(org.apache.pekko.http.javadsl.model.HttpRequest.create(api.base()
                            .resolve("/api/sessions/" + id + "/events")
                            .toString()))
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            assertEquals(200, response.status().intValue());
            assertEquals(
                    "text/event-stream",
                    response.entity().getContentType().mediaType().toString());
            java.util.concurrent.CompletionStage<List<org.apache.pekko.http.javadsl.model.sse.ServerSentEvent>>
                    received =
                            org.apache.pekko.http.javadsl.unmarshalling.sse.EventStreamUnmarshalling.fromEventsStream(
                                            client)
                                    .unmarshal(response.entity(), client)
                                    .thenCompose(source -> source.takeWhile(
                                                    e -> !e.getData().contains("segment-finished"), true)
                                            .completionTimeout(java.time.Duration.ofSeconds(20))
                                            .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), client));
            connectViewer(id);
            String segment = api.postParts(
                            "/api/sessions/" + id + "/segments",
                            List.of(ApiClient.Part.file(
                                    "audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(0.2), 48_000))))
                    .text("segmentId");
            List<String> types = new ArrayList<>();
            for (org.apache.pekko.http.javadsl.model.sse.ServerSentEvent e :
                    received.toCompletableFuture().get(30, TimeUnit.SECONDS)) {
                JsonNode data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(e.getData());
                assertEquals(data.path("type").asText(), e.getEventType().orElse(""), "event: is the type");
                assertEquals(data.path("seq").asText(), e.getId().orElse(""), "id: is the sequence number");
                if (segment.equals(data.path("segmentId").asText())) {
                    types.add(data.path("type").asText());
                }
            }
            assertEquals(List.of("segment-queued", "segment-started", "segment-finished"), types);
        } finally {
            client.terminate();
        }
    }

    @Test
    void theEventStreamEndsWithTheSession() throws Exception {
        String id = newSession();
        BlockingQueue<JsonNode> events = StreamClient.events(api.base(), id);
        assertEquals(204, api.delete("/api/sessions/" + id).status());
        assertEquals(
                "session-ended",
                StreamClient.nextEvent(events, "session-ended").path("type").asText());
        assertEquals(404, api.get("/api/sessions/" + id + "/events").status(), "an ended session has no events");
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
