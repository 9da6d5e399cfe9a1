package io.avpush.bench;

import io.avpush.media.FrameRate;
import io.avpush.media.MarkerClip;
import io.avpush.media.TestSignal;
import io.avpush.testing.SyntheticMedia;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Streaming benchmark of one avpush node: the real server (Guardian, WebRtcEngine, PushPacer) in
 * this JVM, N sessions created over HTTP, one in-JVM WebRTC receiver ({@link io.avpush.webrtc.TestViewer}) per
 * session, and a feeder per session that keeps the session's queue full with 2 s segments of a
 * moving, noise-textured picture (512x512 bgr24, 30 fps) and 48 kHz speech-like audio, uploaded as
 * multipart over HTTP. After every session shows content at its receiver and a warm-up, it measures
 * one window of {@code seconds} and prints the figures (see {@code scripts/bench.sh}).
 *
 * <p>With {@code source=idle} each session instead gets the same 2 s segment once, as its idle loop
 * ({@code PUT /api/sessions/{id}/idle}), and streams it over and over with no upload at all: the
 * streaming cost alone, as an avatar's idle animation between utterances costs it.
 *
 * <p>Must run inside {@code scripts/in-netns.sh}: libwebrtc ignores loopback for ICE.
 *
 * <p>Usage: {@code StreamBench [sessions=1,4,8] [seconds=20] [markers=true|false] [warmup=3] [source=upload|idle]
 * [receivers=realtime|background] [threads-detail=true]} (all options: {@code scripts/bench.sh})
 *
 * <p>The parts: {@link StreamRun} (one run: a fresh node, its receivers and feeders, the measured
 * window), {@link Feeders} (the uploads), {@link TimedTransport} and {@link PacerProbe} (what the
 * server pushes, and when), {@link Snapshot}, {@link Threads} and {@link Machine} (the readings),
 * {@link RunResult} (a run's figures), {@link RunReport} (what is printed), {@link IngestRun} (the
 * ingestion figures, nobody watching).
 */
public final class StreamBench {

    static final int WIDTH = 512;
    static final int HEIGHT = 512;
    static final int FPS = 30;
    static final int SEGMENT_FRAMES = 60; // 2 s
    static final int RATE = 48_000;
    static final int IDLE_LUMA = 30; // I420.y(16,16,16): the session's neutral frame
    static final double QUEUE_LOW_MS = 2500;

    static int topThreadCount = 12;
    static boolean traceFirst;
    /** source=idle: every session streams its idle loop, set once; no upload during a run. */
    static boolean idleSource;

    static boolean threadsDetail;
    /** receivers=background: the receivers' threads run SCHED_OTHER at nice 19 (see Run#background). */
    static boolean receiversInBackground;

