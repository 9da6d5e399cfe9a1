package io.avpush.bench;

import static io.avpush.bench.StreamBench.FPS;
import static io.avpush.bench.StreamBench.HEIGHT;
import static io.avpush.bench.StreamBench.IDLE_LUMA;
import static io.avpush.bench.StreamBench.WIDTH;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.ThreadMXBean;
import io.avpush.session.Transport;
import io.avpush.testing.ApiClient;
import io.avpush.testing.InProcessNode;
import io.avpush.webrtc.TestViewer;
import io.avpush.webrtc.WebRtcTransports;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of {@link StreamBench}: a fresh node ({@link InProcessNode}, its pacer watched by a
 * {@link PacerProbe}, every session's output by a {@link TimedTransport}) with {@code n} sessions,
 * a {@link TestViewer} per session, and their {@link Feeders}; after every receiver shows content
 * and a warm-up, one measured window of {@code seconds}, then a few seconds of streaming alone.
 */
final class StreamRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    final int n;
    final int seconds;
    final int warmup;
    final byte[] body;
    final byte[] markerBody; // session 0 gets this instead of body when not null
    final int bodyBytes;
    final Map<String, Transport> outputs = new ConcurrentHashMap<>();
    final java.util.Set<Integer> receiverTids = ConcurrentHashMap.newKeySet();
    final Map<String, TimedTransport> timedOutputs = new ConcurrentHashMap<>();
    /** Made by the node's pacer wiring (see {@link #execute}). */
    PacerProbe probe;

    private Feeders feeders;

    /**
     * receivers=background: every receiver thread to SCHED_OTHER at nice 19. libwebrtc makes a
     * receiver's DecodingQueue, IncomingVideoStream and audio-module threads SCHED_FIFO 98 (as root),
     * above the server's encoders (49) and its pacer and actors (normal): the bench's own viewers
     * then take the server's CPU first, which viewers on other machines never do.
     */
    String background() throws IOException, InterruptedException {
        List<String> tids = new ArrayList<>();
        for (Map.Entry<Integer, String> e : births.entrySet()) {
            if (Threads.receiverThread(e.getKey(), births, receiverTids)) {
                tids.add(String.valueOf(e.getKey()));
            }
        }
        int failed = 0;
        for (String tid : tids) {
            Process chrt = new ProcessBuilder("chrt", "--other", "--pid", "0", tid)
                    .redirectErrorStream(true)
                    .start();
            chrt.getInputStream().readAllBytes();
            failed += chrt.waitFor() == 0 ? 0 : 1;
        }
        List<String> renice = new ArrayList<>(List.of("renice", "-n", "19", "-p"));
        renice.addAll(tids);
        Process p = new ProcessBuilder(renice).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        failed += p.waitFor() == 0 ? 0 : 1;
        return String.format(
                Locale.ROOT,
                "%d receiver threads set to SCHED_OTHER, nice 19%s",
                tids.size(),
                failed == 0 ? "" : " (" + failed + " chrt/renice calls failed)");
    }

    /** When each thread of the process was first seen (the phase of the run), to tell receivers' threads from the server's. */
    final Map<Integer, String> births = new ConcurrentHashMap<>();

    void noteBirths(String phase) {
        for (Integer tid : Threads.procThreadCpu().keySet()) {
            births.putIfAbsent(tid, phase);
        }
    }

    StreamRun(int n, int seconds, int warmup, byte[] body, byte[] markerBody, int bodyBytes) {
        this.n = n;
        this.seconds = seconds;
        this.warmup = warmup;
        this.body = body;
        this.markerBody = markerBody;
        this.bodyBytes = bodyBytes;
    }

    RunResult execute() throws Exception {
        RunResult r = new RunResult();
        r.n = n;
        r.label = (markerBody == null ? "N=" + n : "N=" + n + " (session 0 markers)")
                + (StreamBench.idleSource ? ", idle loops" : "");
        r.seconds = seconds;
        r.uploadMB = body.length / 1e6;
        r.loadStart = Machine.loadavg();
        InProcessNode node = InProcessNode.named("avpush")
                .config("pekko.loglevel = WARNING")
                .pacer((settings, real) -> probe =
                        new PacerProbe(real, settings.media().releaseAhead().toNanos()))
                .transports(engine -> new Timed(new WebRtcTransports(engine)))
                .start(Duration.ofSeconds(20));
        r.probe = probe;
        ApiClient api = new ApiClient(URI.create(node.baseUrl()), Duration.ofSeconds(60));
        feeders = new Feeders(api);
        List<TestViewer> receivers = new ArrayList<>();
        List<Thread> feederThreads = new ArrayList<>();
        try {
            r.heapBeforeMb = Machine.liveHeapMb();
            r.rssBeforeKb = Machine.rssKb();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                JsonNode created = api.postJson(
                                "/api/sessions",
                                "{\"fps\":" + FPS + ",\"width\":" + WIDTH + ",\"height\":" + HEIGHT + "}")
                        .expect(201);
                ids.add(created.get("sessionId").asText());
            }
            noteBirths("server");
            for (String id : ids) {
                java.util.Set<Integer> before = Threads.procThreadCpu().keySet();
                TestViewer v = TestViewer.create();
                receivers.add(v);
                for (Integer tid : Threads.procThreadCpu().keySet()) {
                    if (!before.contains(tid)) {
                        receiverTids.add(tid);
                    }
                }
                noteBirths("recv-create");
                String offer = v.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
                noteBirths("recv-offer");
                JsonNode answer = api.postJson(
                                "/api/sessions/" + id + "/offer",
                                JSON.writeValueAsString(Map.of("sdp", offer, "type", "offer")))
                        .expect(200);
                noteBirths("server-answer");
                v.acceptAnswer(answer.get("sdp").asText());
                noteBirths("recv-accept");
            }
            for (TestViewer v : receivers) {
                if (!v.awaitConnected(Duration.ofSeconds(15))) {
                    throw new IllegalStateException(
                            "a receiver did not connect within 15 s (run inside scripts/in-netns.sh?)");
                }
            }
            Thread.sleep(1000); // idle frames flow
            noteBirths("connected");
            if (StreamBench.receiversInBackground) {
                r.receiverPriority = background();
            }

            long[] first202 = new long[n];
            for (int i = 0; i < n; i++) {
                int session = i;
                String path = "/api/sessions/" + ids.get(i);
                byte[] mine = markerBody != null && i == 0 ? markerBody : body;
                TimedTransport timed = timedOutputs.get(ids.get(i));
                if (StreamBench.idleSource) {
                    feeders.setIdleLoop(session, path, mine, first202, timed);
                    continue;
                }
                Thread feeder =
                        new Thread(() -> feeders.feed(session, path, mine, first202, timed), "bench-feeder-" + i);
                feeder.setDaemon(true);
                feederThreads.add(feeder);
                feeder.start();
            }
            if (StreamBench.traceFirst) {
                Thread tracer = new Thread(
                        () -> {
                            try {
                                FirstFrameTrace.run(
                                        outputs.get(ids.get(0)), timedOutputs.get(ids.get(0)), receivers.get(0));
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "bench-tracer");
                tracer.setDaemon(true);
                tracer.start();
            }
            // First content frame per receiver after its first 202.
            double[] firstFrameMs = new double[n];
            Arrays.fill(firstFrameMs, Double.NaN);
            long deadline = System.nanoTime() + 60_000_000_000L;
            int found = 0;
            while (found < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
                found = 0;
                for (int i = 0; i < n; i++) {
                    if (!Double.isNaN(firstFrameMs[i])) {
                        found++;
                        continue;
                    }
                    long t202;
                    synchronized (first202) {
                        t202 = first202[i];
                    }
                    if (t202 == 0) {
                        continue;
                    }
                    for (TestViewer.FrameArrival f : receivers.get(i).frames()) {
                        if (f.arrivalNanos() > t202 && Math.abs(f.meanLuma() - IDLE_LUMA) > 12) {
                            firstFrameMs[i] = (f.arrivalNanos() - t202) / 1e6;
                            found++;
                            break;
                        }
                    }
                }
            }
            r.firstFrameMs = firstFrameMs;
            r.firstPushMs = new double[n];
            for (int i = 0; i < n; i++) {
                TimedTransport timed = timedOutputs.get(ids.get(i));
                r.firstPushMs[i] = timed == null || timed.firstContentPushNs == 0 || first202[i] == 0
                        ? Double.NaN
                        : (timed.firstContentPushNs - first202[i]) / 1e6;
            }
            Thread.sleep(warmup * 1000L);

            // ---- window start
            Snapshot a = Snapshot.take(api, ids, receivers, outputs);
            Machine.Gc.measuring = true;
            probe.measuring(true);
            Machine.Gc.maxPauseMs = 0;
            Machine.Gc.maxPauseWhat = "";
            // Threads that end inside the window take their CPU with them: sample every 250 ms, keep the last value.
            Map<Integer, ThreadCpu> lastSeen = new ConcurrentHashMap<>(a.threadCpu);
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = new Thread(
                    () -> {
                        while (sampling.get()) {
                            lastSeen.putAll(Threads.procThreadCpu());
                            try {
                                Thread.sleep(250);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "bench-sampler");
            sampler.setDaemon(true);
            sampler.start();
            Thread.sleep(seconds * 1000L);
            Machine.Gc.measuring = false;
            probe.measuring(false);
            Snapshot b = Snapshot.take(api, ids, receivers, outputs);
            sampling.set(false);
            sampler.join(1000);
            for (Map.Entry<Integer, ThreadCpu> e : lastSeen.entrySet()) {
                b.threadCpu.putIfAbsent(e.getKey(), e.getValue());
            }
            // ---- window end
            r.loadEnd = Machine.loadavg();
            r.rssAfterKb = Machine.rssKb();
            r.heapAfterMb = Machine.liveHeapMb();
            r.births = births;
            r.fill(a, b, feeders.uploads, receivers, markerBody != null, receiverTids);
            r.pushPath = measurePushPath(3);
        } finally {
            feeders.feeding.set(false);
            for (Thread f : feederThreads) {
                f.join(10_000);
            }
            for (TestViewer v : receivers) {
                v.close();
            }
            node.close();
        }
        return r;
    }

    /** Pauses the feeders, waits for uploads in flight, then measures allocation while every session streams. */
    StreamingOnlyWindow measurePushPath(int seconds) throws InterruptedException {
        feeders.feedPaused.set(true);
        Thread.sleep(300);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (feeders.uploadsInFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(1000); // the last upload's decode and reply finish
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] tids = threads.getAllThreadIds();
        long[] before = threads.getThreadAllocatedBytes(tids);
        Map<Integer, ThreadCpu> cpu0 = Threads.procThreadCpu();
        long frames0 = timedOutputs.values().stream().mapToLong(t -> t.frames).sum();
        long chunks0 = timedOutputs.values().stream().mapToLong(t -> t.chunks).sum();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long[] after = threads.getThreadAllocatedBytes(tids);
        Map<Integer, ThreadCpu> cpu1 = Threads.procThreadCpu();
        long frames = timedOutputs.values().stream().mapToLong(t -> t.frames).sum() - frames0;
        long chunks = timedOutputs.values().stream().mapToLong(t -> t.chunks).sum() - chunks0;
        double windowS = (System.nanoTime() - t0) / 1e9;
        java.lang.management.ThreadInfo[] infos = threads.getThreadInfo(tids);
        long pacer = 0;
        long pekko = 0;
        long all = 0;
        Map<String, Long> byGroup = new TreeMap<>();
        for (int i = 0; i < tids.length; i++) {
            if (before[i] < 0 || after[i] < 0 || infos[i] == null) {
                continue;
            }
            long bytes = after[i] - before[i];
            String group = Threads.category(infos[i].getThreadName());
            byGroup.merge(group, bytes, Long::sum);
            all += bytes;
            if (group.equals("pacer")) {
                pacer += bytes;
            } else if (group.equals("pekko")) {
                pekko += bytes;
            }
        }
        Map<String, Double> cpuByGroup = new TreeMap<>();
        for (Map.Entry<Integer, ThreadCpu> e : cpu1.entrySet()) {
            long ticks = e.getValue().ticksSince(cpu0.get(e.getKey()));
            String cat =
                    Threads.category(e.getValue().comm(), Threads.receiverThread(e.getKey(), births, receiverTids));
            cpuByGroup.merge(cat, ticks / 100.0 / (n * windowS), Double::sum);
        }
        feeders.feedPaused.set(false);
        return new StreamingOnlyWindow(windowS, frames, chunks, pacer, pekko, all, byGroup, cpuByGroup);
    }

    /** The node's WebRTC transports, each session's wrapped in a {@link TimedTransport} and kept by id. */
    private final class Timed implements Transport.Factory {
        private final WebRtcTransports real;

        Timed(WebRtcTransports real) {
            this.real = real;
        }

        @Override
        public Transport create(String id) {
            Transport o = real.create(id);
            outputs.put(id, o);
            TimedTransport timed = new TimedTransport(o, probe);
            timedOutputs.put(id, timed);
            return timed;
        }

        @Override
        public io.avpush.media.FrameConverter frameConverter() {
            return real.frameConverter();
        }
    }
}
