package io.avpush.webrtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The multi-host check of the cluster (run by scripts/multihost-test.sh, which starts three nodes,
 * each in its own network namespace, and this viewer in a fourth): a webrtc-java viewer connects
 * through node 1 to a session served by node 3 and receives its media from node 3's address; node
 * 2 is then killed and the viewer must keep receiving without a gap; a new session must then be
 * created. Prints figures; exits 1 on any failure.
 *
 * <p>Arguments: node1 URL, node2 URL, node3 URL, node 3's IP address, node 2's pid.
 */
public final class MultiHostCheck {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final long MAX_GAP_MS = 400;

  private MultiHostCheck() {}

  public static void main(String[] args) throws Exception {
    String node1 = args[0];
    String node3 = args[2];
    String node3Ip = args[3];
    long node2Pid = Long.parseLong(args[4]);

    String tag3 = json(send("GET", node3 + "/api/cluster", null, null)).get("selfTag").asText();
    String id = null;
    for (int i = 0; i < 5 && id == null; i++) {
      String made = json(send("POST", node3 + "/api/sessions", "application/json", "{\"width\":320,\"height\":240}".getBytes(StandardCharsets.UTF_8)))
          .get("sessionId").asText();
      if (made.startsWith(tag3 + "-")) {
        id = made;
      }
    }
    check(id != null, "a session made through node 3 is placed on node 3 (tag " + tag3 + ")");
    System.out.println("session " + id + " is served by node 3");

    try (TestViewer viewer = TestViewer.create()) {
      String offer = viewer.createOffer().toCompletableFuture().join();
      JsonNode answer = json(send("POST", node1 + "/api/sessions/" + id + "/offer", "application/json",
          JSON.writeValueAsBytes(java.util.Map.of("sdp", offer, "type", "offer"))));
      String sdp = answer.get("sdp").asText();
      List<String> candidates = sdp.lines().filter(l -> l.startsWith("a=candidate")).toList();
      check(!candidates.isEmpty() && candidates.stream().allMatch(c -> c.contains(" " + node3Ip + " ")),
          "the answer (asked through node 1) carries node 3's candidates only: " + candidates);
      System.out.println("answer through node 1 carries node 3's candidates: " + candidates.size() + " on " + node3Ip);
      viewer.acceptAnswer(sdp);
      check(viewer.awaitConnected(Duration.ofSeconds(20)), "the viewer connects to node 3");

      // 40 s of tone and 10 frames (held), uploaded through node 1 and streamed to node 3.
      int status = upload(node1 + "/api/sessions/" + id + "/segments", 40.0, 320, 240);
      check(status == 202, "upload through node 1 answered " + status);
      waitFor(() -> viewer.frames().size() > 300, Duration.ofSeconds(30), "10 s of frames from node 3");
      int before = viewer.frames().size();
      long killNs = System.nanoTime();
      ProcessHandle.of(node2Pid).orElseThrow().destroyForcibly();
      System.out.println("killed node 2 (pid " + node2Pid + ")");
      Thread.sleep(15_000);
      List<TestViewer.FrameArrival> frames = viewer.frames();
      long maxGapMs = 0;
      long maxGapBeforeMs = 0;
      int after = 0;
      for (int i = 1; i < frames.size(); i++) {
        long gapMs = (frames.get(i).arrivalNanos() - frames.get(i - 1).arrivalNanos()) / 1_000_000;
        if (frames.get(i).arrivalNanos() >= killNs) {
          after++;
          maxGapMs = Math.max(maxGapMs, gapMs);
        } else if (i > 30) {
          maxGapBeforeMs = Math.max(maxGapBeforeMs, gapMs);
        }
      }
      System.out.printf("FIGURE multi-host: %d frames before the kill (largest gap after the first second %d ms), "
          + "%d in the 15 s after (%.1f/s, largest gap %d ms)%n", before, maxGapBeforeMs, after, after / 15.0, maxGapMs);
      check(after > 15 * 20, "the viewer kept receiving after node 2 died: " + after + " frames in 15 s");
      check(maxGapMs < MAX_GAP_MS, "no gap in node 3's stream while node 2 died: largest " + maxGapMs + " ms");

      long createNs = System.nanoTime();
      int created = 0;
      while (created != 201 && System.nanoTime() - createNs < Duration.ofSeconds(30).toNanos()) {
        created = send("POST", node1 + "/api/sessions", "application/json", "{}".getBytes(StandardCharsets.UTF_8)).statusCode();
      }
      check(created == 201, "a new session is created after node 2 died");
      System.out.printf("FIGURE multi-host: new session created through node 1 in %d ms (%d ms after the kill)%n",
          (System.nanoTime() - createNs) / 1_000_000, (System.nanoTime() - killNs) / 1_000_000);
    }
    System.out.println("multi-host check passed");
    System.exit(0);
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      System.out.println("FAILED: " + what);
      System.exit(1);
    }
    System.out.println("ok: " + what);
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        check(false, what + " within " + timeout);
      }
      Thread.sleep(50);
    }
    System.out.println("ok: " + what + " within " + timeout);
  }

  private static HttpResponse<String> send(String method, String url, String type, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static int upload(String url, double seconds, int width, int height) throws Exception {
    short[] pcm = new short[(int) (seconds * 48_000)];
    for (int n = 0; n < pcm.length; n++) {
      pcm[n] = (short) Math.round(0.2 * 32767 * Math.sin(2 * Math.PI * 440 * n / 48_000.0));
    }
    ByteBuffer wav = ByteBuffer.allocate(44 + 2 * pcm.length).order(ByteOrder.LITTLE_ENDIAN);
    wav.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 2 * pcm.length).put("WAVE".getBytes(StandardCharsets.US_ASCII))
        .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
        .putInt(48_000).putInt(96_000).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * pcm.length);
    for (short s : pcm) {
      wav.putShort(s);
    }
    byte[] frames = new byte[width * height * 3 * 10];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = (byte) (i / (width * height * 3) * 20);
    }
    String boundary = "avpush-multihost";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    part(body, boundary, "audio", "a.wav", wav.array());
    part(body, boundary, "video", "v.bgr", frames);
    part(body, boundary, "width", null, ("" + width).getBytes(StandardCharsets.UTF_8));
    part(body, boundary, "height", null, ("" + height).getBytes(StandardCharsets.UTF_8));
    part(body, boundary, "fps", null, "1".getBytes(StandardCharsets.UTF_8));
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = send("POST", url, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    System.out.println("upload of " + body.size() + " bytes through node 1: " + r.statusCode() + " " + r.body());
    return r.statusCode();
  }

  private static void part(ByteArrayOutputStream out, String boundary, String name, String file, byte[] bytes) {
    out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
        + (file == null ? "" : "; filename=\"" + file + "\"") + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(bytes);
    out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
  }
}
