package io.avpush.webrtc;

import io.avpush.bench.ProcessMemory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How much native memory a session leaves behind at the WebRTC layer: cycles of create output →
 * connect a {@link LightViewer} → stream → close viewer and output, RSS sampled every few cycles,
 * growth per cycle by least squares after a warm-up. Compares the teardown variants of
 * README "Reliability" (run inside scripts/in-netns.sh):
 *
 * <pre>
 *   java ... -Davpush.webrtc.release-native-refs=true|false io.avpush.webrtc.NativeMemoryBench
 *       cycles=200 seconds=2 warmup=20 trim=on|off engine=node|session
 * </pre>
 */
public final class NativeMemoryBench {
    public static void main(String[] args) throws Exception {
        int cycles = 200;
        double seconds = 2;
        int warmup = 20;
        int every = 10;
        boolean trim = false;
        boolean enginePerSession = false;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "cycles" -> cycles = Integer.parseInt(kv[1]);
                case "seconds" -> seconds = Double.parseDouble(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "every" -> every = Integer.parseInt(kv[1]);
                case "trim" -> trim = kv[1].equals("on");
                case "engine" -> enginePerSession = kv[1].equals("session");
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "native-memory: cycles=%d seconds=%.1f warmup=%d trim=%s engine=%s release-native-refs=%s MALLOC_ARENA_MAX=%s%n",
                cycles,
                seconds,
                warmup,
                trim,
                enginePerSession ? "session" : "node",
                NativeRefs.ENABLED,
                System.getenv("MALLOC_ARENA_MAX"));
        List<Long> xs = new ArrayList<>();
        List<Long> rss = new ArrayList<>();
        List<Long> outside = new ArrayList<>();
        long framesMin = Long.MAX_VALUE;
        WebRtcEngine nodeEngine = enginePerSession ? null : WebRtcEngine.start(List.of());
        try (LightViewer.Client client = new LightViewer.Client()) {
            for (int i = 1; i <= cycles; i++) {
                WebRtcEngine engine = enginePerSession ? WebRtcEngine.start(List.of()) : nodeEngine;
                long frames;
                try (SessionMedia output = engine.createMedia("s" + i);
                        LightViewer viewer = new LightViewer(client)) {
                    String offer = viewer.offer(Duration.ofSeconds(10));
                    Viewer v = output.connect("v" + i, offer, (id, s) -> {})
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS);
                    viewer.accept(v.answerSdp(), Duration.ofSeconds(10));
                    if (!viewer.awaitConnected(Duration.ofSeconds(10))) {
                        throw new IllegalStateException("cycle " + i + ": the viewer did not connect");
                    }
                    try (MarkerPushLoop pushLoop = new MarkerPushLoop(output, 30, (long) (seconds * 1e9)).start()) {
                        pushLoop.join();
                    }
                    frames = viewer.frames();
                }
                if (enginePerSession) {
                    engine.close();
                }
                framesMin = Math.min(framesMin, frames);
                if (trim) {
                    NativeRefs.trimHeap();
                }
                if (i % every == 0) {
                    System.gc();
                    ProcessMemory m = ProcessMemory.now();
                    System.out.printf(
                            Locale.ROOT,
                            "cycle %4d: RSS %7.1f MB, outside JVM %7.1f MB, heap %6.1f MB, frames received (min) %d%n",
                            i,
                            m.rssKb() / 1024.0,
                            m.nativeOutsideJvmKb() / 1024.0,
                            m.heapUsedKb() / 1024.0,
                            framesMin);
                    if (i > warmup) {
                        xs.add((long) i);
                        rss.add(m.rssKb());
                        outside.add(m.nativeOutsideJvmKb());
                    }
                }
            }
        } finally {
            if (nodeEngine != null) {
                nodeEngine.close();
            }
        }
        System.out.printf(
                Locale.ROOT,
                "native-memory: growth per session after warm-up: RSS %.1f KB, outside JVM %.1f KB (%d samples)%n",
                slope(xs, rss),
                slope(xs, outside),
                xs.size());
    }

    private static double slope(List<Long> x, List<Long> y) {
        int n = x.size();
        double mx = x.stream().mapToLong(Long::longValue).average().orElse(0);
        double my = y.stream().mapToLong(Long::longValue).average().orElse(0);
        double num = 0;
        double den = 0;
        for (int i = 0; i < n; i++) {
            num += (x.get(i) - mx) * (y.get(i) - my);
            den += (x.get(i) - mx) * (x.get(i) - mx);
        }
        return den == 0 ? 0 : num / den;
    }
}
