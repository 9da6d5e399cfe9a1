package io.avpush.bench;

import io.avpush.testing.ApiClient;
import io.avpush.testing.InProcessNode;
import io.avpush.testing.SyntheticMedia;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.slf4j.LoggerFactory;

/**
 * How much of the server's CPU it takes to ingest raw frames, for each kind of client that sends
 * them: the node runs in this JVM (no viewer, so nothing is encoded; no network namespace needed),
 * and each client uploads the same 2 s segment (512x512 bgr24 frames at 30 fps and a 48 kHz WAV,
 * 47.4 MB) {@code count} times to one session, after every client made {@code warmup} uploads to
 * another (so that the server's code is as compiled for the first client as for the last). The figure
 * is the server's CPU time (its threads in /proc/self/task, by group) per MB of media sent (WAV +
 * frames), with the heap it allocated per MB and the GC cycles; threads that ended meanwhile are
 * counted from the process's own CPU time (group "ended"). Clients: {@code jdk} (the JDK's
 * HttpClient in this JVM, its threads not counted), {@code curl} ({@code curl -F}, one process per
 * upload), {@code urllib} and {@code requests} (Python, {@code src/bench/clients/ingest_client.py}),
 * {@code node} (Node's fetch with FormData, {@code ingest_client.mjs}) and {@code stream} (the
 * Python client of {@code clients/python} streaming each segment over the WebSocket, a frame and
 * its audio per message pair). External clients' own CPU is not counted.
 *
 * <p>Usage: {@code IngestBench [clients=jdk,curl,urllib,requests,node,stream] [count=30] [warmup=30]
 * [python=python3] [jfr=DIR]}; {@code jfr=DIR} records each client's measured uploads with JFR's
 * "profile" settings into DIR/CLIENT.jfr. Run by {@code scripts/ingest-bench.sh}.
 */
public final class IngestBench {

    private static final List<String> ALL_CLIENTS = List.of("jdk", "curl", "urllib", "requests", "node", "stream");

    private final Path dir;
    private final Path wavFile;
    private final Path videoFile;
    private final byte[] form;
    private final long mediaBytes;
    private final String python;
    private final Path jfrDir;
    private String base;
    private ApiClient api;

    private IngestBench(Path dir, byte[] wav, byte[] video, String python, Path jfrDir) throws IOException {
        this.dir = dir;
        this.wavFile = Files.write(dir.resolve("a.wav"), wav);
        this.videoFile = Files.write(dir.resolve("v.bgr"), video);
        this.form = Feeders.multipart(wav, video);
        this.mediaBytes = wav.length + (long) video.length;
        this.python = python;
        this.jfrDir = jfrDir;
    }

