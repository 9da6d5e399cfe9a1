package io.avpush.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.cluster.ClusterConfig;
import io.avpush.app.Guardian;
import io.avpush.config.AvpushSettings;
import io.avpush.media.FrameRate;
import io.avpush.media.MarkerClip;
import io.avpush.media.TestSignal;
import io.avpush.session.Transport;
import io.avpush.pacing.PushPacer;
import io.avpush.webrtc.SessionMedia;
import io.avpush.webrtc.TestViewer;
import io.avpush.webrtc.Viewer;
import io.avpush.webrtc.ViewerStats;
import io.avpush.webrtc.WebRtcEngine;
import io.avpush.webrtc.WebRtcTransports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.LoggerFactory;

/**
 * Streaming benchmark of one avpush node: the real server (Guardian, WebRtcEngine, PushPacer) in
 * this JVM, N sessions created over HTTP, one in-JVM WebRTC receiver ({@link TestViewer}) per
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

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  /** Option {@code key} of two values, {@code first} by default: whether it is {@code second}. */
  private static boolean isSecondChoice(Map<String, String> opts, String key, String first, String second, String usage) {
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
        throw new IllegalArgumentException("arguments are key=value: sessions=1,4,8 seconds=20 markers=true warmup=3; got " + a);
      }
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    int[] sessions = Arrays.stream(opts.getOrDefault("sessions", "1,4,8").split(",")).mapToInt(Integer::parseInt).toArray();
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "3"));
    boolean markers = Boolean.parseBoolean(opts.getOrDefault("markers", "true"));
    boolean prime = Boolean.parseBoolean(opts.getOrDefault("prime", "true"));
    topThreadCount = Integer.parseInt(opts.getOrDefault("threads", "12"));
    traceFirst = Boolean.parseBoolean(opts.getOrDefault("trace-first", "false"));
    idleSource = isSecondChoice(opts, "source", "upload", "idle", "source is upload (2 s segments uploaded continuously)"
        + " or idle (one idle loop per session, no upload while measuring)");
    threadsDetail = Boolean.parseBoolean(opts.getOrDefault("threads-detail", "false"));
    receiversInBackground = isSecondChoice(opts, "receivers", "realtime", "background", "receivers is realtime (libwebrtc's"
        + " own priorities: decoders SCHED_FIFO 98) or background (receiver threads SCHED_OTHER, nice 19)");
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.WARN);

    System.out.printf(Locale.ROOT, "StreamBench: %dx%d @ %d fps, sessions %s, %d s measured per run after %d s warm-up; "
            + "source %s; receivers %s; %d cores; java %s; load at start %s%n",
        WIDTH, HEIGHT, FPS, Arrays.toString(sessions), seconds, warmup,
        idleSource ? "idle (each session streams its idle loop, set once; no uploads)" : "upload (2 s segments uploaded continuously)",
        receiversInBackground ? "background (SCHED_OTHER, nice 19)" : "realtime (as libwebrtc sets them: decoders SCHED_FIFO 98)", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), loadavg());
    long t = System.nanoTime();
    byte[] movingWav = wav(speechLike(SEGMENT_FRAMES * RATE / FPS));
    byte[] movingBgr = movingFrames(SEGMENT_FRAMES);
    byte[] moving = multipart(movingWav, movingBgr);
    byte[] markerBody = null;
    if (markers) {
      MarkerClip clip = TestSignal.markers(WIDTH, HEIGHT, FrameRate.parse("30"), 4.0, 1.0);
      markerBody = multipart(wav(clip.pcm48k()), markerFrames(clip));
    }
    System.out.printf(Locale.ROOT, "media built in %.1f s: moving segment upload %.1f MB (2 s)%n",
        (System.nanoTime() - t) / 1e9, moving.length / 1e6);

    if (prime) {
      // A discarded first run, so that JIT compilation and first-time native set-up do not land in N=first.
      System.out.println("priming run (1 session, 5 s, not reported) ...");
      new Run(1, 5, 2, moving, null, moving.length).execute();
    }
    if (Boolean.parseBoolean(opts.getOrDefault("ingest", String.valueOf(!idleSource)))) {
      ingest(moving, movingWav, movingBgr, Integer.parseInt(opts.getOrDefault("ingest-count", "6")));
    }
    if (Boolean.parseBoolean(opts.getOrDefault("ingest-only", "false"))) {
      return;
    }
    List<Result> results = new ArrayList<>();
    String findMax = opts.get("find-max");
    if (findMax != null) {
      // Largest N with no dropped or late frame: N = lo, lo+1, ... until a run fails.
      String[] range = findMax.split("\\.\\.");
      int lo = Integer.parseInt(range[0]);
      int hi = range.length > 1 ? Integer.parseInt(range[1]) : 64;
      int best = 0;
      for (int n = lo; n <= hi; n++) {
        Result r = new Run(n, seconds, warmup, moving, null, moving.length).execute();
        r.print();
        results.add(r);
        String failed = r.capacityFailure();
        System.out.printf(Locale.ROOT, "  capacity check N=%d: %s%n", n, failed == null ? "PASS" : "FAIL (" + failed + ")");
        if (failed != null) {
          break;
        }
        best = n;
      }
      System.out.printf(Locale.ROOT, "%nlargest N with every frame pushed, encoded and sent, no re-anchor, no idle frame, "
          + "frame and audio push p99 < 5 ms over every push of the window: %s (searched %d..%d)%n", best == 0 ? "none" : String.valueOf(best), lo, hi);
      printMarkdown(results, List.of(), seconds);
      System.exit(0);
    }
    for (int n : sessions) {
      Result r = new Run(n, seconds, warmup, moving, null, moving.length).execute();
      r.print();
      results.add(r);
    }
    List<Result> markerRuns = new ArrayList<>();
    if (markers) {
      // Session 0 plays TestSignal markers (flash + beep each second), the others the moving picture.
      int max = Arrays.stream(sessions).max().orElse(1);
      for (int n : max > 1 ? new int[] {1, max} : new int[] {1}) {
        Result m = new Run(n, Math.min(seconds, 15), warmup, moving, markerBody, moving.length).execute();
        m.print();
        markerRuns.add(m);
      }
    }
    printMarkdown(results, markerRuns, seconds);
    System.exit(0); // natives of closed factories may leave non-daemon threads behind
  }

  // ---------------------------------------------------------------------------------------------
  // One run: a fresh server with n sessions.

  record Upload(int session, long startNs, long acceptedNs, int bytes, int status) {
    double ms() {
      return (acceptedNs - startNs) / 1e6;
    }
  }

  static final class Run {
    final int n;
    final int seconds;
    final int warmup;
    final byte[] body;
    final byte[] markerBody; // session 0 gets this instead of body when not null
    final int bodyBytes;
    final Map<String, Transport> outputs = new ConcurrentHashMap<>();
    final List<Upload> uploads = new CopyOnWriteArrayList<>();
    final AtomicBoolean feeding = new AtomicBoolean(true);
    final java.util.Set<Integer> receiverTids = ConcurrentHashMap.newKeySet();
    final Map<String, TimedTransport> timedOutputs = new ConcurrentHashMap<>();
    final AtomicBoolean feedPaused = new AtomicBoolean();
    final java.util.concurrent.atomic.AtomicInteger uploadsInFlight = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * receivers=background: every receiver thread to SCHED_OTHER at nice 19. libwebrtc makes a
     * receiver's DecodingQueue, IncomingVideoStream and audio-module threads SCHED_FIFO 98 (as root),
     * above the server's encoders (49) and its pacer and actors (normal): the bench's own viewers
     * then take the server's CPU first, which viewers on other machines never do.
     */
    String background() throws IOException, InterruptedException {
      List<String> tids = new ArrayList<>();
      for (Map.Entry<Integer, String> e : births.entrySet()) {
        if (receiverThread(e.getKey(), births, receiverTids)) {
          tids.add(String.valueOf(e.getKey()));
        }
      }
      int failed = 0;
      for (String tid : tids) {
        Process chrt = new ProcessBuilder("chrt", "--other", "--pid", "0", tid).redirectErrorStream(true).start();
        chrt.getInputStream().readAllBytes();
        failed += chrt.waitFor() == 0 ? 0 : 1;
      }
      List<String> renice = new ArrayList<>(List.of("renice", "-n", "19", "-p"));
      renice.addAll(tids);
      Process p = new ProcessBuilder(renice).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      failed += p.waitFor() == 0 ? 0 : 1;
      return String.format(Locale.ROOT, "%d receiver threads set to SCHED_OTHER, nice 19%s", tids.size(),
          failed == 0 ? "" : " (" + failed + " chrt/renice calls failed)");
    }

    /** When each thread of the process was first seen (the phase of the run), to tell receivers' threads from the server's. */
    final Map<Integer, String> births = new ConcurrentHashMap<>();

    void noteBirths(String phase) {
      for (Integer tid : procThreadCpu().keySet()) {
        births.putIfAbsent(tid, phase);
      }
    }

    Run(int n, int seconds, int warmup, byte[] body, byte[] markerBody, int bodyBytes) {
      this.n = n;
      this.seconds = seconds;
      this.warmup = warmup;
      this.body = body;
      this.markerBody = markerBody;
      this.bodyBytes = bodyBytes;
    }

    Result execute() throws Exception {
      Result r = new Result();
      r.n = n;
      r.label = (markerBody == null ? "N=" + n : "N=" + n + " (session 0 markers)") + (idleSource ? ", idle loops" : "");
      r.seconds = seconds;
      r.uploadMB = body.length / 1e6;
      r.loadStart = loadavg();
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Config config = ConfigFactory.parseString("avpush.http.host = \"127.0.0.1\"\navpush.http.port = " + port
              + "\npekko.loglevel = WARNING\n")
          .withFallback(ClusterConfig.load(ConfigFactory.empty()));
      AvpushSettings settings = AvpushSettings.from(config);
      WebRtcEngine engine = WebRtcEngine.start(() -> WebRtcTransports.iceServers(settings.webrtc()), WebRtcTransports.engineOptions(settings.webrtc()));
      PushPacer pacer = new PushPacer(settings.media().pacerSpin().toNanos(), settings.media().pacerRealtimePriority());
      PacerProbe probe = new PacerProbe(pacer, settings.media().releaseAhead().toNanos());
      r.probe = probe;
      WebRtcTransports real = new WebRtcTransports(engine);
      Transport.Factory recording = new Transport.Factory() {
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
      };
      ActorSystem<Void> system = ActorSystem.create(Guardian.create(settings, recording, probe), "avpush", config);
      String base = "http://127.0.0.1:" + port;
      List<TestViewer> receivers = new ArrayList<>();
      List<Thread> feeders = new ArrayList<>();
      try {
        awaitHttp(base);
        r.heapBeforeMb = liveHeapMb();
        r.rssBeforeKb = rssKb();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          JsonNode created = postJson(base + "/api/sessions",
              "{\"fps\":" + FPS + ",\"width\":" + WIDTH + ",\"height\":" + HEIGHT + "}", 201);
          ids.add(created.get("sessionId").asText());
        }
        noteBirths("server");
        for (String id : ids) {
          java.util.Set<Integer> before = procThreadCpu().keySet();
          TestViewer v = TestViewer.create();
          receivers.add(v);
          for (Integer tid : procThreadCpu().keySet()) {
            if (!before.contains(tid)) {
              receiverTids.add(tid);
            }
          }
          noteBirths("recv-create");
          String offer = v.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
          noteBirths("recv-offer");
          JsonNode answer = postJson(base + "/api/sessions/" + id + "/offer",
              JSON.writeValueAsString(Map.of("sdp", offer, "type", "offer")), 200);
          noteBirths("server-answer");
          v.acceptAnswer(answer.get("sdp").asText());
          noteBirths("recv-accept");
        }
        for (TestViewer v : receivers) {
          if (!v.awaitConnected(Duration.ofSeconds(15))) {
            throw new IllegalStateException("a receiver did not connect within 15 s (run inside scripts/in-netns.sh?)");
          }
        }
        Thread.sleep(1000); // idle frames flow
        noteBirths("connected");
        if (receiversInBackground) {
          r.receiverPriority = background();
        }

        long[] first202 = new long[n];
        for (int i = 0; i < n; i++) {
          int session = i;
          String url = base + "/api/sessions/" + ids.get(i);
          byte[] mine = markerBody != null && i == 0 ? markerBody : body;
          TimedTransport timed = timedOutputs.get(ids.get(i));
          if (idleSource) {
            setIdleLoop(session, url, mine, first202, timed);
            continue;
          }
          Thread feeder = new Thread(() -> feed(session, url, mine, first202, timed), "bench-feeder-" + i);
          feeder.setDaemon(true);
          feeders.add(feeder);
          feeder.start();
        }
        if (traceFirst) {
          Thread tracer = new Thread(() -> {
            try {
              traceFirstFrame(outputs.get(ids.get(0)), timedOutputs.get(ids.get(0)), receivers.get(0));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }, "bench-tracer");
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
              ? Double.NaN : (timed.firstContentPushNs - first202[i]) / 1e6;
        }
        Thread.sleep(warmup * 1000L);

        // ---- window start
        Snapshot a = snapshot(base, ids, receivers);
        Gc.measuring = true;
        probe.measuring(true);
        Gc.maxPauseMs = 0;
        Gc.maxPauseWhat = "";
        // Threads that end inside the window take their CPU with them: sample every 250 ms, keep the last value.
        Map<Integer, ThreadCpu> lastSeen = new ConcurrentHashMap<>(a.threadCpu);
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
          while (sampling.get()) {
            lastSeen.putAll(procThreadCpu());
            try {
              Thread.sleep(250);
            } catch (InterruptedException e) {
              return;
            }
          }
        }, "bench-sampler");
        sampler.setDaemon(true);
        sampler.start();
        Thread.sleep(seconds * 1000L);
        Gc.measuring = false;
        probe.measuring(false);
        Snapshot b = snapshot(base, ids, receivers);
        sampling.set(false);
        sampler.join(1000);
        for (Map.Entry<Integer, ThreadCpu> e : lastSeen.entrySet()) {
          b.threadCpu.putIfAbsent(e.getKey(), e.getValue());
        }
        // ---- window end
        r.loadEnd = loadavg();
        r.rssAfterKb = rssKb();
        r.heapAfterMb = liveHeapMb();
        r.births = births;
        r.fill(a, b, uploads, receivers, markerBody != null, receiverTids);
        r.pushPath = measurePushPath(3);
      } finally {
        feeding.set(false);
        for (Thread f : feeders) {
          f.join(10_000);
        }
        for (TestViewer v : receivers) {
          v.close();
        }
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        pacer.close();
        engine.close();
      }
      return r;
    }

    /** Pauses the feeders, waits for uploads in flight, then measures allocation while every session streams. */
    PushPath measurePushPath(int seconds) throws InterruptedException {
      feedPaused.set(true);
      Thread.sleep(300);
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (uploadsInFlight.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(1000); // the last upload's decode and reply finish
      ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] tids = threads.getAllThreadIds();
      long[] before = threads.getThreadAllocatedBytes(tids);
      Map<Integer, ThreadCpu> cpu0 = procThreadCpu();
      long frames0 = timedOutputs.values().stream().mapToLong(t -> t.frames).sum();
      long chunks0 = timedOutputs.values().stream().mapToLong(t -> t.chunks).sum();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long[] after = threads.getThreadAllocatedBytes(tids);
      Map<Integer, ThreadCpu> cpu1 = procThreadCpu();
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
        String group = category(infos[i].getThreadName());
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
        String cat = category(e.getValue().comm(), receiverThread(e.getKey(), births, receiverTids));
        cpuByGroup.merge(cat, ticks / 100.0 / (n * windowS), Double::sum);
      }
      feedPaused.set(false);
      return new PushPath(windowS, frames, chunks, pacer, pekko, all, byGroup, cpuByGroup);
    }

    /** source=idle: sets the segment as the session's idle loop (PUT .../idle), once; the 200 counts as its first 202. */
    void setIdleLoop(int session, String url, byte[] mine, long[] first202, TimedTransport timed) throws Exception {
      long start = System.nanoTime();
      HttpResponse<String> resp = sendForm("PUT", url + "/idle", mine);
      long end = System.nanoTime();
      if (resp.statusCode() != 200) {
        throw new IllegalStateException("PUT idle loop of session " + session + " answered " + resp.statusCode() + ": " + resp.body());
      }
      uploads.add(new Upload(session, start, end, mine.length, resp.statusCode()));
      synchronized (first202) {
        first202[session] = end;
      }
      if (timed != null) {
        timed.armedNs = end;
      }
    }

    /** Uploads a segment, then another whenever the session holds less than QUEUE_LOW_MS queued. */
    void feed(int session, String url, byte[] mine, long[] first202, TimedTransport timed) {
      try {
        boolean first = true;
        while (feeding.get()) {
          if (feedPaused.get()) {
            Thread.sleep(50);
            continue;
          }
          JsonNode status = getJson(url);
          if (!first && status.get("queuedMs").asDouble() >= QUEUE_LOW_MS) {
            Thread.sleep(200);
            continue;
          }
          uploadsInFlight.incrementAndGet();
          long start = System.nanoTime();
          HttpResponse<String> resp = sendForm("POST", url + "/segments", mine);
          long end = System.nanoTime();
          uploads.add(new Upload(session, start, end, mine.length, resp.statusCode()));
          if (resp.statusCode() != 202) {
            uploadsInFlight.decrementAndGet();
            System.err.println("upload to session " + session + " answered " + resp.statusCode() + ": " + resp.body());
            Thread.sleep(500);
            continue;
          }
          if (first) {
            synchronized (first202) {
              first202[session] = end;
            }
            if (timed != null) {
              timed.armedNs = end;
            }
            first = false;
          }
          uploadsInFlight.decrementAndGet();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        if (feeding.get()) {
          System.err.println("feeder " + session + " failed: " + e);
        }
      }
    }

    Snapshot snapshot(String base, List<String> ids, List<TestViewer> receivers) throws Exception {
      Snapshot s = new Snapshot();
      s.wallNs = System.nanoTime();
      s.processCpuNs = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
      s.threadCpu = procThreadCpu();
      s.switches = procThreadSwitches();
      s.machine = machineJiffies();
      ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] tids = threads.getAllThreadIds();
      long[] alloc = threads.getThreadAllocatedBytes(tids);
      java.lang.management.ThreadInfo[] infos = threads.getThreadInfo(tids);
      for (int i = 0; i < tids.length; i++) {
        if (alloc[i] >= 0) {
          s.allocated.put(tids[i], alloc[i]);
          if (infos[i] != null) {
            s.threadNames.put(tids[i], infos[i].getThreadName());
          }
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (!gc.getName().contains("Concurrent") && !gc.getName().contains("Cycles")) { // pauses only
          s.gcCount += gc.getCollectionCount();
          s.gcMs += gc.getCollectionTime();
        }
      }
      for (int i = 0; i < ids.size(); i++) {
        s.status.add(getJson(base + "/api/sessions/" + ids.get(i)));
        s.received.add(receivers.get(i).frames().size());
        s.statusNs.add(System.nanoTime());
        long asked = System.nanoTime();
        s.viewerStats.add(viewerStats(ids.get(i)));
        s.statsNs.add((asked + System.nanoTime()) / 2);
      }
      return s;
    }

    /** The server's Viewer of a session (reached through the output the session made), or null. */
    ViewerStats viewerStats(String sessionId) {
      Transport o = outputs.get(sessionId);
      if (o == null) {
        return null;
      }
      try {
        for (Viewer v : viewersOf(o)) {
          return v.stats().toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        System.err.println("viewer stats not reachable: " + e);
      }
      return null;
    }
  }

  /**
   * The session's real output, noting when the first frame that is not the idle picture is pushed
   * after {@link #armedNs} (the first upload's 202): 202 -> push is the server's share of the first
   * frame's latency, push -> arrival at the receiver is libwebrtc's (encode, RTP pacing, network, decode).
   */
  static final class TimedTransport implements Transport {
    final Transport real;
    final PacerProbe probe;
    volatile long armedNs;
    volatile long firstContentPushNs;
    volatile long frames; // written by the pacer thread only
    volatile long chunks;

    TimedTransport(Transport real, PacerProbe probe) {
      this.real = real;
      this.probe = probe;
    }

    @Override
    public void pushFrame(byte[] i420, int width, int height) {
      long callNs = System.nanoTime();
      real.pushFrame(i420, width, height);
      probe.pushed(PacerProbe.KIND_FRAME, System.nanoTime() - callNs);
      frames++;
      if (armedNs != 0 && firstContentPushNs == 0) {
        long now = System.nanoTime();
        long sum = 0;
        int samples = 0;
        for (int i = 0; i < width * height; i += 4099) {
          sum += i420[i] & 0xff;
          samples++;
        }
        if (now > armedNs && Math.abs(sum / samples - IDLE_LUMA) > 12) {
          firstContentPushNs = now;
        }
      }
    }

    @Override
    public void pushAudio(short[] pcm48kMono, int offset) {
      long callNs = System.nanoTime();
      real.pushAudio(pcm48kMono, offset);
      probe.pushed(PacerProbe.KIND_AUDIO, System.nanoTime() - callNs);
      chunks++;
    }

    @Override
    public java.util.concurrent.CompletionStage<String> connect(
        String viewerId, String offerSdp, java.util.function.BiConsumer<String, ViewerState> onState) {
      return real.connect(viewerId, offerSdp, onState);
    }

    @Override
    public void disconnect(String viewerId) {
      real.disconnect(viewerId);
    }

    @Override
    public void close() {
      real.close();
    }
  }

  /**
   * Diagnosis of the first frame's latency: from session 0's first 202, every 10 ms, the sender's
   * video outbound-rtp (frames encoded/sent, bytes, total encode time, total packet send delay,
   * target bitrate) and the transport's available outgoing bitrate, next to the first content
   * push and its arrival at the receiver.
   */
  static void traceFirstFrame(Transport real, TimedTransport timed, TestViewer receiver) throws InterruptedException {
    Viewer viewer = viewersOf(real).stream().findFirst().orElse(null);
    if (viewer == null) {
      return;
    }
    while (timed.armedNs == 0) {
      Thread.sleep(1);
    }
    long t0 = timed.armedNs;
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      long asked = System.nanoTime();
      try {
        dev.onvoid.webrtc.RTCStatsReport report = viewer.statsReport().toCompletableFuture().get(2, TimeUnit.SECONDS);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  t=%4.0f ms", (asked - t0) / 1e6));
        for (dev.onvoid.webrtc.RTCStats st : report.getStats().values()) {
          Map<String, Object> a = st.getAttributes();
          if (st.getType() == dev.onvoid.webrtc.RTCStatsType.OUTBOUND_RTP && "video".equals(a.get("kind"))) {
            sb.append(String.format(Locale.ROOT, " enc %s sent %s bytes %s encTime %.3f s sendDelay %.3f s target %s kbit/s huge %s",
                a.get("framesEncoded"), a.get("framesSent"), a.get("bytesSent"), num(a.get("totalEncodeTime")),
                num(a.get("totalPacketSendDelay")), num(a.get("targetBitrate")) / 1000, a.get("hugeFramesSent")));
          } else if (st.getType() == dev.onvoid.webrtc.RTCStatsType.CANDIDATE_PAIR && a.get("availableOutgoingBitrate") != null) {
            sb.append(String.format(Locale.ROOT, " | available out %.0f kbit/s", num(a.get("availableOutgoingBitrate")) / 1000));
          }
        }
        lines.add(sb.toString());
      } catch (Exception e) {
        lines.add("  stats failed: " + e);
      }
      Thread.sleep(10);
    }
    long pushed = timed.firstContentPushNs;
    long arrived = 0;
    for (TestViewer.FrameArrival fa : receiver.frames()) {
      if (fa.arrivalNanos() > t0 && Math.abs(fa.meanLuma() - IDLE_LUMA) > 12) {
        arrived = fa.arrivalNanos();
        break;
      }
    }
    System.out.printf(Locale.ROOT, "first-frame trace of session 0 (t from the 202): first content push at %.0f ms, received at %.0f ms%n",
        pushed == 0 ? Double.NaN : (pushed - t0) / 1e6, arrived == 0 ? Double.NaN : (arrived - t0) / 1e6);
    lines.forEach(System.out::println);
  }

  static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** The server's viewers of a session's output (one made by {@link WebRtcTransports}), or none. */
  static List<Viewer> viewersOf(Transport o) {
    SessionMedia media = WebRtcTransports.mediaOf(o);
    return media == null ? List.of() : media.viewers();
  }

  static final class Snapshot {
    long wallNs;
    long processCpuNs;
    Map<Integer, ThreadCpu> threadCpu;
    Map<Integer, Long> switches = Map.of(); // context switches (voluntary + involuntary) per thread
    Map<Long, Long> allocated = new HashMap<>();
    Map<Long, String> threadNames = new HashMap<>();
    long gcCount;
    long gcMs;
    long[] machine; // /proc/stat: busy and total jiffies of all CPUs
    List<JsonNode> status = new ArrayList<>();
    List<Integer> received = new ArrayList<>();
    List<ViewerStats> viewerStats = new ArrayList<>();
    // When each session's status (and received count) and its sender stats were read: under load, reading
    // N sessions takes seconds, so rates use each session's own interval, not the window's.
    List<Long> statusNs = new ArrayList<>();
    List<Long> statsNs = new ArrayList<>();
  }

  record ThreadCpu(String comm, long ticks) {
    /** Ticks since {@code earlier} (the same thread's reading), all of them for a thread born since (null). */
    long ticksSince(ThreadCpu earlier) {
      return ticks - (earlier == null ? 0 : earlier.ticks);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Figures of one run.

  static final class Result {
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
    PushPath pushPath;
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

    void fill(Snapshot a, Snapshot b, List<Upload> uploads, List<TestViewer> receivers, boolean markers,
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
          System.out.printf("  debug tid %d %s ticks %s -> %d%n", e.getKey(), name, before == null ? "new" : before.ticks(), e.getValue().ticks());
        }
        String cat = category(name, receiverThread(e.getKey(), births, receiverTids));
        cpuByCategory.merge(cat, perStreamS, Double::sum);
        Long switchesAfter = b.switches.get(e.getKey());
        if (switchesAfter != null) {
          double perS = (switchesAfter - a.switches.getOrDefault(e.getKey(), 0L)) / streamSeconds;
          switchesByCategory.merge(cat, perS, Double::sum);
          switchesByBirth.merge(births.getOrDefault(e.getKey(), "window") + ": " + name.replaceAll("[0-9]+", "#"), perS, Double::sum);
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
        allocByGroup.merge(category(b.threadNames.getOrDefault(e.getKey(), "?")), bytes / 1e6 / streamSeconds, Double::sum);
      }
      allocMBps = alloc / 1e6 / streamSeconds;
      gcMaxPauseMs = Gc.maxPauseMs;
      gcMaxPauseWhat = Gc.maxPauseWhat;
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
        reanchors += b.status.get(i).get("reanchors").asLong() - a.status.get(i).get("reanchors").asLong();
        if (!(markers && i == 0)) {
          for (TestViewer.FrameArrival f : receivers.get(i).frames()) {
            if (f.arrivalNanos() >= a.wallNs && f.arrivalNanos() < b.wallNs
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

      List<Upload> inWindow = uploads.stream()
          .filter(u -> u.status() == 202 && u.acceptedNs() >= a.wallNs && u.acceptedNs() < b.wallNs).toList();
      uploadsInWindow = inWindow.size();
      double[] ms = inWindow.stream().mapToDouble(Upload::ms).sorted().toArray();
      double[] mbps = inWindow.stream().mapToDouble(u -> u.bytes() / 1e6 / (u.ms() / 1e3)).sorted().toArray();
      uploadMsP50 = percentile(ms, 50);
      uploadMsMax = ms.length == 0 ? Double.NaN : ms[ms.length - 1];
      uploadMBpsP50 = percentile(mbps, 50);
      ingestMBps = inWindow.stream().mapToDouble(Upload::bytes).sum() / 1e6 / windowS;

      if (markers) {
        TestViewer v = receivers.get(0);
        try {
          receiverBuffers = jitter("audio", v.inbound("audio")) + "; " + jitter("video", v.inbound("video"));
        } catch (RuntimeException e) {
          receiverBuffers = "inbound stats not read: " + e;
        }
        List<Long> flashes = v.flashArrivals().stream().filter(t -> t >= a.wallNs && t < b.wallNs).toList();
        List<Long> beeps = v.beepArrivals();
        markerFlashes = flashes.size();
        markerBeeps = (int) beeps.stream().filter(t -> t >= a.wallNs && t < b.wallNs).count();
        for (long flash : flashes) {
          beeps.stream()
              .min((x, y) -> Long.compare(Math.abs(x - flash), Math.abs(y - flash)))
              .filter(beep -> Math.abs(beep - flash) < 500_000_000L)
              .ifPresent(beep -> avOffsetsMs.add((beep - flash) / 1e6));
        }
      }
    }

    void print() {
      System.out.println();
      System.out.printf(Locale.ROOT, "=== %s: window %.1f s (%.0f stream-seconds); load %s -> %s%n",
          label, windowS, streamSeconds, loadStart, loadEnd);
      System.out.printf(Locale.ROOT, "  machine: %.2f of %d cores busy in the window: this process %.2f, other processes %.2f; %s%n",
          machineBusyCores, Runtime.getRuntime().availableProcessors(), processCores, othersCores, receiverPriority);
      System.out.printf(Locale.ROOT, "  CPU s per stream-second: process %.3f, server estimate %.3f (process minus receivers and bench client) | %s%n",
          cpuProcess, serverEstimate(), categories(this));
      // Per frame pushed: less dependent on load than per stream-second (a starved process pushes fewer
      // frames and takes fewer uploads, so it also spends less CPU per second).
      System.out.printf(Locale.ROOT, "  CPU ms per frame pushed: process %.2f, server estimate %.2f, encoder threads %.2f "
              + "(server / encoder %.2f)%n",
          1000 * cpuProcess / pushedFps, 1000 * serverEstimate() / pushedFps,
          1000 * cpuByCategory.getOrDefault("encoder", 0.0) / pushedFps,
          serverEstimate() / cpuByCategory.getOrDefault("encoder", Double.NaN));
      System.out.printf(Locale.ROOT, "  top thread names (CPU s per stream-second): %s%n", topThreads(this, topThreadCount));
      System.out.printf(Locale.ROOT, "  context switches (wake-ups + preemptions) per stream-second by thread group: %s%n", groups0(switchesByCategory));
      if (threadsDetail) {
        System.out.println("  threads by when they were born (server = before any receiver; recv-create/-offer/-accept = during a "
            + "receiver's set-up; server-answer = during the server's answer; connected/window = later) and name: "
            + "threads, CPU s per stream-second");
        cpuByBirth.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
            .filter(e -> e.getValue() > 0)
            .forEach(e -> System.out.printf(Locale.ROOT, "    %-45s %3d  %.4f  (%.0f context switches per stream-second)%n",
                e.getKey(), threadsByBirth.get(e.getKey()), e.getValue(), switchesByBirth.getOrDefault(e.getKey(), 0.0)));
      }
      System.out.printf(Locale.ROOT, "  video per stream: pushed %.1f/s, encoded %.1f/s, sent %.1f/s, received %.1f/s "
              + "(slowest receiver %.1f/s), sender %.0f kbit/s (audio+video), qualityLimitationReason %s%n",
          pushedFps, encodedFps, sentFps, receivedFps, minReceivedFps, videoKbps, qualityLimitation);
      System.out.printf(Locale.ROOT, "  received frame sizes in window (frames): %s%n", resolutions);
      System.out.printf(Locale.ROOT, "  pacing lateness ms (worst session, last 1024 pushes): frames p50 %.3f p99 %.3f max %.3f"
              + " | audio p50 %.3f p99 %.3f max %.3f | re-anchors %d%n",
          frameLate[0], frameLate[1], frameLate[2], audioLate[0], audioLate[1], audioLate[2], reanchors);
      if (probe != null) {
        probe.print();
      }
      double[] ff = Arrays.stream(firstFrameMs).filter(d -> !Double.isNaN(d)).sorted().toArray();
      double[] fp = Arrays.stream(firstPushMs).filter(d -> !Double.isNaN(d)).sorted().toArray();
      String accepted = idleSource ? "the idle loop's 200" : "202";
      System.out.printf(Locale.ROOT, "  first content frame after %s ms: received p50 %.0f p95 %.0f (%d of %d sessions); "
              + "pushed p50 %.0f p95 %.0f (%s -> next tick + release-ahead + video-delay); push -> received p50 %.0f%n",
          accepted, percentile(ff, 50), percentile(ff, 95), ff.length, n, percentile(fp, 50), percentile(fp, 95), accepted,
          percentile(ff, 50) - percentile(fp, 50));
      System.out.printf(Locale.ROOT, "  idle (neutral) frames received in window: %d (queue starved if > 0)%n", idleFramesInWindow);
      System.out.printf(Locale.ROOT, "  allocation %.1f MB/s per stream; GC pauses in window: %d, %d ms total, max pause %.1f ms (%s)%n",
          allocMBps, gcCount, gcMs, gcMaxPauseMs, gcMaxPauseWhat);
      System.out.printf(Locale.ROOT, "  allocation by thread group, MB/s per stream: %s%n", groups(allocByGroup));
      if (pushPath != null) {
        System.out.printf(Locale.ROOT, "  push path alone (%.1f s, uploads paused): %d frames + %d chunks pushed; allocated per frame pushed: "
                + "pacer thread %.0f B, pekko threads %.0f B (ticks, release, push messages, status none), all JVM threads %.0f B "
                + "(an I420 frame is %d B); %s%n",
            pushPath.seconds, pushPath.frames, pushPath.chunks, pushPath.pacerBytes / (double) pushPath.frames,
            pushPath.pekkoBytes / (double) pushPath.frames, pushPath.allBytes / (double) pushPath.frames,
            WIDTH * HEIGHT * 3 / 2, groups(pushPath.bytesPerFrameByGroup()));
        System.out.printf(Locale.ROOT, "  streaming only (same window), CPU s per stream-second: server %.3f = %.2f x the encoder "
                + "threads' %.3f | %s (10 ms ticks: coarse for few sessions)%n",
            pushPath.serverCpu(), pushPath.serverCpu() / pushPath.cpuByGroup().getOrDefault("encoder", Double.NaN),
            pushPath.cpuByGroup().getOrDefault("encoder", 0.0), groups3(pushPath.cpuByGroup()));
      }
      System.out.printf(Locale.ROOT, "  live Java heap after full GC: %d MB before sessions, %d MB at end: %.1f MB per session%n",
          heapBeforeMb, heapAfterMb, (heapAfterMb - heapBeforeMb) / (double) n);
      System.out.printf(Locale.ROOT, "  RSS (anonymous) %d MB before sessions, %d MB at end: %.1f MB per session%n",
          rssBeforeKb / 1024, rssAfterKb / 1024, (rssAfterKb - rssBeforeKb) / 1024.0 / n);
      if (idleSource) {
        System.out.printf(Locale.ROOT, "  no upload in the window: every session streams its idle loop (2 s, %.1f MB form, set once)%n",
            uploads());
      } else {
        System.out.printf(Locale.ROOT, "  uploads accepted (202) in window: %d of 2 s (%.1f MB each): POST->202 p50 %.0f ms, max %.0f ms, "
                + "%.0f MB/s per upload (p50); all sessions together ingested %.1f MB/s%n",
            uploadsInWindow, uploads(), uploadMsP50, uploadMsMax, uploadMBpsP50, ingestMBps);
      }
      if (!avOffsetsMs.isEmpty() || markerFlashes > 0) {
        double[] off = avOffsetsMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double maxAbs = Arrays.stream(off).map(Math::abs).max().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "  A/V markers at receiver of session 0: %d flashes, %d beeps, %d paired; "
                + "beep - flash ms p50 %.1f, max |offset| %.1f, in time order %s%n",
            markerFlashes, markerBeeps, off.length, percentile(off, 50), maxAbs,
            round(avOffsetsMs.stream().mapToDouble(Double::doubleValue).toArray()));
        System.out.printf(Locale.ROOT, "  receiver of session 0, inbound-rtp since connect: %s%n", receiverBuffers);
      }
    }

    /** Process CPU minus what is certainly not the server: receivers' decoder and factory threads, the bench's HTTP client. */
    double serverEstimate() {
      return cpuProcess - cpuByCategory.getOrDefault("decoder(recv)", 0.0)
          - cpuByCategory.getOrDefault("receiver-factory", 0.0) - cpuByCategory.getOrDefault("bench-client", 0.0);
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
        why.add(String.format(Locale.ROOT, "encoded %.2f/s, sent %.2f/s of %.2f pushed", encodedFps, sentFps, pushedFps));
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

  /** Mean jitter-buffer delay and audio time-stretch counters of one inbound-rtp, as libwebrtc reports them. */
  static String jitter(String kind, Map<String, Object> in) {
    double delay = in.get("jitterBufferDelay") instanceof Number n ? n.doubleValue() : Double.NaN;
    double emitted = in.get("jitterBufferEmittedCount") instanceof Number n ? n.doubleValue() : Double.NaN;
    String s = String.format(Locale.ROOT, "%s jitter buffer mean %.0f ms", kind, 1000 * delay / emitted);
    if (kind.equals("audio")) {
      s += String.format(Locale.ROOT, ", concealed %s, inserted for deceleration %s, removed for acceleration %s of %s samples",
          in.get("concealedSamples"), in.get("insertedSamplesForDeceleration"), in.get("removedSamplesForAcceleration"),
          in.get("totalSamplesReceived"));
    }
    return s;
  }

  /**
   * Whether a thread is one of the receivers' (the bench's WebRTC viewers'), not the server's: born
   * while a receiver was made or set up (its factory's worker, network and signaling threads, and
   * its audio module's playout thread, which libwebrtc starts once the first receive stream exists
   * and which decodes the audio), or, born later, named for receiving (decoder threads).
   */
  static boolean receiverThread(int tid, Map<Integer, String> births, java.util.Set<Integer> receiverTids) {
    String birth = births.get(tid);
    return receiverTids.contains(tid) || (birth != null && birth.startsWith("recv-"));
  }

  /** The thread group of a thread by its name; {@code receiver}: a receiver's thread (see {@link #receiverThread}). */
  static String category(String comm, boolean receiver) {
    String cat = category(comm);
    if (receiver && !cat.equals("decoder(recv)") && !cat.equals("encoder")) {
      return "receiver-factory";
    }
    return cat;
  }

  static String category(String comm) {
    String c = comm.toLowerCase(Locale.ROOT);
    if (c.startsWith("avpush-pacer")) {
      return "pacer";
    }
    if (c.startsWith("avpush-avpush")) {
      return "decode-dispatcher";
    }
    if (c.startsWith("avpush-pekko") || c.startsWith("avpush-schedul")) {
      return "pekko";
    }
    if (c.contains("encod")) {
      return "encoder";
    }
    if (c.contains("decod") || c.contains("incomingvideo")) {
      return "decoder(recv)";
    }
    if (c.startsWith("httpclient") || c.startsWith("bench-")) {
      return "bench-client";
    }
    if (c.startsWith("gc thread") || c.startsWith("g1 ") || c.startsWith("vm thread") || c.startsWith("z")
        || c.startsWith("shenandoah") || c.startsWith("pargc") || c.startsWith("conc")) {
      return "gc";
    }
    if (c.startsWith("c1 compiler") || c.startsWith("c2 compiler")) {
      return "jit";
    }
    return "other";
  }

  static String groups0(Map<String, Double> values) {
    StringBuilder sb = new StringBuilder();
    values.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
        .forEach(e -> sb.append(String.format(Locale.ROOT, "%s %.0f  ", e.getKey(), e.getValue())));
    return sb.toString().trim();
  }

  static String groups3(Map<String, Double> values) {
    StringBuilder sb = new StringBuilder();
    values.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
        .forEach(e -> sb.append(String.format(Locale.ROOT, "%s %.3f  ", e.getKey(), e.getValue())));
    return sb.toString().trim();
  }

  static String groups(Map<String, Double> values) {
    StringBuilder sb = new StringBuilder();
    values.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
        .forEach(e -> sb.append(String.format(Locale.ROOT, "%s %.1f  ", e.getKey(), e.getValue())));
    return sb.toString().trim();
  }

  /** Allocation on the push path alone: a window with the servers' uploads paused, every session still streaming. */
  record PushPath(double seconds, long frames, long chunks, long pacerBytes, long pekkoBytes, long allBytes,
      Map<String, Long> bytesByGroup, Map<String, Double> cpuByGroup) {

    /** CPU s per stream-second of the server's threads (not receivers, not the bench client) while streaming only. */
    double serverCpu() {
      double sum = 0;
      for (Map.Entry<String, Double> e : cpuByGroup.entrySet()) {
        if (!List.of("decoder(recv)", "receiver-factory", "bench-client").contains(e.getKey())) {
          sum += e.getValue();
        }
      }
      return sum;
    }

    Map<String, Double> bytesPerFrameByGroup() {
      Map<String, Double> m = new TreeMap<>();
      bytesByGroup.forEach((k, v) -> m.put(k + " B/frame", v / (double) frames));
      return m;
    }
  }

  static String categories(Result r) {
    StringBuilder sb = new StringBuilder();
    for (String k : List.of("encoder", "decoder(recv)", "receiver-factory", "pacer", "pekko", "decode-dispatcher",
        "bench-client", "gc", "jit", "other")) {
      sb.append(String.format(Locale.ROOT, "%s %.3f  ", k, r.cpuByCategory.getOrDefault(k, 0.0)));
    }
    return sb.toString().trim();
  }

  static String topThreads(Result r, int count) {
    return r.cpuByThreadName.entrySet().stream()
        .sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
        .limit(count)
        .map(e -> String.format(Locale.ROOT, "%s=%.3f", e.getKey(), e.getValue()))
        .reduce((x, y) -> x + ", " + y).orElse("");
  }

  // ---------------------------------------------------------------------------------------------
  // Ingestion: how fast the server takes uploads, with nobody watching.

  /**
   * Uploads the segment {@code count} times back to back to one session without a viewer (the
   * segments queue) and prints MB/s of POST -> 202 (HTTP multipart parsing + WAV/bgr24 decoding),
   * then the decoding alone ({@link io.avpush.playout.SegmentDecoder}, one thread, no HTTP).
   */
  static void ingest(byte[] body, byte[] wav, byte[] bgr, int count) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Config config = ConfigFactory.parseString("avpush.http.host = \"127.0.0.1\"\navpush.http.port = " + port
            + "\npekko.loglevel = WARNING\n")
        .withFallback(ClusterConfig.load(ConfigFactory.empty()));
    AvpushSettings settings = AvpushSettings.from(config);
    WebRtcEngine engine = WebRtcEngine.start(WebRtcTransports.iceServers(settings.webrtc()));
    PushPacer pacer = new PushPacer(settings.media().pacerSpin().toNanos());
    ActorSystem<Void> system = ActorSystem.create(Guardian.create(settings, new WebRtcTransports(engine), pacer), "avpush", config);
    String base = "http://127.0.0.1:" + port;
    try {
      awaitHttp(base);
      // Warm-up: as many uploads to a session of their own (then deleted, so that the measured
      // session's queue starts empty), so that the JIT has compiled the upload path.
      String warm = ingestSession(base);
      for (int i = 0; i < count; i++) {
        ingestUpload(base, warm, body);
      }
      HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + warm)).DELETE().build(),
          HttpResponse.BodyHandlers.discarding());
      String id = ingestSession(base);
      double[] ms = new double[count];
      Map<Integer, ThreadCpu> cpuBefore = procThreadCpu();
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        ingestUpload(base, id, body);
        ms[i] = (System.nanoTime() - start) / 1e6;
      }
      Map<String, Double> serverCpuMsByGroup = ingestCpuMs(cpuBefore, procThreadCpu());
      HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/sessions/" + id)).DELETE().build(),
          HttpResponse.BodyHandlers.discarding());
      io.avpush.playout.UploadedMedia upload = new io.avpush.playout.UploadedMedia(wav, bgr, WIDTH, HEIGHT, String.valueOf(FPS));
      double[] decodeMs = decodeMs(upload, new WebRtcTransports(engine).frameConverter(), count);
      double[] javaDecodeMs = decodeMs(upload, io.avpush.media.FrameConverter.JAVA, count);
      Arrays.sort(ms);
      System.out.printf(Locale.ROOT, "%ningestion, one session without viewer, %d uploads (after as many to warm up) of %.1f MB (2 s: WAV %.1f MB + bgr24 %.1f MB) "
              + "back to back: POST->202 p50 %.0f ms = %.0f MB/s (HTTP multipart + decoding); decoding alone (SegmentDecoder, "
              + "one thread, CPU time) p50 %.0f ms = %.0f MB/s with libyuv as served, %.0f ms = %.0f MB/s with the Java "
              + "conversion; load %s%n",
          count, body.length / 1e6, wav.length / 1e6, bgr.length / 1e6, percentile(ms, 50), body.length / 1e3 / percentile(ms, 50),
          percentile(decodeMs, 50), (wav.length + bgr.length) / 1e3 / percentile(decodeMs, 50),
          percentile(javaDecodeMs, 50), (wav.length + bgr.length) / 1e3 / percentile(javaDecodeMs, 50), loadavg());
      double serverCpuMs = serverCpuMsByGroup.values().stream().mapToDouble(Double::doubleValue).sum();
      double megabytes = (double) count * body.length / 1e6;
      double streamMBps = body.length / 1e6 / (SEGMENT_FRAMES / (double) FPS);
      double jitMs = serverCpuMsByGroup.getOrDefault("jit", 0.0);
      System.out.printf(Locale.ROOT, "ingestion CPU (the server's threads, not the upload client's): %.2f CPU ms per MB "
              + "= %.0f MB per CPU second, %.2f ms per MB without the JIT compiler threads (still compiling the client's "
              + "and the server's per-request code after %d warm-up uploads; a long-running server has compiled it); a raw "
              + "bgr24 512x512@30 stream (%.1f MB/s uploaded) costs %.3f CPU s per stream-second to ingest (%.3f without "
              + "JIT); by thread group, ms per MB: %s%n",
          serverCpuMs / megabytes, megabytes / (serverCpuMs / 1000), (serverCpuMs - jitMs) / megabytes, count, streamMBps,
          serverCpuMs / megabytes * streamMBps / 1000, (serverCpuMs - jitMs) / megabytes * streamMBps / 1000,
          groups3(perMegabyte(serverCpuMsByGroup, megabytes)));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
      pacer.close();
      engine.close();
    }
  }

  /** A multipart form (built with {@link #BOUNDARY}) sent to {@code url}. */
  static HttpResponse<String> sendForm(String method, String url, byte[] form) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(form)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String ingestSession(String base) throws Exception {
    return postJson(base + "/api/sessions", "{\"fps\":" + FPS + ",\"width\":" + WIDTH + ",\"height\":" + HEIGHT + "}", 201)
        .get("sessionId").asText();
  }

  private static void ingestUpload(String base, String sessionId, byte[] body) throws Exception {
    HttpResponse<String> resp = sendForm("POST", base + "/api/sessions/" + sessionId + "/segments", body);
    if (resp.statusCode() != 202) {
      throw new IllegalStateException("ingest upload answered " + resp.statusCode() + ": " + resp.body());
    }
  }

  /**
   * CPU ms by thread group between two readings of every thread, without the upload's client (the
   * JDK HttpClient's threads, the bench's own, and the main thread that waits for its replies).
   */
  static Map<String, Double> ingestCpuMs(Map<Integer, ThreadCpu> before, Map<Integer, ThreadCpu> after) {
    Map<String, Double> ms = new TreeMap<>();
    after.forEach((tid, now) -> {
      String group = category(now.comm());
      if (group.equals("bench-client") || now.comm().equals("java")) {
        return;
      }
      long ticks = now.ticksSince(before.get(tid));
      ms.merge(group, ticks * 10.0, Double::sum); // CLK_TCK 100 (scripts/bench.sh checks)
    });
    return ms;
  }

  static Map<String, Double> perMegabyte(Map<String, Double> ms, double megabytes) {
    Map<String, Double> result = new TreeMap<>();
    ms.forEach((k, v) -> result.put(k, v / megabytes));
    return result;
  }

  /** CPU ms of this thread to decode {@code upload} (after one warm-up), sorted. */
  static double[] decodeMs(io.avpush.playout.UploadedMedia upload, io.avpush.media.FrameConverter converter, int count)
      throws Exception {
    java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] ms = new double[count];
    for (int i = -1; i < count; i++) {
      long start = threads.getCurrentThreadCpuTime();
      io.avpush.playout.SegmentDecoder.decode("ingest-" + i, upload, FrameRate.parse(String.valueOf(FPS)), WIDTH, HEIGHT,
          120_000_000_000L, 0x000000, converter);
      if (i >= 0) {
        ms[i] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
      }
    }
    Arrays.sort(ms);
    return ms;
  }

  // ---------------------------------------------------------------------------------------------
  // Markdown.

  static void printMarkdown(List<Result> results, List<Result> markerRuns, int seconds) {
    System.out.println();
    System.out.println("### avpush StreamBench (512x512, 30 fps, " + seconds + " s window per run, "
        + (idleSource ? "source=idle: idle loops, no uploads" : "source=upload: 2 s segments uploaded continuously") + ")");
    System.out.println();
    System.out.println("CPU seconds per stream-second (1.0 = one core per stream). Receivers and the upload client run in the");
    System.out.println("same JVM; 'server est.' = process minus receiver decoder/factory threads and bench client. Thread groups");
    System.out.println("by /proc/self/task name: encoder = EncoderQueue+AudioEncoder, decoder = DecodingQueue+IncomingVideoStream,");
    System.out.println("recv factory = the receivers' other threads (born while a receiver was set up: its factory's worker/network/");
    System.out.println("signaling threads and its audio module's playout thread, which decodes the audio), other = server libwebrtc");
    System.out.println("worker/network/audio-module threads, Pekko scheduler, misc.");
    System.out.println();
    System.out.println("| sessions | process | server est. | encoder thr | decoder thr (recv) | recv factory thr | pacer | pekko | upload decode | bench client | GC thr | JIT thr | other | cores busy: this JVM / other processes | load avg (start -> end) |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for (Result r : results) {
      Map<String, Double> c = r.cpuByCategory;
      System.out.printf(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f / %.2f | %s -> %s |%n",
          r.n, r.cpuProcess, r.serverEstimate(), c.getOrDefault("encoder", 0.0), c.getOrDefault("decoder(recv)", 0.0),
          c.getOrDefault("receiver-factory", 0.0),
          c.getOrDefault("pacer", 0.0), c.getOrDefault("pekko", 0.0), c.getOrDefault("decode-dispatcher", 0.0),
          c.getOrDefault("bench-client", 0.0), c.getOrDefault("gc", 0.0), c.getOrDefault("jit", 0.0), c.getOrDefault("other", 0.0),
          r.processCores, r.othersCores, r.loadStart, r.loadEnd);
    }
    System.out.println();
    System.out.println("| sessions | frames/s pushed / encoded / sent / received (per stream) | quality limit (received sizes) | frame push late ms p50/p99/max | audio push late ms p50/p99/max | first frame ms p50/p95 (pushed p50) | idle frames | alloc MB/s per stream | push path B/frame pacer / pekko / all | GC max pause ms | RSS MB per session (off-heap) | live heap MB per session | upload 47 MB POST->202 ms p50 (MB/s) |");
    System.out.println("|---:|---|---|---|---|---|---:|---:|---|---:|---:|---:|---|");
    for (Result r : results) {
      double[] ff = Arrays.stream(r.firstFrameMs).filter(d -> !Double.isNaN(d)).sorted().toArray();
      double[] fp = Arrays.stream(r.firstPushMs).filter(d -> !Double.isNaN(d)).sorted().toArray();
      PushPath pp = r.pushPath;
      String pushPath = pp == null || pp.frames() == 0 ? "-" : String.format(Locale.ROOT, "%.0f / %.0f / %.0f",
          pp.pacerBytes() / (double) pp.frames(), pp.pekkoBytes() / (double) pp.frames(), pp.allBytes() / (double) pp.frames());
      System.out.printf(Locale.ROOT, "| %d | %.1f / %.1f / %.1f / %.1f | %s %s | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %.0f / %.0f (%.0f) | %d | %.1f | %s | %.1f | %.1f | %.1f | %.0f (%.0f) |%n",
          r.n, r.pushedFps, r.encodedFps, r.sentFps, r.receivedFps, r.qualityLimitation,
          r.resolutions.keySet(),
          r.frameLate[0], r.frameLate[1], r.frameLate[2], r.audioLate[0], r.audioLate[1], r.audioLate[2],
          percentile(ff, 50), percentile(ff, 95), percentile(fp, 50), r.idleFramesInWindow, r.allocMBps, pushPath, r.gcMaxPauseMs,
          (r.rssAfterKb - r.rssBeforeKb) / 1024.0 / r.n, (r.heapAfterMb - r.heapBeforeMb) / (double) r.n, r.uploadMsP50, r.uploadMBpsP50);
    }
    if (!markerRuns.isEmpty()) {
      System.out.println();
      System.out.println("A/V marker offset at the receiver of session 0 (beep onset - flash frame arrival; positive = audio later):");
    }
    for (Result markerRun : markerRuns) {
      double[] off = markerRun.avOffsetsMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf(Locale.ROOT, "- %s, %.0f s: %d pairs, p50 %.1f ms, "
              + "max |offset| %.1f ms; load %s -> %s%n",
          markerRun.label, markerRun.windowS, off.length, percentile(off, 50),
          Arrays.stream(off).map(Math::abs).max().orElse(Double.NaN), markerRun.loadStart, markerRun.loadEnd);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Media.

  /** 48 kHz mono: voiced harmonics on a wandering pitch, syllable envelope, a little noise. */
  static short[] speechLike(int samples) {
    Random rnd = new Random(7);
    short[] pcm = new short[samples];
    double phase = 0;
    for (int i = 0; i < samples; i++) {
      double t = (double) i / RATE;
      double f0 = 120 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
      phase += 2 * Math.PI * f0 / RATE;
      double voiced = 0;
      for (int h = 1; h <= 8; h++) {
        voiced += Math.sin(h * phase) / h;
      }
      double env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
      double v = 0.15 * env * voiced + 0.01 * rnd.nextGaussian();
      pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(v * 32767)));
    }
    return pcm;
  }

  /**
   * bgr24 frames: a noise-textured colour gradient panning 3 px per frame, with two noise-textured
   * discs moving across it, so that every macroblock changes and motion search has real work.
   * Mean luma stays far from the idle frame's (30) and below the flash detector's 180.
   */
  static byte[] movingFrames(int count) {
    Random rnd = new Random(11);
    int tw = 1024;
    byte[] texture = new byte[tw * tw];
    rnd.nextBytes(texture);
    byte[] out = new byte[count * WIDTH * HEIGHT * 3];
    for (int f = 0; f < count; f++) {
      int base = f * WIDTH * HEIGHT * 3;
      int pan = 3 * f;
      double c1x = 256 + 180 * Math.cos(2 * Math.PI * f / 60.0);
      double c1y = 256 + 180 * Math.sin(2 * Math.PI * f / 60.0);
      double c2x = (f * 7) % WIDTH;
      double c2y = 300 + 60 * Math.sin(2 * Math.PI * f / 20.0);
      for (int y = 0; y < HEIGHT; y++) {
        for (int x = 0; x < WIDTH; x++) {
          int noise = (texture[((y + pan / 2) & (tw - 1)) * tw + ((x + pan) & (tw - 1))] & 0xff) / 8 - 16;
          int r = 60 + (x + pan) % 256 / 3 + noise;
          int g = 70 + y / 4 + noise;
          int b = 90 + ((x + y + 2 * pan) % 256) / 4 + noise;
          double d1 = (x - c1x) * (x - c1x) + (y - c1y) * (y - c1y);
          double d2 = (x - c2x) * (x - c2x) + (y - c2y) * (y - c2y);
          if (d1 < 70 * 70) {
            int tn = (texture[((y - (int) c1y) & (tw - 1)) * tw + ((x - (int) c1x) & (tw - 1))] & 0xff) / 4;
            r = 200 - tn / 2;
            g = 150 + tn / 4;
            b = 40 + tn / 2;
          } else if (d2 < 50 * 50) {
            r = 30 + noise;
            g = 120 + noise;
            b = 200 + noise;
          }
          int p = base + (y * WIDTH + x) * 3;
          out[p] = (byte) clamp(b);
          out[p + 1] = (byte) clamp(g);
          out[p + 2] = (byte) clamp(r);
        }
      }
    }
    return out;
  }

  /** bgr24 of TestSignal's marker clip: grey 48 background, a grey 160 bar moving right, white marker frames. */
  static byte[] markerFrames(MarkerClip clip) {
    int count = clip.i420Frames().length;
    java.util.Set<Long> markers = new java.util.HashSet<>();
    for (long m : clip.markerFrameIndices()) {
      markers.add(m);
    }
    int barWidth = Math.max(2, WIDTH / 16);
    int barStep = Math.max(1, WIDTH / 60);
    byte[] out = new byte[count * WIDTH * HEIGHT * 3];
    for (int f = 0; f < count; f++) {
      int base = f * WIDTH * HEIGHT * 3;
      if (markers.contains((long) f)) {
        Arrays.fill(out, base, base + WIDTH * HEIGHT * 3, (byte) 255);
        continue;
      }
      int barX = (int) ((long) f * barStep % WIDTH);
      for (int y = 0; y < HEIGHT; y++) {
        for (int x = 0; x < WIDTH; x++) {
          byte v = (byte) (x >= barX && x < barX + barWidth ? 160 : 48);
          int p = base + (y * WIDTH + x) * 3;
          out[p] = v;
          out[p + 1] = v;
          out[p + 2] = v;
        }
      }
    }
    return out;
  }

  static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  static byte[] wav(short[] pcm) {
    ByteBuffer b = ByteBuffer.allocate(44 + pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + pcm.length * 2)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(RATE).putInt(RATE * 2).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm.length * 2);
    for (short s : pcm) {
      b.putShort(s);
    }
    return b.array();
  }

  /**
   * 39 characters, about as long as curl's and most clients' (and the Python client's before it
   * went to 70): Pekko finds the boundary with Boyer-Moore, whose cost per MB falls with the
   * boundary's length (17 characters: 1.32 ms per MB on Pekko's threads, 39: 1.08, 67: 0.92), so a
   * short one would measure the server against an unusual client. -Davpush.bench.boundary=... sets another.
   */
  static final String BOUNDARY = System.getProperty("avpush.bench.boundary", "avpush-5f0c3e9a1b7d4e2f8a6c0b9d3e1f7a2c");

  static byte[] multipart(byte[] wav, byte[] bgr) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(wav.length + bgr.length + 2048);
    field(out, "width", String.valueOf(WIDTH));
    field(out, "height", String.valueOf(HEIGHT));
    field(out, "fps", String.valueOf(FPS));
    file(out, "audio", "speech.wav", "audio/wav", wav);
    file(out, "video", "frames.bgr", "application/octet-stream", bgr);
    out.write(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static void field(ByteArrayOutputStream out, String name, String value) throws IOException {
    out.write(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
  }

  private static void file(ByteArrayOutputStream out, String name, String filename, String type, byte[] data)
      throws IOException {
    out.write(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename
        + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(data);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  // ---------------------------------------------------------------------------------------------
  // Measuring helpers.

  /** Max GC pause seen while {@link #measuring}, from the collectors' notifications. */
  static final class Gc {
    static volatile boolean measuring;
    static volatile double maxPauseMs;
    static volatile String maxPauseWhat = "";

    static {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener((notification, handback) -> {
            if (!measuring || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
              return;
            }
            GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            // "... Cycles" (ZGC, Shenandoah) and G1's "Concurrent GC" report concurrent work, not pauses
            String name = info.getGcName();
            if (!name.contains("Concurrent") && !name.contains("Cycles") && info.getGcInfo().getDuration() > maxPauseMs) {
              maxPauseMs = info.getGcInfo().getDuration();
              maxPauseWhat = info.getGcName() + " / " + info.getGcAction() + " / " + info.getGcCause();
            }
          }, null, null);
        }
      }
    }
  }

  /** utime + stime (clock ticks) and name of every thread of this process, native ones included. */
  static Map<Integer, ThreadCpu> procThreadCpu() {
    Map<Integer, ThreadCpu> result = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String comm = stat.substring(open + 1, close);
          String[] rest = stat.substring(close + 2).split(" ");
          // rest[0] is field 3 (state); utime is field 14, stime field 15
          long ticks = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
          result.put(Integer.parseInt(task.getFileName().toString()), new ThreadCpu(comm, ticks));
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return result;
  }

  /** Context switches (voluntary + involuntary) of every thread of this process: how often each was woken or preempted. */
  static Map<Integer, Long> procThreadSwitches() {
    Map<Integer, Long> result = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          long sum = 0;
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
              sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
          result.put(Integer.parseInt(task.getFileName().toString()), sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return result;
  }

  /** Busy and total jiffies summed over all CPUs, from the first line of /proc/stat. */
  static long[] machineJiffies() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
      for (int i = 1; i <= 8 && i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      return new long[] {total - idle, total};
    } catch (IOException e) {
      return new long[] {0, 0};
    }
  }

  static long liveHeapMb() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
  }

  static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      // Anonymous memory only: ZGC maps its heap as shared memory three times, which VmRSS counts thrice.
      if (line.startsWith("RssAnon:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  static String loadavg() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  static double percentile(double[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1);
    return sorted[Math.max(0, index)];
  }

  static String round(double[] values) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", values[i]));
    }
    return sb.append(']').toString();
  }

  static void awaitHttp(String base) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/sessions")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("server did not listen on " + base + " within 20 s");
      }
      Thread.sleep(100);
    }
  }

  static JsonNode postJson(String url, String json, int expected) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException("POST " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  static JsonNode getJson(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private StreamBench() {}
}
