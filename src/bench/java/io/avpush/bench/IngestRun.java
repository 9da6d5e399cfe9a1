package io.avpush.bench;

import static io.avpush.bench.StreamBench.FPS;
import static io.avpush.bench.StreamBench.HEIGHT;
import static io.avpush.bench.StreamBench.SEGMENT_FRAMES;
import static io.avpush.bench.StreamBench.WIDTH;

import io.avpush.media.FrameRate;
import io.avpush.testing.ApiClient;
import io.avpush.testing.InProcessNode;
import io.avpush.webrtc.WebRtcTransports;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** {@link StreamBench}'s ingestion figures: how fast the server takes uploads, with nobody watching. */
final class IngestRun {

    /**
     * Uploads the segment {@code count} times back to back to one session without a viewer (the
     * segments queue) and prints MB/s of POST -> 202 (HTTP multipart parsing + WAV/bgr24 decoding),
     * then the decoding alone ({@link io.avpush.playout.SegmentDecoder}, one thread, no HTTP).
     */
    static void ingest(byte[] body, byte[] wav, byte[] bgr, int count) throws Exception {
        // The pacer at normal priority, as this figure has always been taken (nothing plays: no viewer).
        InProcessNode node = InProcessNode.named("avpush")
                .config("pekko.loglevel = WARNING\navpush.media.pacer-realtime-priority = 0")
                .start(Duration.ofSeconds(20));
        ApiClient base = new ApiClient(URI.create(node.baseUrl()), Duration.ofSeconds(60));
        try {
            // Warm-up: as many uploads to a session of their own (then deleted, so that the measured
            // session's queue starts empty), so that the JIT has compiled the upload path.
            String warm = ingestSession(base);
            for (int i = 0; i < count; i++) {
                ingestUpload(base, warm, body);
            }
            base.delete("/api/sessions/" + warm);
            String id = ingestSession(base);
            double[] ms = new double[count];
            Map<Integer, ThreadCpu> cpuBefore = Threads.procThreadCpu();
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                ingestUpload(base, id, body);
                ms[i] = (System.nanoTime() - start) / 1e6;
            }
            Map<String, Double> serverCpuMsByGroup = ingestCpuMs(cpuBefore, Threads.procThreadCpu());
            base.delete("/api/sessions/" + id);
            io.avpush.playout.UploadedMedia upload =
                    new io.avpush.playout.UploadedMedia(wav, bgr, WIDTH, HEIGHT, String.valueOf(FPS));
            double[] decodeMs = decodeMs(upload, new WebRtcTransports(node.engine()).frameConverter(), count);
            double[] javaDecodeMs = decodeMs(upload, io.avpush.media.FrameConverter.JAVA, count);
            Arrays.sort(ms);
            System.out.printf(
                    Locale.ROOT,
                    "%ningestion, one session without viewer, %d uploads (after as many to warm up) of %.1f MB (2 s: WAV %.1f MB + bgr24 %.1f MB) "
                            + "back to back: POST->202 p50 %.0f ms = %.0f MB/s (HTTP multipart + decoding); decoding alone (SegmentDecoder, "
                            + "one thread, CPU time) p50 %.0f ms = %.0f MB/s with libyuv as served, %.0f ms = %.0f MB/s with the Java "
                            + "conversion; load %s%n",
                    count,
                    body.length / 1e6,
                    wav.length / 1e6,
                    bgr.length / 1e6,
                    Figures.percentile(ms, 50),
                    body.length / 1e3 / Figures.percentile(ms, 50),
                    Figures.percentile(decodeMs, 50),
                    (wav.length + bgr.length) / 1e3 / Figures.percentile(decodeMs, 50),
                    Figures.percentile(javaDecodeMs, 50),
                    (wav.length + bgr.length) / 1e3 / Figures.percentile(javaDecodeMs, 50),
                    Machine.loadavg());
            double serverCpuMs = serverCpuMsByGroup.values().stream()
                    .mapToDouble(Double::doubleValue)
                    .sum();
            double megabytes = (double) count * body.length / 1e6;
            double streamMBps = body.length / 1e6 / (SEGMENT_FRAMES / (double) FPS);
            double jitMs = serverCpuMsByGroup.getOrDefault("jit", 0.0);
            System.out.printf(
                    Locale.ROOT,
                    "ingestion CPU (the server's threads, not the upload client's): %.2f CPU ms per MB "
                            + "= %.0f MB per CPU second, %.2f ms per MB without the JIT compiler threads (still compiling the client's "
                            + "and the server's per-request code after %d warm-up uploads; a long-running server has compiled it); a raw "
                            + "bgr24 512x512@30 stream (%.1f MB/s uploaded) costs %.3f CPU s per stream-second to ingest (%.3f without "
                            + "JIT); by thread group, ms per MB: %s%n",
                    serverCpuMs / megabytes,
                    megabytes / (serverCpuMs / 1000),
                    (serverCpuMs - jitMs) / megabytes,
                    count,
                    streamMBps,
                    serverCpuMs / megabytes * streamMBps / 1000,
                    (serverCpuMs - jitMs) / megabytes * streamMBps / 1000,
                    Figures.groups3(Figures.perMegabyte(serverCpuMsByGroup, megabytes)));
        } finally {
            node.close();
        }
    }

    private static String ingestSession(ApiClient api) throws Exception {
        return api.postJson("/api/sessions", "{\"fps\":" + FPS + ",\"width\":" + WIDTH + ",\"height\":" + HEIGHT + "}")
                .expect(201)
                .get("sessionId")
                .asText();
    }

    private static void ingestUpload(ApiClient api, String sessionId, byte[] body) throws Exception {
        ApiClient.Reply resp = api.send("POST", "/api/sessions/" + sessionId + "/segments", Feeders.FORM_TYPE, body);
        if (resp.status() != 202) {
            throw new IllegalStateException("ingest upload answered " + resp.status() + ": " + resp.body());
        }
    }

    /**
     * CPU ms by thread group between two readings of every thread, without the upload's client (the
     * JDK HttpClient's threads, the bench's own, and the main thread that waits for its replies).
     */
    static Map<String, Double> ingestCpuMs(Map<Integer, ThreadCpu> before, Map<Integer, ThreadCpu> after) {
        Map<String, Double> ms = new TreeMap<>();
        after.forEach((tid, now) -> {
            String group = Threads.category(now.comm());
            if (group.equals("bench-client") || now.comm().equals("java")) {
                return;
            }
            long ticks = now.ticksSince(before.get(tid));
            ms.merge(group, ticks * 10.0, Double::sum); // CLK_TCK 100 (scripts/bench.sh checks)
        });
        return ms;
    }

    /** CPU ms of this thread to decode {@code upload} (after one warm-up), sorted. */
    static double[] decodeMs(
            io.avpush.playout.UploadedMedia upload, io.avpush.media.FrameConverter converter, int count)
            throws Exception {
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] ms = new double[count];
        for (int i = -1; i < count; i++) {
            long start = threads.getCurrentThreadCpuTime();
            io.avpush.playout.SegmentDecoder.decode(
                    "ingest-" + i,
                    upload,
                    FrameRate.parse(String.valueOf(FPS)),
                    WIDTH,
                    HEIGHT,
                    120_000_000_000L,
                    0x000000,
                    converter);
            if (i >= 0) {
                ms[i] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms;
    }

    private IngestRun() {}
}
