package io.avpush.bench;

import static io.avpush.bench.StreamBench.FPS;
import static io.avpush.bench.StreamBench.IDLE_LUMA;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.webrtc.TestViewer;
import io.avpush.webrtc.ViewerStats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The figures of one {@link StreamRun}, computed from the snapshots at the two edges of its window. */
final class RunResult {
    int n;
    String label;
    int seconds;
    String loadStart;
    String loadEnd;
    long rssBeforeKb;
    long rssAfterKb;
    double windowS;
    double streamSeconds;
    double cpuProcess;
    double machineBusyCores;
    double processCores;
    double othersCores;
    Map<String, Double> cpuByCategory = new TreeMap<>();
    Map<String, Double> cpuByThreadName = new HashMap<>();
    Map<Integer, String> births = Map.of();
    /** CPU per stream-second by "phase when the thread was born: thread name" (threads-detail=true). */
    Map<String, Double> cpuByBirth = new TreeMap<>();

    Map<String, Integer> threadsByBirth = new TreeMap<>();
    String receiverPriority = "receivers at libwebrtc's priorities (decoders SCHED_FIFO 98 when root)";
    Map<String, Double> switchesByCategory = new TreeMap<>();
    Map<String, Double> switchesByBirth = new TreeMap<>();
    double[] firstFrameMs;
    double[] firstPushMs;
    double pushedFps;
    double encodedFps = Double.NaN;
    double sentFps = Double.NaN;
    double receivedFps;
    double minReceivedFps;
    double videoKbps = Double.NaN;
    String qualityLimitation = "?";
    Map<String, Integer> resolutions = new TreeMap<>();
    double[] frameLate = new double[3];
    double[] audioLate = new double[3];
    double allocMBps;
    Map<String, Double> allocByGroup = new TreeMap<>();
    StreamingOnlyWindow pushPath;
    PacerProbe probe;
    double gcMaxPauseMs;
    String gcMaxPauseWhat;
    long heapBeforeMb;
    long heapAfterMb;
    long gcCount;
    long gcMs;
    int uploadsInWindow;
    double uploadMB;
    double uploadMsP50;
    double uploadMsMax;
    double uploadMBpsP50;
    double ingestMBps;
    long idleFramesInWindow;
    long reanchors;
    List<Double> avOffsetsMs = new ArrayList<>();
    int markerFlashes;
    String receiverBuffers = "";
    int markerBeeps;

