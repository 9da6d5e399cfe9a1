package io.avpush.bench;

import static io.avpush.bench.StreamBench.HEIGHT;
import static io.avpush.bench.StreamBench.WIDTH;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What {@link StreamBench} prints: each run's figures as it ends, then the markdown tables of all runs. */
final class RunReport {

    static void print(RunResult r) {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "=== %s: window %.1f s (%.0f stream-seconds); load %s -> %s%n",
                r.label,
                r.windowS,
                r.streamSeconds,
                r.loadStart,
                r.loadEnd);
        System.out.printf(
                Locale.ROOT,
                "  machine: %.2f of %d cores busy in the window: this process %.2f, other processes %.2f; %s%n",
                r.machineBusyCores,
                Runtime.getRuntime().availableProcessors(),
                r.processCores,
                r.othersCores,
                r.receiverPriority);
        System.out.printf(
                Locale.ROOT,
                "  CPU s per stream-second: process %.3f, server estimate %.3f (process minus receivers and bench client) | %s%n",
                r.cpuProcess,
                r.serverEstimate(),
                categories(r));
        // Per frame pushed: less dependent on load than per stream-second (a starved process pushes fewer
        // frames and takes fewer uploads, so it also spends less CPU per second).
        System.out.printf(
                Locale.ROOT,
                "  CPU ms per frame pushed: process %.2f, server estimate %.2f, encoder threads %.2f "
                        + "(server / encoder %.2f)%n",
                1000 * r.cpuProcess / r.pushedFps,
                1000 * r.serverEstimate() / r.pushedFps,
                1000 * r.cpuByCategory.getOrDefault("encoder", 0.0) / r.pushedFps,
                r.serverEstimate() / r.cpuByCategory.getOrDefault("encoder", Double.NaN));
        System.out.printf(
                Locale.ROOT,
                "  top thread names (CPU s per stream-second): %s%n",
                topThreads(r, StreamBench.topThreadCount));
        System.out.printf(
                Locale.ROOT,
                "  context switches (wake-ups + preemptions) per stream-second by thread group: %s%n",
                Figures.groups0(r.switchesByCategory));
        if (StreamBench.threadsDetail) {
            System.out.println(
                    "  threads by when they were born (server = before any receiver; recv-create/-offer/-accept = during a "
                            + "receiver's set-up; server-answer = during the server's answer; connected/window = later) and name: "
                            + "threads, CPU s per stream-second");
            r.cpuByBirth.entrySet().stream()
                    .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                    .filter(e -> e.getValue() > 0)
                    .forEach(e -> System.out.printf(
                            Locale.ROOT,
                            "    %-45s %3d  %.4f  (%.0f context switches per stream-second)%n",
                            e.getKey(),
                            r.threadsByBirth.get(e.getKey()),
                            e.getValue(),
                            r.switchesByBirth.getOrDefault(e.getKey(), 0.0)));
        }
        System.out.printf(
                Locale.ROOT,
                "  video per stream: pushed %.1f/s, encoded %.1f/s, sent %.1f/s, received %.1f/s "
                        + "(slowest receiver %.1f/s), sender %.0f kbit/s (audio+video), qualityLimitationReason %s%n",
                r.pushedFps,
                r.encodedFps,
                r.sentFps,
                r.receivedFps,
                r.minReceivedFps,
                r.videoKbps,
                r.qualityLimitation);
        System.out.printf(Locale.ROOT, "  received frame sizes in window (frames): %s%n", r.resolutions);
        System.out.printf(
                Locale.ROOT,
                "  pacing lateness ms (worst session, last 1024 pushes): frames p50 %.3f p99 %.3f max %.3f"
                        + " | audio p50 %.3f p99 %.3f max %.3f | re-anchors %d%n",
                r.frameLate[0],
                r.frameLate[1],
                r.frameLate[2],
                r.audioLate[0],
                r.audioLate[1],
                r.audioLate[2],
                r.reanchors);
        if (r.probe != null) {
            r.probe.print();
        }
        double[] ff = Arrays.stream(r.firstFrameMs)
                .filter(d -> !Double.isNaN(d))
                .sorted()
                .toArray();
        double[] fp = Arrays.stream(r.firstPushMs)
                .filter(d -> !Double.isNaN(d))
                .sorted()
                .toArray();
        String accepted = StreamBench.idleSource ? "the idle loop's 200" : "202";
        System.out.printf(
                Locale.ROOT,
                "  first content frame after %s ms: received p50 %.0f p95 %.0f (%d of %d sessions); "
                        + "pushed p50 %.0f p95 %.0f (%s -> next tick + release-ahead + video-delay); push -> received p50 %.0f%n",
                accepted,
                Figures.percentile(ff, 50),
                Figures.percentile(ff, 95),
                ff.length,
                r.n,
                Figures.percentile(fp, 50),
                Figures.percentile(fp, 95),
                accepted,
                Figures.percentile(ff, 50) - Figures.percentile(fp, 50));
        System.out.printf(
                Locale.ROOT,
                "  idle (neutral) frames received in window: %d (queue starved if > 0)%n",
                r.idleFramesInWindow);
        System.out.printf(
                Locale.ROOT,
                "  allocation %.1f MB/s per stream; GC pauses in window: %d, %d ms total, max pause %.1f ms (%s)%n",
                r.allocMBps,
                r.gcCount,
                r.gcMs,
                r.gcMaxPauseMs,
                r.gcMaxPauseWhat);
        System.out.printf(
                Locale.ROOT, "  allocation by thread group, MB/s per stream: %s%n", Figures.groups(r.allocByGroup));
        if (r.pushPath != null) {
            System.out.printf(
                    Locale.ROOT,
                    "  push path alone (%.1f s, uploads paused): %d frames + %d chunks pushed; allocated per frame pushed: "
                            + "pacer thread %.0f B, pekko threads %.0f B (ticks, release, push messages, status none), all JVM threads %.0f B "
                            + "(an I420 frame is %d B); %s%n",
                    r.pushPath.seconds(),
                    r.pushPath.frames(),
                    r.pushPath.chunks(),
                    r.pushPath.pacerBytes() / (double) r.pushPath.frames(),
                    r.pushPath.pekkoBytes() / (double) r.pushPath.frames(),
                    r.pushPath.allBytes() / (double) r.pushPath.frames(),
                    WIDTH * HEIGHT * 3 / 2,
                    Figures.groups(r.pushPath.bytesPerFrameByGroup()));
            System.out.printf(
                    Locale.ROOT,
                    "  streaming only (same window), CPU s per stream-second: server %.3f = %.2f x the encoder "
                            + "threads' %.3f | %s (10 ms ticks: coarse for few sessions)%n",
                    r.pushPath.serverCpu(),
                    r.pushPath.serverCpu() / r.pushPath.cpuByGroup().getOrDefault("encoder", Double.NaN),
                    r.pushPath.cpuByGroup().getOrDefault("encoder", 0.0),
                    Figures.groups3(r.pushPath.cpuByGroup()));
        }
        System.out.printf(
                Locale.ROOT,
                "  live Java heap after full GC: %d MB before sessions, %d MB at end: %.1f MB per session%n",
                r.heapBeforeMb,
                r.heapAfterMb,
                (r.heapAfterMb - r.heapBeforeMb) / (double) r.n);
        System.out.printf(
                Locale.ROOT,
                "  RSS (anonymous) %d MB before sessions, %d MB at end: %.1f MB per session%n",
                r.rssBeforeKb / 1024,
                r.rssAfterKb / 1024,
                (r.rssAfterKb - r.rssBeforeKb) / 1024.0 / r.n);
        if (StreamBench.idleSource) {
            System.out.printf(
                    Locale.ROOT,
                    "  no upload in the window: every session streams its idle loop (2 s, %.1f MB form, set once)%n",
                    r.uploads());
        } else {
            System.out.printf(
                    Locale.ROOT,
                    "  uploads accepted (202) in window: %d of 2 s (%.1f MB each): POST->202 p50 %.0f ms, max %.0f ms, "
                            + "%.0f MB/s per upload (p50); all sessions together ingested %.1f MB/s%n",
                    r.uploadsInWindow,
                    r.uploads(),
                    r.uploadMsP50,
                    r.uploadMsMax,
                    r.uploadMBpsP50,
                    r.ingestMBps);
        }
        if (!r.avOffsetsMs.isEmpty() || r.markerFlashes > 0) {
            double[] off = r.avOffsetsMs.stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            double maxAbs = Arrays.stream(off).map(Math::abs).max().orElse(Double.NaN);
            System.out.printf(
                    Locale.ROOT,
                    "  A/V markers at receiver of session 0: %d flashes, %d beeps, %d paired; "
                            + "beep - flash ms p50 %.1f, max |offset| %.1f, in time order %s%n",
                    r.markerFlashes,
                    r.markerBeeps,
                    off.length,
                    Figures.percentile(off, 50),
                    maxAbs,
                    Figures.round(r.avOffsetsMs.stream()
                            .mapToDouble(Double::doubleValue)
                            .toArray()));
            System.out.printf(
                    Locale.ROOT, "  receiver of session 0, inbound-rtp since connect: %s%n", r.receiverBuffers);
        }
    }

    static void printMarkdown(List<RunResult> results, List<RunResult> markerRuns, int seconds) {
        System.out.println();
        System.out.println("### avpush StreamBench (512x512, 30 fps, " + seconds + " s window per run, "
                + (StreamBench.idleSource
                        ? "source=idle: idle loops, no uploads"
                        : "source=upload: 2 s segments uploaded continuously")
                + ")");
        System.out.println();
        System.out.println(
                "CPU seconds per stream-second (1.0 = one core per stream). Receivers and the upload client run in the");
        System.out.println(
                "same JVM; 'server est.' = process minus receiver decoder/factory threads and bench client. Thread groups");
        System.out.println(
                "by /proc/self/task name: encoder = EncoderQueue+AudioEncoder, decoder = DecodingQueue+IncomingVideoStream,");
        System.out.println(
                "recv factory = the receivers' other threads (born while a receiver was set up: its factory's worker/network/");
        System.out.println(
                "signaling threads and its audio module's playout thread, which decodes the audio), other = server libwebrtc");
        System.out.println("worker/network/audio-module threads, Pekko scheduler, misc.");
        System.out.println();
        System.out.println(
                "| sessions | process | server est. | encoder thr | decoder thr (recv) | recv factory thr | pacer | pekko | upload decode | bench client | GC thr | JIT thr | other | cores busy: this JVM / other processes | load avg (start -> end) |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        for (RunResult r : results) {
            Map<String, Double> c = r.cpuByCategory;
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f / %.2f | %s -> %s |%n",
                    r.n,
                    r.cpuProcess,
                    r.serverEstimate(),
                    c.getOrDefault("encoder", 0.0),
                    c.getOrDefault("decoder(recv)", 0.0),
                    c.getOrDefault("receiver-factory", 0.0),
                    c.getOrDefault("pacer", 0.0),
                    c.getOrDefault("pekko", 0.0),
                    c.getOrDefault("decode-dispatcher", 0.0),
                    c.getOrDefault("bench-client", 0.0),
                    c.getOrDefault("gc", 0.0),
                    c.getOrDefault("jit", 0.0),
                    c.getOrDefault("other", 0.0),
                    r.processCores,
                    r.othersCores,
                    r.loadStart,
                    r.loadEnd);
        }
        System.out.println();
        System.out.println(
                "| sessions | frames/s pushed / encoded / sent / received (per stream) | quality limit (received sizes) | frame push late ms p50/p99/max | audio push late ms p50/p99/max | first frame ms p50/p95 (pushed p50) | idle frames | alloc MB/s per stream | push path B/frame pacer / pekko / all | GC max pause ms | RSS MB per session (off-heap) | live heap MB per session | upload 47 MB POST->202 ms p50 (MB/s) |");
        System.out.println("|---:|---|---|---|---|---|---:|---:|---|---:|---:|---:|---|");
        for (RunResult r : results) {
            double[] ff = Arrays.stream(r.firstFrameMs)
                    .filter(d -> !Double.isNaN(d))
                    .sorted()
                    .toArray();
            double[] fp = Arrays.stream(r.firstPushMs)
                    .filter(d -> !Double.isNaN(d))
                    .sorted()
                    .toArray();
            StreamingOnlyWindow pp = r.pushPath;
            String pushPath = pp == null || pp.frames() == 0
                    ? "-"
                    : String.format(
                            Locale.ROOT,
                            "%.0f / %.0f / %.0f",
                            pp.pacerBytes() / (double) pp.frames(),
                            pp.pekkoBytes() / (double) pp.frames(),
                            pp.allBytes() / (double) pp.frames());
            System.out.printf(
                    Locale.ROOT,
                    "| %d | %.1f / %.1f / %.1f / %.1f | %s %s | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.0f / %.0f (%.0f) | %d | %.1f | %s | %.1f | %.1f | %.1f | %.0f (%.0f) |%n",
                    r.n,
                    r.pushedFps,
                    r.encodedFps,
                    r.sentFps,
                    r.receivedFps,
                    r.qualityLimitation,
                    r.resolutions.keySet(),
                    r.frameLate[0],
                    r.frameLate[1],
                    r.frameLate[2],
                    r.audioLate[0],
                    r.audioLate[1],
                    r.audioLate[2],
                    Figures.percentile(ff, 50),
                    Figures.percentile(ff, 95),
                    Figures.percentile(fp, 50),
                    r.idleFramesInWindow,
                    r.allocMBps,
                    pushPath,
                    r.gcMaxPauseMs,
                    (r.rssAfterKb - r.rssBeforeKb) / 1024.0 / r.n,
                    (r.heapAfterMb - r.heapBeforeMb) / (double) r.n,
                    r.uploadMsP50,
                    r.uploadMBpsP50);
        }
        if (!markerRuns.isEmpty()) {
            System.out.println();
            System.out.println(
                    "A/V marker offset at the receiver of session 0 (beep onset - flash frame arrival; positive = audio later):");
        }
        for (RunResult markerRun : markerRuns) {
            double[] off = markerRun.avOffsetsMs.stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            System.out.printf(
                    Locale.ROOT,
                    "- %s, %.0f s: %d pairs, p50 %.1f ms, " + "max |offset| %.1f ms; load %s -> %s%n",
                    markerRun.label,
                    markerRun.windowS,
                    off.length,
                    Figures.percentile(off, 50),
                    Arrays.stream(off).map(Math::abs).max().orElse(Double.NaN),
                    markerRun.loadStart,
                    markerRun.loadEnd);
        }
    }

    static String categories(RunResult r) {
        StringBuilder sb = new StringBuilder();
        for (String k : List.of(
                "encoder",
                "decoder(recv)",
                "receiver-factory",
                "pacer",
                "pekko",
                "decode-dispatcher",
                "bench-client",
                "gc",
                "jit",
                "other")) {
            sb.append(String.format(Locale.ROOT, "%s %.3f  ", k, r.cpuByCategory.getOrDefault(k, 0.0)));
        }
        return sb.toString().trim();
    }

    static String topThreads(RunResult r, int count) {
        return r.cpuByThreadName.entrySet().stream()
                .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                .limit(count)
                .map(e -> String.format(Locale.ROOT, "%s=%.3f", e.getKey(), e.getValue()))
                .reduce((x, y) -> x + ", " + y)
                .orElse("");
    }

    private RunReport() {}
}
