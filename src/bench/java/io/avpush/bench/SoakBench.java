package io.avpush.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.testing.ApiClient;
import io.avpush.testing.InProcessNode;
import io.avpush.webrtc.LightViewer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Soak benchmark of one node: the real server in this JVM, and {@code sessions} sessions, each
 * created over HTTP, watched by a webrtc-java viewer ({@link LightViewer}, all on one client
 * factory) that connects through the offer route, streamed the demo clip for {@code seconds},
 * then deleted. Sessions run in rounds of {@code report}; between rounds, with no session live, it
 * prints RSS, the part of it outside the JVM's own memory (Native Memory Tracking), the bytes malloc
 * has handed out and the heap, and at the end the growth after warm-up and in each half of the run
 * against the target bound. Memory figures are what it is for; timings on a shared machine are not.
 *
 * <p>Must run inside {@code scripts/in-netns.sh} (libwebrtc ignores loopback); see scripts/soak.sh.
 *
 * <p>Usage: {@code SoakBench [sessions=1000] [seconds=1] [parallel=4] [report=100] [warmup=100] [boundKb=20]}
 */
public final class SoakBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int sessions = 1000;
        double seconds = 1;
        int parallel = 4;
        int report = 100;
        int warmup = 100;
        double boundKbPerSession = 20;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "sessions" -> sessions = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Double.parseDouble(kv[1]);
                case "parallel" -> parallel = Integer.parseInt(kv[1]);
                case "report" -> report = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "boundKb" -> boundKbPerSession = Double.parseDouble(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + a + "; see the class comment");
            }
        }
        // Typed actors log straight to SLF4J: keep the figures readable, but show failed disposals.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.avpush.webrtc"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        // The pacer at normal priority, as the soak's figures were taken (memory is what it measures).
        InProcessNode node = InProcessNode.named("avpush-soak")
                .config("pekko.loglevel = ERROR\n"
                        + "avpush.media { default-width = 320, default-height = 240, pacer-realtime-priority = 0 }")
                .start(Duration.ofSeconds(20));
        ApiClient api = new ApiClient(URI.create(node.baseUrl()), Duration.ofSeconds(30));
        System.out.printf(
                Locale.ROOT,
                "soak: %d sessions of create → connect → %.1f s demo clip → delete, %d at a time, 320x240; malloc: %s, MALLOC_ARENA_MAX=%s%n",
                sessions,
                seconds,
                parallel,
                ProcessMemory.allocator(),
                System.getenv("MALLOC_ARENA_MAX"));

        Soak soak = new Soak(api, sessions, seconds, report, warmup, node.engine()::liveOutputs);
        try (LightViewer.Client client = new LightViewer.Client()) {
            soak.checkpoint(0);
            ExecutorService workers = Executors.newFixedThreadPool(parallel);
            // In rounds of `report` sessions, `parallel` at a time; memory is read between rounds, when no
            // session is live, so that a checkpoint does not count the media of sessions in flight.
            for (int end = Math.min(report, sessions); ; end = Math.min(end + report, sessions)) {
                int roundEnd = end;
                List<Future<?>> running = new ArrayList<>();
                for (int w = 0; w < parallel; w++) {
                    running.add(workers.submit(() -> soak.work(client, roundEnd)));
                }
                for (Future<?> f : running) {
                    f.get();
                }
                soak.checkpoint(roundEnd);
                if (roundEnd == sessions) {
                    break;
                }
            }
            workers.shutdown();
        } finally {
            node.close();
        }
        soak.summary(boundKbPerSession);
    }

    /** The shared state of the workers: the next session to run, failures, and the checkpoints. */
    private static final class Soak {
        final ApiClient api;
        final int sessions;
        final double seconds;
        final int report;
        final int warmup;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicLong framesMin = new AtomicLong(Long.MAX_VALUE);
        final List<long[]> points = new ArrayList<>(); // sessions done, RSS KB, outside-JVM KB, malloc in use KB
        final long started = System.nanoTime();

        final java.util.function.IntSupplier liveOutputs;

        Soak(
                ApiClient api,
                int sessions,
                double seconds,
                int report,
                int warmup,
                java.util.function.IntSupplier liveOutputs) {
            this.liveOutputs = liveOutputs;
            this.api = api;
            this.sessions = sessions;
            this.seconds = seconds;
            this.report = report;
            this.warmup = warmup;
        }

        /** Runs sessions until {@code roundEnd} sessions have been started. */
        void work(LightViewer.Client client, int roundEnd) {
            int i;
            while ((i = next.getAndUpdate(n -> n < roundEnd ? n + 1 : n)) < roundEnd) {
                try {
                    framesMin.accumulateAndGet(oneSession(client), Math::min);
                } catch (Exception e) {
                    failures.incrementAndGet();
                    System.out.println("soak: session " + i + " failed: " + e);
                }
            }
        }

        /** One session's life; returns the frames its viewer received. */
        long oneSession(LightViewer.Client client) throws Exception {
            String id = api.postJson("/api/sessions", "{}")
                    .expect(201)
                    .get("sessionId")
                    .asText();
            String path = "/api/sessions/" + id;
            try (LightViewer viewer = new LightViewer(client)) {
                String offer = viewer.offer(Duration.ofSeconds(10));
                JsonNode answer = api.postJson(
                                path + "/offer",
                                JSON.writeValueAsString(java.util.Map.of("sdp", offer, "type", "offer")))
                        .expect(200);
                viewer.accept(answer.get("sdp").asText(), Duration.ofSeconds(10));
                if (!viewer.awaitConnected(Duration.ofSeconds(10))) {
                    throw new IllegalStateException("session " + id + ": the viewer did not connect within 10 s");
                }
                api.postJson(path + "/demo", "").expect(202);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (viewer.frames() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                if (viewer.frames() == 0) {
                    throw new IllegalStateException("session " + id + ": no frame arrived within 10 s");
                }
                Thread.sleep((long) (seconds * 1000));
                long frames = viewer.frames();
                ApiClient.Reply deleted = api.delete(path);
                if (deleted.status() != 204) {
                    throw new IllegalStateException("DELETE " + path + ": " + deleted);
                }
                return frames;
            }
        }

        synchronized void checkpoint(int n) {
            // A DELETE is answered before the session's actors have closed its output: wait for them.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (liveOutputs.getAsInt() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            System.gc();
            ProcessMemory m = ProcessMemory.now();
            points.add(new long[] {n, m.rssKb(), m.nativeOutsideJvmKb(), m.mallocInUseKb()});
            System.out.printf(
                    Locale.ROOT,
                    "soak: %5d sessions  RSS %7.1f MB  outside JVM %7.1f MB  malloc in use %7.1f MB  heap %6.1f MB  failures %d  frames/session min %d  (%.0f s)%n",
                    n,
                    m.rssKb() / 1024.0,
                    m.nativeOutsideJvmKb() / 1024.0,
                    m.mallocInUseKb() / 1024.0,
                    m.heapUsedKb() / 1024.0,
                    failures.get(),
                    framesMin.get() == Long.MAX_VALUE ? 0 : framesMin.get(),
                    (System.nanoTime() - started) / 1e9);
        }

        void summary(double boundKbPerSession) {
            List<long[]> after = points.stream().filter(p -> p[0] >= warmup).toList();
            if (after.size() < 2) {
                System.out.println(
                        "soak: too few checkpoints after the warm-up of " + warmup + " sessions for a growth figure");
                return;
            }
            long[] xs = after.stream().mapToLong(p -> p[0]).toArray();
            double rssSlope =
                    ProcessMemory.slope(xs, after.stream().mapToLong(p -> p[1]).toArray(), xs.length);
            double outsideSlope =
                    ProcessMemory.slope(xs, after.stream().mapToLong(p -> p[2]).toArray(), xs.length);
            double mallocSlope =
                    ProcessMemory.slope(xs, after.stream().mapToLong(p -> p[3]).toArray(), xs.length);
            long[] first = after.get(0);
            long[] last = after.get(after.size() - 1);
            double boundMb = boundKbPerSession * (last[0] - first[0]) / 1024.0;
            double grownMb = (last[1] - first[1]) / 1024.0;
            boolean met = rssSlope <= boundKbPerSession && grownMb <= boundMb && failures.get() == 0;
            System.out.printf(
                    Locale.ROOT,
                    "soak: after the warm-up (%d → %d sessions): RSS %+.1f MB (%.1f KB/session by least squares),"
                            + " outside JVM %+.1f MB (%.1f KB/session), malloc in use %+.1f MB (%.1f KB/session); failures %d%n",
                    first[0],
                    last[0],
                    grownMb,
                    rssSlope,
                    (last[2] - first[2]) / 1024.0,
                    outsideSlope,
                    (last[3] - first[3]) / 1024.0,
                    mallocSlope,
                    failures.get());
            halves(points);
            System.out.printf(
                    Locale.ROOT,
                    "soak: target: RSS growth ≤ %.0f KB/session after warm-up (≤ %.1f MB over these %d sessions), no failure: %s%n",
                    boundKbPerSession,
                    boundMb,
                    last[0] - first[0],
                    met ? "MET" : "NOT MET");
        }
    }

    /**
     * Growth in the first and the second half of the run (from the first checkpoint at or after the
     * middle): a leak grows in both alike, memory that levels off grows in the first only.
     */
    private static void halves(List<long[]> points) {
        long[] start = points.get(0);
        long[] end = points.get(points.size() - 1);
        long[] mid = points.stream().filter(p -> p[0] >= end[0] / 2).findFirst().orElse(end);
        if (mid == start || mid == end) {
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "soak: first half (%d → %d sessions): RSS %+.1f MB (%.1f KB/session), outside JVM %+.1f MB, malloc in use %+.1f MB;"
                        + " second half (%d → %d): RSS %+.1f MB (%.1f KB/session), outside JVM %+.1f MB, malloc in use %+.1f MB%n",
                start[0],
                mid[0],
                (mid[1] - start[1]) / 1024.0,
                (mid[1] - start[1]) / (double) (mid[0] - start[0]),
                (mid[2] - start[2]) / 1024.0,
                (mid[3] - start[3]) / 1024.0,
                mid[0],
                end[0],
                (end[1] - mid[1]) / 1024.0,
                (end[1] - mid[1]) / (double) (end[0] - mid[0]),
                (end[2] - mid[2]) / 1024.0,
                (end[3] - mid[3]) / 1024.0);
    }
}