    void fill(
            Snapshot a,
            Snapshot b,
            List<Feeders.Upload> uploads,
            List<TestViewer> receivers,
            boolean markers,
            java.util.Set<Integer> receiverTids) {
        windowS = (b.wallNs - a.wallNs) / 1e9;
        streamSeconds = n * windowS;
        cpuProcess = (b.processCpuNs - a.processCpuNs) / 1e9 / streamSeconds;
        double totalJiffies = b.machine[1] - a.machine[1];
        int cores = Runtime.getRuntime().availableProcessors();
        machineBusyCores = totalJiffies <= 0 ? Double.NaN : (b.machine[0] - a.machine[0]) / totalJiffies * cores;
        processCores = (b.processCpuNs - a.processCpuNs) / 1e9 / windowS;
        othersCores = machineBusyCores - processCores;
        double tick = 100.0; // USER_HZ; checked by scripts/bench.sh (getconf CLK_TCK)
        for (Map.Entry<Integer, ThreadCpu> e : b.threadCpu.entrySet()) {
            ThreadCpu before = a.threadCpu.get(e.getKey());
            long ticks = e.getValue().ticksSince(before);
            double perStreamS = ticks / tick / streamSeconds;
            String name = e.getValue().comm();
            if (System.getenv("BENCH_DEBUG_THREAD") != null && name.startsWith(System.getenv("BENCH_DEBUG_THREAD"))) {
                System.out.printf(
                        "  debug tid %d %s ticks %s -> %d%n",
                        e.getKey(),
                        name,
                        before == null ? "new" : before.ticks(),
                        e.getValue().ticks());
            }
            String cat = Threads.category(name, Threads.receiverThread(e.getKey(), births, receiverTids));
            cpuByCategory.merge(cat, perStreamS, Double::sum);
            Long switchesAfter = b.switches.get(e.getKey());
            if (switchesAfter != null) {
                double perS = (switchesAfter - a.switches.getOrDefault(e.getKey(), 0L)) / streamSeconds;
                switchesByCategory.merge(cat, perS, Double::sum);
                switchesByBirth.merge(
                        births.getOrDefault(e.getKey(), "window") + ": " + name.replaceAll("[0-9]+", "#"),
                        perS,
                        Double::sum);
            }
            cpuByThreadName.merge(name.replaceAll("[0-9]+", "#"), perStreamS, Double::sum);
            String birthKey = births.getOrDefault(e.getKey(), "window") + ": " + name.replaceAll("[0-9]+", "#");
            cpuByBirth.merge(birthKey, perStreamS, Double::sum);
            threadsByBirth.merge(birthKey, 1, Integer::sum);
        }
        long alloc = 0;
        for (Map.Entry<Long, Long> e : b.allocated.entrySet()) {
            long bytes = e.getValue() - a.allocated.getOrDefault(e.getKey(), 0L);
            alloc += bytes;
            allocByGroup.merge(
                    Threads.category(b.threadNames.getOrDefault(e.getKey(), "?")),
                    bytes / 1e6 / streamSeconds,
                    Double::sum);
        }
        allocMBps = alloc / 1e6 / streamSeconds;
        gcMaxPauseMs = Machine.Gc.maxPauseMs;
        gcMaxPauseWhat = Machine.Gc.maxPauseWhat;
        gcCount = b.gcCount - a.gcCount;
        gcMs = b.gcMs - a.gcMs;

        double pushed = 0;
        double encoded = 0;
        double sent = 0;
        double bytes = 0;
        boolean stats = true;
        double received = 0;
        double statusSeconds = 0; // summed over sessions: each session's own interval between its two readings
        double statsSeconds = 0;
        minReceivedFps = Double.MAX_VALUE;
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            JsonNode pa = a.status.get(i).get("pushed");
            JsonNode pb = b.status.get(i).get("pushed");
            pushed += pb.get("framesPushed").asLong() - pa.get("framesPushed").asLong();
            double sessionS = (b.statusNs.get(i) - a.statusNs.get(i)) / 1e9;
            statusSeconds += sessionS;
            statsSeconds += (b.statsNs.get(i) - a.statsNs.get(i)) / 1e9;
            ViewerStats va = a.viewerStats.get(i);
            ViewerStats vb = b.viewerStats.get(i);
            if (va == null || vb == null) {
                stats = false;
            } else {
                encoded += vb.framesEncoded() - va.framesEncoded();
                sent += vb.framesSent() - va.framesSent();
                bytes += vb.bytesSent() - va.bytesSent();
                if (!reasons.contains(vb.qualityLimitationReason())) {
                    reasons.add(vb.qualityLimitationReason());
                }
            }
            for (TestViewer.FrameArrival f : receivers.get(i).frames()) {
                if (f.arrivalNanos() >= a.wallNs && f.arrivalNanos() < b.wallNs) {
                    resolutions.merge(f.width() + "x" + f.height(), 1, Integer::sum);
                }
            }
            double recv = b.received.get(i) - a.received.get(i);
            received += recv;
            minReceivedFps = Math.min(minReceivedFps, recv / sessionS);
            frameLate[0] = Math.max(frameLate[0], pb.get("frameLatenessP50Ms").asDouble());
            frameLate[1] = Math.max(frameLate[1], pb.get("frameLatenessP99Ms").asDouble());
            frameLate[2] = Math.max(frameLate[2], pb.get("frameLatenessMaxMs").asDouble());
            audioLate[0] = Math.max(audioLate[0], pb.get("audioLatenessP50Ms").asDouble());
            audioLate[1] = Math.max(audioLate[1], pb.get("audioLatenessP99Ms").asDouble());
            audioLate[2] = Math.max(audioLate[2], pb.get("audioLatenessMaxMs").asDouble());
            reanchors += b.status.get(i).get("reanchors").asLong()
                    - a.status.get(i).get("reanchors").asLong();
            if (!(markers && i == 0)) {
                for (TestViewer.FrameArrival f : receivers.get(i).frames()) {
                    if (f.arrivalNanos() >= a.wallNs
                            && f.arrivalNanos() < b.wallNs
                            && Math.abs(f.meanLuma() - IDLE_LUMA) <= 12) {
                        idleFramesInWindow++;
                    }
                }
            }
        }
        pushedFps = pushed / statusSeconds;
        receivedFps = received / statusSeconds;
        if (stats) {
            encodedFps = encoded / statsSeconds;
            sentFps = sent / statsSeconds;
            videoKbps = bytes * 8 / 1000 / statsSeconds;
            qualityLimitation = String.join("/", reasons);
        }