    /** One client's figures: server CPU ms by thread group, heap allocated, GC cycles, wall time. */
    record Result(
            String client,
            double megabytes,
            double wallS,
            Map<String, Double> cpuMs,
            long allocatedBytes,
            long gcCycles) {

        double serverMs() {
            return cpuMs.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        double perMb(String group) {
            return cpuMs.getOrDefault(group, 0.0) / megabytes;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are key=value, e.g. clients=jdk,curl count=30; got " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        List<String> clients = Arrays.asList(
                opts.getOrDefault("clients", String.join(",", ALL_CLIENTS)).split(","));
        for (String c : clients) {
            if (!ALL_CLIENTS.contains(c)) {
                throw new IllegalArgumentException("client '" + c + "' is not one of " + ALL_CLIENTS);
            }
        }
        int count = Integer.parseInt(opts.getOrDefault("count", "30"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "30"));
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Path jfrDir = opts.containsKey("jfr") ? Files.createDirectories(Path.of(opts.get("jfr"))) : null;
        Path dir = Files.createTempDirectory("avpush-ingest");
        byte[] wav = SyntheticMedia.wav(
                SyntheticMedia.speechLike(StreamBench.SEGMENT_FRAMES * StreamBench.RATE / StreamBench.FPS),
                StreamBench.RATE);
        byte[] video = SyntheticMedia.movingFrames(StreamBench.WIDTH, StreamBench.HEIGHT, StreamBench.SEGMENT_FRAMES);
        IngestBench bench = new IngestBench(dir, wav, video, opts.getOrDefault("python", "python3"), jfrDir);
        System.out.printf(
                Locale.ROOT,
                "IngestBench: clients %s, %d uploads measured per client after %d per client to warm up, "
                        + "each a 2 s segment of %.1f MB (WAV %.2f MB + %d bgr24 512x512 frames); %d cores; java %s; load %s%n",
                clients,
                count,
                warmup,
                bench.mediaBytes / 1e6,
                wav.length / 1e6,
                StreamBench.SEGMENT_FRAMES,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                Machine.loadavg());
        List<Result> results = new ArrayList<>();
        try {
            bench.withNode(() -> {
                // Every client warms the server up before any is measured: otherwise the first one measured
                // would run the server's shared code less compiled than the later ones.
                for (String client : clients) {
                    bench.warmUp(client, warmup);
                }
                for (String client : clients) {
                    Result r = bench.measure(client, count);
                    results.add(r);
                    System.out.printf(
                            Locale.ROOT,
                            "%-8s %6.0f MB in %5.1f s (%4.0f MB/s): server %.2f CPU ms per MB (%.2f without "
                                    + "JIT); by group %s; heap allocated %.2f bytes per byte; %d GC cycles; load %s%n",
                            client,
                            r.megabytes(),
                            r.wallS(),
                            r.megabytes() / r.wallS(),
                            r.serverMs() / r.megabytes(),
                            (r.serverMs() - r.cpuMs().getOrDefault("jit", 0.0)) / r.megabytes(),
                            Figures.groups3(Figures.perMegabyte(r.cpuMs(), r.megabytes())),
                            r.allocatedBytes() / (r.megabytes() * 1e6),
                            r.gcCycles(),
                            Machine.loadavg());
                }
            });
        } finally {
            for (String f : new String[] {"a.wav", "v.bgr"}) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.deleteIfExists(dir);
        }
        printMarkdown(results);
        System.exit(0); // natives may leave non-daemon threads behind
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Starts a node as {@code Main} does (libyuv conversion from the WebRTC engine) around {@code body}. */
    private void withNode(Body body) throws Exception {
        // No realtime or raised priorities: nothing here plays, and the machine may be shared.
        try (InProcessNode node = InProcessNode.named("avpush")
                .config("avpush.media.pacer-realtime-priority = 0"
                        + "\navpush-media-dispatcher.thread-nice = 0\npekko.loglevel = WARNING")
                .start(Duration.ofSeconds(20))) {
            base = node.baseUrl();
            api = new ApiClient(URI.create(base), Duration.ofSeconds(60));
            body.run();
        }
    }

    /** {@code count} uploads by {@code client} to a session of their own, then deleted. */
    private void warmUp(String client, int count) throws Exception {
        String warm = session();
        upload(client, warm, count);
        delete(warm);
    }

    private Result measure(String client, int count) throws Exception {
        System.gc(); // earlier segments are garbage: collected before, not during, the measured uploads
        Thread.sleep(1000);
        String id = session();
        long gcBefore = gcCycles();
        Map<Long, Long> allocBefore = serverAllocatedBytes();
        long processBefore = processTicks();
        Map<Integer, ThreadCpu> before = Threads.procThreadCpu();
        Recording recording = jfrDir == null ? null : new Recording(Configuration.getConfiguration("profile"));
        if (recording != null) {
            recording.start();
        }
        long start = System.nanoTime();
        upload(client, id, count);
        double wallS = (System.nanoTime() - start) / 1e9;
        if (recording != null) {
            recording.stop();
            recording.dump(jfrDir.resolve(client + ".jfr"));
            recording.close();
        }
        Map<String, Double> cpuMs = cpuMs(before, Threads.procThreadCpu(), processTicks() - processBefore);
        long allocated = allocatedSince(allocBefore, serverAllocatedBytes());
        long gc = gcCycles() - gcBefore;
        delete(id);
        System.gc();
        return new Result(client, count * mediaBytes / 1e6, wallS, cpuMs, allocated, gc);
    }

    /** {@code count} uploads of the segment by {@code client} to session {@code id}; fails on any refusal. */
    private void upload(String client, String id, int count) throws Exception {
        String url = base + "/api/sessions/" + id + "/segments";
        String wav = wavFile.toString();
        String video = videoFile.toString();
        switch (client) {
            case "jdk" -> {
                for (int i = 0; i < count; i++) {
                    ApiClient.Reply r = api.send("POST", url, Feeders.FORM_TYPE, form);
                    if (r.status() != 202) {
                        throw new IllegalStateException("jdk upload answered " + r.status() + ": " + r.body());
                    }
                }
            }
            case "curl" -> {
                for (int i = 0; i < count; i++) {
                    String status = run(List.of(
                            "curl",
                            "-sS",
                            "-o",
                            "/dev/null",
                            "-w",
                            "%{http_code}",
                            "-F",
                            "audio=@" + wav,
                            "-F",
                            "video=@" + video,
                            "-F",
                            "width=512",
                            "-F",
                            "height=512",
                            "-F",
                            "fps=30",
                            url));
                    if (!status.equals("202")) {
                        throw new IllegalStateException("curl upload answered " + status);
                    }
                }
            }
            case "urllib", "requests", "stream" ->
                run(List.of(
                        python,
                        script("ingest_client.py").toString(),
                        client,
                        base,
                        id,
                        String.valueOf(count),
                        wav,
                        video));
            case "node" ->
                run(List.of(
                        "node", script("ingest_client.mjs").toString(), base, id, String.valueOf(count), wav, video));
            default -> throw new IllegalArgumentException(client);
        }
    }

    private static Path script(String name) {
        return Path.of("src/bench/clients", name).toAbsolutePath();
    }

    /** Runs a client process (PYTHONPATH reaching clients/python), its stderr shown; its stdout, trimmed. */
    private String run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment()
                .put("PYTHONPATH", Path.of("clients/python").toAbsolutePath().toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " did not finish within 10 minutes");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue());
        }
        return out;
    }

    private String session() throws Exception {
        return api.postJson("/api/sessions", "{\"fps\":30,\"width\":512,\"height\":512}")
                .expect(201)
                .get("sessionId")
                .asText();
    }

    private void delete(String id) throws Exception {
        api.delete("/api/sessions/" + id);
    }

    /**
     * CPU ms by thread group between two readings, the server's threads only: not the JDK client's
     * (HttpClient-*), nor the main thread that sends its uploads and waits for the replies. Group
     * "ended" is what threads that ended between the readings used ({@code processTicks}, the
     * process's own count, includes them; /proc lists only live threads): short-lived threads that
     * someone started for a task, which no other group sees.
     */
    static Map<String, Double> cpuMs(Map<Integer, ThreadCpu> before, Map<Integer, ThreadCpu> after, long processTicks) {
        Map<String, Double> ms = new TreeMap<>();
        long[] live = {0};
        after.forEach((tid, now) -> {
            long ticks = now.ticksSince(before.get(tid));
            live[0] += ticks;
            String group = group(now.comm());
            if (group.equals("bench-client") || now.comm().equals("java")) {
                return;
            }
            ms.merge(group, ticks * 10.0, Double::sum); // CLK_TCK 100
        });
        if (processTicks > live[0]) {
            ms.put("ended", (processTicks - live[0]) * 10.0);
        }
        return ms;
    }

    /** CPU ticks (user + system) of this process so far, its ended threads' included (/proc/self/stat). */
    static long processTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15: utime, stime
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/stat", e);
        }
    }

    /**
     * The thread group of a /proc comm (15 characters): pekko-io (the TCP selector: socket reads),
     * pekko (HTTP and WebSocket parsing, the actors on Pekko's default dispatcher), decode (the
     * blocking dispatcher: WAV and frame decoding), media (the releasing actors), then as
     * {@link Threads#category}: gc, jit, pacer, other.
     */
    static String group(String comm) {
        if (comm.startsWith("avpush-pekko.io")) {
            return "pekko-io";
        }
        if (comm.startsWith("avpush-avpush-b")) {
            return "decode";
        }
        if (comm.startsWith("avpush-avpush-m")) {
            return "media";
        }
        return Threads.category(comm);
    }

    /** Heap allocated so far by each live thread that is the server's (as {@link #group} counts them), by id. */
    private static Map<Long, Long> serverAllocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Predicate<Thread> server = t -> {
            String name = t.getName();
            String comm = name.length() > 15 ? name.substring(0, 15) : name;
            return !group(comm).equals("bench-client") && t != Thread.currentThread();
        };
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(server)
                .mapToLong(Thread::getId)
                .toArray();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        Map<Long, Long> byId = new HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            if (bytes[i] >= 0) {
                byId.put(ids[i], bytes[i]);
            }
        }
        return byId;
    }

    /** Allocated between two readings by the threads alive at the second (a thread that ended took its count). */
    private static long allocatedSince(Map<Long, Long> before, Map<Long, Long> after) {
        return after.entrySet().stream()
                .mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L))
                .sum();
    }

    private static long gcCycles() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(gc -> !gc.getName().endsWith("Pauses")) // ZGC counts its cycles and its pauses apart
                .mapToLong(GarbageCollectorMXBean::getCollectionCount)
                .sum();
    }

    private static void printMarkdown(List<Result> results) {
        List<String> groups = new ArrayList<>(List.of("pekko-io", "pekko", "decode", "ended", "gc", "jit"));
        Map<String, Boolean> others = new LinkedHashMap<>();
        results.forEach(r ->
                r.cpuMs().keySet().stream().filter(g -> !groups.contains(g)).forEach(g -> others.put(g, true)));
        System.out.println();
        System.out.println("| client | server CPU ms per MB | without JIT | " + String.join(" | ", groups) + " | "
                + "other groups | heap allocated B per B | GC cycles | MB/s |");
        System.out.println("|---|---:|---:|" + "---:|".repeat(groups.size()) + "---|---:|---:|---:|");
        for (Result r : results) {
            StringBuilder row = new StringBuilder(String.format(
                    Locale.ROOT,
                    "| %s | %.2f | %.2f |",
                    r.client(),
                    r.serverMs() / r.megabytes(),
                    (r.serverMs() - r.cpuMs().getOrDefault("jit", 0.0)) / r.megabytes()));
            for (String g : groups) {
                row.append(String.format(Locale.ROOT, " %.2f |", r.perMb(g)));
            }
            StringBuilder other = new StringBuilder();
            for (String g : others.keySet()) {
                if (r.cpuMs().containsKey(g)) {
                    other.append(String.format(Locale.ROOT, "%s %.2f ", g, r.perMb(g)));
                }
            }
            row.append(String.format(
                    Locale.ROOT,
                    " %s | %.2f | %d | %.0f |",
                    other.toString().trim(),
                    r.allocatedBytes() / (r.megabytes() * 1e6),
                    r.gcCycles(),
                    r.megabytes() / r.wallS()));
            System.out.println(row);
        }
    }
}
