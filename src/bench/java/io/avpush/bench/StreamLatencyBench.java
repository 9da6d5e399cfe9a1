package io.avpush.bench;

import io.avpush.session.Transport;
import io.avpush.testing.ApiClient;
import io.avpush.testing.InProcessNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.LoggerFactory;

/**
 * Streaming start-up latency: the time from the first chunk a producer sends over the WebSocket
 * ({@code /api/sessions/{id}/stream}) to the push of the segment's first frame to the peer (the
 * instant libwebrtc stamps as its capture time). The real server (Guardian, routes, session tree,
 * pacer) runs in this JVM; the transport records push instants instead of encoding (encoding
 * happens after the push, so it does not change the figure). The producer is live: it sends
 * 20 ms audio chunks (16 kHz s16le) and 512x512 frames at 30 fps as a real-time pipeline makes
 * them. Each run is a fresh session with one viewer.
 *
 * <p>Usage: {@code StreamLatencyBench [runs=20] [lead=100ms,0ms]}; prints
 * one line per configuration and a markdown table.
 */
public final class StreamLatencyBench {

    private static final int W = 512;
    private static final int H = 512;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Records when each session pushes its first frame that is not the neutral idle picture. */
    private static final class TimingOutputs implements Transport.Factory {
        final Map<String, CompletableFuture<Long>> firstPush = new ConcurrentHashMap<>();

        @Override
        public Transport create(String sessionId) {
            CompletableFuture<Long> first = firstPush.computeIfAbsent(sessionId, k -> new CompletableFuture<>());
            return new Transport() {
                @Override
                public void pushFrame(byte[] i420, int width, int height) {
                    if (!first.isDone() && (i420[0] & 0xff) > 100) {
                        first.complete(System.nanoTime());
                    }
                }

                @Override
                public void pushAudio(short[] pcm48kMono, int offset) {}

                @Override
                public CompletionStage<String> connect(
                        String viewerId, String offerSdp, java.util.function.BiConsumer<String, ViewerState> onState) {
                    onState.accept(viewerId, ViewerState.CONNECTED);
                    return CompletableFuture.completedFuture("v=0\r\n");
                }

                @Override
                public void disconnect(String viewerId) {}

                @Override
                public void close() {}
            };
        }
    }

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int runs = 20;
        String[] leads = {"100ms", "0ms"};
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "runs" -> runs = Integer.parseInt(kv[1]);
                case "lead" -> leads = kv[1].split(",");
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        List<String> table = new ArrayList<>();
        for (String lead : leads) {
            double[] ms = measure(runs, lead);
            Arrays.sort(ms);
            double mean = Arrays.stream(ms).average().orElse(0);
            String line = String.format(
                    Locale.ROOT,
                    "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |",
                    lead,
                    runs,
                    ms[0],
                    pct(ms, 50),
                    mean,
                    pct(ms, 95),
                    ms[ms.length - 1]);
            System.out.println(line);
            table.add(line);
        }
        System.out.println();
        System.out.println("| stream-lead | runs | min ms | p50 ms | mean ms | p95 ms | max ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        table.forEach(System.out::println);
        System.exit(0);
    }

    private static double pct(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double[] measure(int runs, String lead) throws Exception {
        TimingOutputs outputs = new TimingOutputs();
        // No libwebrtc (pushes are timed, not encoded), the pacer at normal priority as measured before.
        try (InProcessNode node = InProcessNode.named("latency")
                .withoutEngine()
                .transports(engine -> outputs)
                .config("avpush.media { stream-lead = " + lead + ", pacer-realtime-priority = 0 }")
                .start(Duration.ofSeconds(10))) {
            ApiClient base = new ApiClient(URI.create(node.baseUrl()));
            double[] ms = new double[runs + 2];
            for (int r = 0; r < runs + 2; r++) { // two warm-up runs, not counted
                ms[r] = once(base, outputs);
            }
            return Arrays.copyOfRange(ms, 2, ms.length);
        }
    }

    private static double once(ApiClient base, TimingOutputs outputs) throws Exception {
        String id = base.postJson("/api/sessions", "{\"width\": " + W + ", \"height\": " + H + "}")
                .expect(201)
                .get("sessionId")
                .asText();
        base.postJson("/api/sessions/" + id + "/offer", "{\"type\": \"offer\", \"sdp\": \"v=0\\r\\n\"}")
                .expect(200);
        LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        WebSocket ws = HTTP.newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + base.base().getPort() + "/api/sessions/" + id + "/stream"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                texts.add(data.toString());
                                webSocket.request(1);
                                return null;
                            }
                        })
                .join();
        ws.sendText("{\"type\": \"open\", \"sampleRate\": 16000}", true).join();
        String opened = texts.poll(10, TimeUnit.SECONDS);
        if (opened == null || !opened.contains("opened")) {
            throw new IllegalStateException("no 'opened': " + opened);
        }
        byte[] frame = new byte[W * H * 3];
        Arrays.fill(frame, (byte) 235);
        byte[] chunk = new byte[320 * 2];
        CompletableFuture<Long> pushed = outputs.firstPush.get(id);
        long t0 = System.nanoTime();
        int nextChunk = 0;
        int nextFrame = 0;
        // a live producer: media at real time, for 1 s or until the first frame is pushed
        while (!pushed.isDone() && nextChunk < 50) {
            long chunkDue = t0 + nextChunk * 20_000_000L;
            long frameDue = t0 + Math.round(nextFrame * 1e9 / 30);
            long due = Math.min(chunkDue, frameDue);
            LockSupport.parkNanos(due - System.nanoTime());
            if (frameDue <= chunkDue) {
                ws.sendBinary(message(2, 1, Math.round(nextFrame * 1e6 / 30), frame), true)
                        .join();
                nextFrame++;
            } else {
                ws.sendBinary(message(1, 1, nextChunk * 20_000L, chunk), true).join();
                nextChunk++;
            }
        }
        long pushNs = pushed.get(10, TimeUnit.SECONDS);
        ws.sendText("{\"type\": \"close\"}", true).join();
        ws.abort();
        base.delete("/api/sessions/" + id);
        return (pushNs - t0) / 1e6;
    }

    private static ByteBuffer message(int kind, int format, long tsUs, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(12 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) kind).put((byte) format).putShort((short) 0).putLong(tsUs).put(payload);
        return b.flip().order(ByteOrder.BIG_ENDIAN); // the JDK client masks in the buffer's byte order
    }
}