    /** Option {@code key} of two values, {@code first} by default: whether it is {@code second}. */
    private static boolean isSecondChoice(
            Map<String, String> opts, String key, String first, String second, String usage) {
        String value = opts.getOrDefault(key, first);
        if (!value.equals(first) && !value.equals(second)) {
            throw new IllegalArgumentException(usage + "; got " + value);
        }
        return value.equals(second);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(
                        "arguments are key=value: sessions=1,4,8 seconds=20 markers=true warmup=3; got " + a);
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int[] sessions = Arrays.stream(opts.getOrDefault("sessions", "1,4,8").split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "3"));
        boolean markers = Boolean.parseBoolean(opts.getOrDefault("markers", "true"));
        boolean prime = Boolean.parseBoolean(opts.getOrDefault("prime", "true"));
        int primeSeconds = Integer.parseInt(opts.getOrDefault("prime-seconds", "5"));
        topThreadCount = Integer.parseInt(opts.getOrDefault("threads", "12"));
        traceFirst = Boolean.parseBoolean(opts.getOrDefault("trace-first", "false"));
        idleSource = isSecondChoice(
                opts,
                "source",
                "upload",
                "idle",
                "source is upload (2 s segments uploaded continuously)"
                        + " or idle (one idle loop per session, no upload while measuring)");
        threadsDetail = Boolean.parseBoolean(opts.getOrDefault("threads-detail", "false"));
        receiversInBackground = isSecondChoice(
                opts,
                "receivers",
                "realtime",
                "background",
                "receivers is realtime (libwebrtc's"
                        + " own priorities: decoders SCHED_FIFO 98) or background (receiver threads SCHED_OTHER, nice 19)");
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);

        System.out.printf(
                Locale.ROOT,
                "StreamBench: %dx%d @ %d fps, sessions %s, %d s measured per run after %d s warm-up; "
                        + "source %s; receivers %s; %d cores; java %s; load at start %s%n",
                WIDTH,
                HEIGHT,
                FPS,
                Arrays.toString(sessions),
                seconds,
                warmup,
                idleSource
                        ? "idle (each session streams its idle loop, set once; no uploads)"
                        : "upload (2 s segments uploaded continuously)",
                receiversInBackground
                        ? "background (SCHED_OTHER, nice 19)"
                        : "realtime (as libwebrtc sets them: decoders SCHED_FIFO 98)",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                Machine.loadavg());
        long t = System.nanoTime();
        byte[] movingWav = SyntheticMedia.wav(SyntheticMedia.speechLike(SEGMENT_FRAMES * RATE / FPS), RATE);
        byte[] movingBgr = SyntheticMedia.movingFrames(WIDTH, HEIGHT, SEGMENT_FRAMES);
        byte[] moving = Feeders.multipart(movingWav, movingBgr);
        byte[] markerBody = null;
        if (markers) {
            MarkerClip clip = TestSignal.markers(WIDTH, HEIGHT, FrameRate.parse("30"), 4.0, 1.0);
            markerBody = Feeders.multipart(
                    SyntheticMedia.wav(clip.pcm48k(), RATE), SyntheticMedia.markerFrames(clip, WIDTH, HEIGHT));
        }
        System.out.printf(
                Locale.ROOT,
                "media built in %.1f s: moving segment upload %.1f MB (2 s)%n",
                (System.nanoTime() - t) / 1e9,
                moving.length / 1e6);

        if (prime) {
            // A discarded first run, so that JIT compilation and first-time native set-up do not land in N=first.
            System.out.printf("priming run (1 session, %d s, not reported) ...%n", primeSeconds);
            new StreamRun(1, primeSeconds, 2, moving, null, moving.length).execute();
        }
        if (Boolean.parseBoolean(opts.getOrDefault("ingest", String.valueOf(!idleSource)))) {
            IngestRun.ingest(moving, movingWav, movingBgr, Integer.parseInt(opts.getOrDefault("ingest-count", "6")));
        }
        if (Boolean.parseBoolean(opts.getOrDefault("ingest-only", "false"))) {
            return;
        }
        List<RunResult> results = new ArrayList<>();
        String findMax = opts.get("find-max");
        if (findMax != null) {
            // Largest N with no dropped or late frame: N = lo, lo+1, ... until a run fails.
            String[] range = findMax.split("\\.\\.");
            int lo = Integer.parseInt(range[0]);
            int hi = range.length > 1 ? Integer.parseInt(range[1]) : 64;
            int best = 0;
            for (int n = lo; n <= hi; n++) {
                RunResult r = new StreamRun(n, seconds, warmup, moving, null, moving.length).execute();
                RunReport.print(r);
                results.add(r);
                String failed = r.capacityFailure();
                System.out.printf(
                        Locale.ROOT,
                        "  capacity check N=%d: %s%n",
                        n,
                        failed == null ? "PASS" : "FAIL (" + failed + ")");
                if (failed != null) {
                    break;
                }
                best = n;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%nlargest N with every frame pushed, encoded and sent, no re-anchor, no idle frame, "
                            + "frame and audio push p99 < 5 ms over every push of the window: %s (searched %d..%d)%n",
                    best == 0 ? "none" : String.valueOf(best),
                    lo,
                    hi);
            RunReport.printMarkdown(results, List.of(), seconds);
            System.exit(0);
        }
        for (int n : sessions) {
            RunResult r = new StreamRun(n, seconds, warmup, moving, null, moving.length).execute();
            RunReport.print(r);
            results.add(r);
        }
        List<RunResult> markerRuns = new ArrayList<>();
        if (markers) {
            // Session 0 plays TestSignal markers (flash + beep each second), the others the moving picture.
            int max = Arrays.stream(sessions).max().orElse(1);
            for (int n : max > 1 ? new int[] {1, max} : new int[] {1}) {
                RunResult m =
                        new StreamRun(n, Math.min(seconds, 15), warmup, moving, markerBody, moving.length).execute();
                RunReport.print(m);
                markerRuns.add(m);
            }
        }
        RunReport.printMarkdown(results, markerRuns, seconds);
        System.exit(0); // natives of closed factories may leave non-daemon threads behind
    }

    private StreamBench() {}
}
