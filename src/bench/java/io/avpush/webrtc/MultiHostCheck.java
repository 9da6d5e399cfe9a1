package io.avpush.webrtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.SyntheticMedia;
import java.net.URI;
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
    private static final long MAX_GAP_MS = 400;

    private MultiHostCheck() {}

    public static void main(String[] args) throws Exception {
        String node1 = args[0];
        String node3 = args[2];
        String node3Ip = args[3];
        long node2Pid = Long.parseLong(args[4]);

        ApiClient api1 = new ApiClient(URI.create(node1), Duration.ofSeconds(30));
        ApiClient api3 = new ApiClient(URI.create(node3), Duration.ofSeconds(30));
        String tag3 = json(api3.get("/api/cluster")).get("selfTag").asText();
        String id = null;
        for (int i = 0; i < 5 && id == null; i++) {
            String made = json(api3.postJson("/api/sessions", "{\"width\":320,\"height\":240}"))
                    .get("sessionId")
                    .asText();
            if (made.startsWith(tag3 + "-")) {
                id = made;
            }
        }
        check(id != null, "a session made through node 3 is placed on node 3 (tag " + tag3 + ")");
        System.out.println("session " + id + " is served by node 3");

        try (TestViewer viewer = TestViewer.create()) {
            String offer = viewer.createOffer().toCompletableFuture().join();
            JsonNode answer = json(api1.postJson(
                    "/api/sessions/" + id + "/offer",
                    JSON.writeValueAsString(java.util.Map.of("sdp", offer, "type", "offer"))));
            String sdp = answer.get("sdp").asText();
            List<String> candidates =
                    sdp.lines().filter(l -> l.startsWith("a=candidate")).toList();
            check(
                    !candidates.isEmpty() && candidates.stream().allMatch(c -> c.contains(" " + node3Ip + " ")),
                    "the answer (asked through node 1) carries node 3's candidates only: " + candidates);
            System.out.println(
                    "answer through node 1 carries node 3's candidates: " + candidates.size() + " on " + node3Ip);
            viewer.acceptAnswer(sdp);
            check(viewer.awaitConnected(Duration.ofSeconds(20)), "the viewer connects to node 3");

            // 40 s of tone and 10 frames (held), uploaded through node 1 and streamed to node 3.
            int status = upload(api1, "/api/sessions/" + id + "/segments", 40.0, 320, 240);
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
            System.out.printf(
                    "FIGURE multi-host: %d frames before the kill (largest gap after the first second %d ms), "
                            + "%d in the 15 s after (%.1f/s, largest gap %d ms)%n",
                    before, maxGapBeforeMs, after, after / 15.0, maxGapMs);
            check(after > 15 * 20, "the viewer kept receiving after node 2 died: " + after + " frames in 15 s");
            check(maxGapMs < MAX_GAP_MS, "no gap in node 3's stream while node 2 died: largest " + maxGapMs + " ms");

            long createNs = System.nanoTime();
            int created = 0;
            while (created != 201
                    && System.nanoTime() - createNs < Duration.ofSeconds(30).toNanos()) {
                created = api1.postJson("/api/sessions", "{}").status();
            }
            check(created == 201, "a new session is created after node 2 died");
            System.out.printf(
                    "FIGURE multi-host: new session created through node 1 in %d ms (%d ms after the kill)%n",
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

    private static void waitFor(java.util.function.BooleanSupplier condition, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                check(false, what + " within " + timeout);
            }
            Thread.sleep(50);
        }
        System.out.println("ok: " + what + " within " + timeout);
    }

    private static JsonNode json(ApiClient.Reply r) {
        if (r.status() >= 300 || r.json() == null) {
            throw new IllegalStateException(r.toString());
        }
        return r.json();
    }

    /** {@code seconds} of a 440 Hz tone and ten held frames of rising grey, as one upload through {@code api}. */
    private static int upload(ApiClient api, String path, double seconds, int width, int height) throws Exception {
        byte[] frames = new byte[width * height * 3 * 10];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = (byte) (i / (width * height * 3) * 20);
        }
        List<Part> parts = List.of(
                Part.file("audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(seconds), 48_000)),
                Part.file("video", "v.bgr", frames),
                Part.field("width", "" + width),
                Part.field("height", "" + height),
                Part.field("fps", "1"));
        ApiClient.Reply r = api.postParts(path, parts);
        System.out.println("upload of " + ApiClient.multipart(parts).length + " bytes through node 1: " + r.status()
                + " " + r.body());
        return r.status();
    }
}
