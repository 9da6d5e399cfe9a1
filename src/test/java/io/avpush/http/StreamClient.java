package io.avpush.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Test clients of the streaming API over {@link java.net.http}: a producer's WebSocket on
 * {@code /api/sessions/{id}/stream} (the server's text messages queued as JSON, the close code
 * kept) and a reader of {@code /api/sessions/{id}/events} (Server-Sent Events, their data as JSON).
 */
final class StreamClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private StreamClient() {}

    /** One producer connection. */
    static final class Socket implements AutoCloseable {
        final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final WebSocket ws;

        Socket(URI http, String sessionId) {
            URI uri = URI.create(
                    "ws://" + http.getHost() + ":" + http.getPort() + "/api/sessions/" + sessionId + "/stream");
            ws = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .buildAsync(uri, new WebSocket.Listener() {
                        private final StringBuilder text = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            text.append(data);
                            if (last) {
                                try {
                                    received.add(JSON.readTree(text.toString()));
                                } catch (Exception e) {
                                    received.add(JSON.createObjectNode()
                                            .put("type", "not-json")
                                            .put("text", text.toString()));
                                }
                                text.setLength(0);
                            }
                            webSocket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            closed.complete(statusCode);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket webSocket, Throwable error) {
                            closed.complete(-1);
                        }
                    })
                    .join();
        }

        void text(String json) {
            ws.sendText(json, true).join();
        }

        void binary(ByteBuffer message) {
            ws.sendBinary(message, true).join();
        }

        /** The next message from the server; fails after 20 s. */
        JsonNode next() throws InterruptedException {
            JsonNode m = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no message from the server within " + WAIT.toSeconds() + " s");
            }
            return m;
        }

        /** The next message of {@code type}, skipping others; fails after 20 s. */
        JsonNode next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                JsonNode m = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new AssertionError(
                            "no '" + type + "' message from the server within " + WAIT.toSeconds() + " s");
                }
                if (type.equals(m.path("type").asText())) {
                    return m;
                }
            }
        }

        @Override
        public void close() {
            ws.abort();
        }
    }

    /**
     * A binary message: the 12-byte header and the payload. Handed over in big-endian order (the
     * bytes are the same): the JDK's WebSocket client masks 8 bytes at a time in the buffer's order
     * and so byte-swaps a little-endian buffer.
     */
    static ByteBuffer message(int kind, int format, long tsUs, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(12 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) kind).put((byte) format).putShort((short) 0).putLong(tsUs).put(payload);
        return b.flip().order(ByteOrder.BIG_ENDIAN);
    }

    /** s16le samples of a constant {@code value}. */
    static byte[] s16(int samples, short value) {
        ByteBuffer b = ByteBuffer.allocate(2 * samples).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < samples; i++) {
            b.putShort(value);
        }
        return b.array();
    }

    /**
     * The data of the session's Server-Sent Events, as JSON, read by a background thread; returns
     * once the server has answered (and so subscribed).
     */
    static BlockingQueue<JsonNode> events(URI http, String sessionId) {
        BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        HttpRequest request = HttpRequest.newBuilder(http.resolve("/api/sessions/" + sessionId + "/events"))
                .build();
        CompletableFuture<HttpResponse<Stream<String>>> response =
                HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        response.thenAccept(r -> {
                    Thread reader = new Thread(
                            () -> r.body().forEach(line -> {
                                if (line.startsWith("data:")) {
                                    try {
                                        events.add(
                                                JSON.readTree(line.substring(5).trim()));
                                    } catch (Exception e) {
                                        events.add(JSON.createObjectNode()
                                                .put("type", "not-json")
                                                .put("text", line));
                                    }
                                }
                            }),
                            "sse-reader");
                    reader.setDaemon(true);
                    reader.start();
                })
                .orTimeout(20, TimeUnit.SECONDS)
                .join();
        return events;
    }

    /** The next event of {@code type} (others are skipped); fails after 20 s. */
    static JsonNode nextEvent(BlockingQueue<JsonNode> events, String type) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("no '" + type + "' event within " + WAIT.toSeconds() + " s");
            }
            if (type.equals(e.path("type").asText())) {
                return e;
            }
        }
    }
}