        List<Feeders.Upload> inWindow = uploads.stream()
                .filter(u -> u.status() == 202 && u.acceptedNs() >= a.wallNs && u.acceptedNs() < b.wallNs)
                .toList();
        uploadsInWindow = inWindow.size();
        double[] ms = inWindow.stream().mapToDouble(Feeders.Upload::ms).sorted().toArray();
        double[] mbps = inWindow.stream()
                .mapToDouble(u -> u.bytes() / 1e6 / (u.ms() / 1e3))
                .sorted()
                .toArray();
        uploadMsP50 = Figures.percentile(ms, 50);
        uploadMsMax = ms.length == 0 ? Double.NaN : ms[ms.length - 1];
        uploadMBpsP50 = Figures.percentile(mbps, 50);
        ingestMBps = inWindow.stream().mapToDouble(Feeders.Upload::bytes).sum() / 1e6 / windowS;

        if (markers) {
            TestViewer v = receivers.get(0);
            try {
                receiverBuffers = Figures.jitter("audio", v.inbound("audio")) + "; "
                        + Figures.jitter("video", v.inbound("video"));
            } catch (RuntimeException e) {
                receiverBuffers = "inbound stats not read: " + e;
            }
            List<Long> flashes = v.flashArrivals().stream()
                    .filter(t -> t >= a.wallNs && t < b.wallNs)
                    .toList();
            List<Long> beeps = v.beepArrivals();
            markerFlashes = flashes.size();
            markerBeeps = (int)
                    beeps.stream().filter(t -> t >= a.wallNs && t < b.wallNs).count();
            for (long flash : flashes) {
                beeps.stream()
                        .min((x, y) -> Long.compare(Math.abs(x - flash), Math.abs(y - flash)))
                        .filter(beep -> Math.abs(beep - flash) < 500_000_000L)
                        .ifPresent(beep -> avOffsetsMs.add((beep - flash) / 1e6));
            }
        }
    }

    /** Process CPU minus what is certainly not the server: receivers' decoder and factory threads, the bench's HTTP client. */
    double serverEstimate() {
        return cpuProcess
                - cpuByCategory.getOrDefault("decoder(recv)", 0.0)
                - cpuByCategory.getOrDefault("receiver-factory", 0.0)
                - cpuByCategory.getOrDefault("bench-client", 0.0);
    }

    double uploads() {
        return uploadMB;
    }

    /** Why this run does not count as capacity, or null: the issue's gate (no drop, pacing p99 under 5 ms). */
    String capacityFailure() {
        List<String> why = new ArrayList<>();
        if (reanchors > 0) {
            why.add(reanchors + " re-anchors");
        }
        if (idleFramesInWindow > 0) {
            why.add(idleFramesInWindow + " idle frames (queue starved)");
        }
        if (pushedFps < FPS * 0.995) {
            why.add(String.format(Locale.ROOT, "pushed %.2f/s", pushedFps));
        }
        if (Double.isNaN(encodedFps) || encodedFps < pushedFps * 0.995 || sentFps < encodedFps * 0.995) {
            why.add(String.format(
                    Locale.ROOT, "encoded %.2f/s, sent %.2f/s of %.2f pushed", encodedFps, sentFps, pushedFps));
        }
        // Every push of the window (the pacer probe): the sessions' own figures cover their last 1024 pushes,
        // which for frames (34 s) reach back before the window into the sessions' set-up.
        double frameP99 = probe == null ? frameLate[1] : probe.lateP99Ms(true);
        double audioP99 = probe == null ? audioLate[1] : probe.lateP99Ms(false);
        if (!(frameP99 < 5) || !(audioP99 < 5)) {
            why.add(String.format(Locale.ROOT, "push p99 in window frames %.2f ms, audio %.2f ms", frameP99, audioP99));
        }
        return why.isEmpty() ? null : String.join(", ", why);
    }
}
