package io.avpush.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.avpush.media.FrameRate;
import io.avpush.netlab.Impairment;
import io.avpush.netlab.NetworkLab;
import io.avpush.testing.ApiClient;
import io.avpush.testing.InProcessNode;
import io.avpush.testing.SyntheticMedia;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Lip sync as one viewer gets it, from the first second after connect: the real avpush node
 * streams its marker clip (a white flash and a beep at the same media instant, once a second) to a
 * browser page, the page's {@code watch.js} dates every flash it displays, and a listener at the
 * browser's loudspeaker ({@link PulseListener}) dates every beep it plays. offset = beep − flash.
 * The viewer is one of {@link Viewer}; none of them gets any help from the lab beyond watching.
 *
 * <p>The lab drives the session as a producer would: back to back (every segment queued at once)
 * or with a gap of idle after each segment. With {@link Options#down}/{@link Options#up} other than
 * a clean path, the browser runs on a viewer host behind the {@link NetworkLab}. Run as root inside
 * {@code scripts/in-netns.sh}; figures, the raw result and the logs go to {@link Options#out}.
 */
final class SyncLab {

    /** Who watches. */
    enum Viewer {
        /** {@code lab/plain.html}: what any web developer writes, JSON offer API. */
        PLAIN("plain"),
        /** {@code lab/plain.html} through WHEP ({@code POST /whep/{id}} with the viewer token). */
        PLAIN_WHEP("plain-whep"),
        /** Eyevinn's {@code @eyevinn/webrtc-player} given only the WHEP URL (and the viewer token). */
        EYEVINN("eyevinn"),
        /** avpush's own demo page ({@code /?session=ID}). */
        DEMO("demo");

        final String label;

        Viewer(String label) {
            this.label = label;
        }

        static Viewer parse(String text) {
            for (Viewer v : values()) {
                if (v.label.equals(text) || v.name().equalsIgnoreCase(text)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown viewer '" + text + "': plain, plain-whep, eyevinn or demo");
        }
    }

    /**
     * One run.
     *
     * @param seconds how long the segments play (10 s each)
     * @param gapMs 0: every segment queued at once (back to back); more: each posted this long after the previous ended
     * @param down what the path does to avpush's packets (Impairment.Settings.NONE: no lab)
     * @param up what it does to the viewer's
     * @param idleFirstMs how long the viewer watches the idle session before the first segment is posted
     */
    record Options(
            Viewer viewer,
            String browser,
            int seconds,
            int gapMs,
            String fps,
            int width,
            int height,
            Impairment.Settings down,
            Impairment.Settings up,
            long seed,
            Path out,
            int idleFirstMs) {

        /** As above, the first segment posted as soon as the page shows its first frame. */
        Options(
                Viewer viewer,
                String browser,
                int seconds,
                int gapMs,
                String fps,
                int width,
                int height,
                Impairment.Settings down,
                Impairment.Settings up,
                long seed,
                Path out) {
            this(viewer, browser, seconds, gapMs, fps, width, height, down, up, seed, out, 0);
        }

        boolean impaired() {
            return !down.equals(Impairment.Settings.NONE) || !up.equals(Impairment.Settings.NONE);
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "%s in %s, %d s %s%s, %s fps %dx%d, network %s",
                    viewer.label,
                    browser,
                    seconds,
                    gapMs == 0 ? "back to back" : "with " + gapMs + " ms idle after each segment",
                    idleFirstMs > 0 ? " after " + idleFirstMs + " ms of idle" : "",
                    fps,
                    width,
                    height,
                    impaired() ? "down " + down + " / up " + up + " (seed " + seed + ")" : "clean");
        }
    }

    /** What the run measured; {@link #result} is in measure.html's format for {@link SyncFigures}. */
    record Run(Options options, ObjectNode result, LabFigures figures, Path out) {}

    static final int SEGMENT_MS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SyncLab() {}

    /** Why this machine cannot run the lab with {@code options}, if it cannot. */
    static Optional<String> missingReason(Options options) {
        Optional<String> browser =
                options.browser.equals("firefox") ? HeadlessFirefox.missingReason() : HeadlessChromium.missingReason();
        if (browser.isPresent()) {
            return browser;
        }
        Optional<String> listener = PulseListener.missingReason();
        if (listener.isPresent()) {
            return listener;
        }
        if (options.viewer == Viewer.EYEVINN && !Files.isRegularFile(LabPages.playerBundle())) {
            return Optional.of(
                    LabPages.playerBundle() + " is missing (run scripts/whep-player.sh " + LabPages.buildDir() + ")");
        }
        return options.impaired() ? NetworkLab.missingReason() : Optional.empty();
    }

    static Run run(Options o) throws Exception {
        int segments = Math.max(1, (int) Math.ceil(o.seconds * 1000.0 / SEGMENT_MS));
        return withViewer(o, segments, false, (viewer) -> {
            ObjectNode result = drive(o, viewer.sessionUrl(), segments);
            Thread.sleep(1500); // the last marker's flash and beep reach the viewer
            return result;
        });
    }

    /**
     * After an interrupt, how soon the viewer hears silence: {@code count} times a loud 1 kHz tone
     * (4 s, audio only) is uploaded, and 0.8–1.6 s after it is heard the session is interrupted; the
     * result's {@code interruptToSilenceMs} holds, for each, the time from the interrupt's reply to the
     * tone falling silent at the loudspeaker.
     */
    static Run interrupts(Options o, int count) throws Exception {
        return withViewer(o, 1, false, (viewer) -> {
            ObjectNode result = JSON.createObjectNode();
            ArrayNode latencies = result.putArray("interruptToSilenceMs");
            ApiClient api = new ApiClient(URI.create(viewer.sessionUrl() + "/"));
            short[] tone = new short[4 * 48_000];
            for (int n = 0; n < tone.length; n++) {
                tone[n] = (short) Math.round(0.7 * 32767 * Math.sin(2 * Math.PI * 1000 * n / 48_000.0));
            }
            byte[] wav = SyntheticMedia.wav(tone, 48_000);
            java.util.SplittableRandom random = new java.util.SplittableRandom(o.seed);
            for (int i = 0; i < count; i++) {
                int heardBefore = viewer.listener().beepsEpochMs().size();
                ApiClient.Reply accepted = api.postParts(
                        viewer.sessionUrl() + "/segments", List.of(ApiClient.Part.file("audio", "tone.wav", wav)));
                if (accepted.status() != 202) {
                    throw new IOException("the tone upload got " + accepted);
                }
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (viewer.listener().beepsEpochMs().size() == heardBefore) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the tone was not heard within 5 s of its upload");
                    }
                    Thread.sleep(20);
                }
                Thread.sleep(800 + random.nextInt(800));
                ApiClient.Reply cut = api.postJson(viewer.sessionUrl() + "/interrupt", "");
                double replied = System.currentTimeMillis();
                if (cut.status() != 200) {
                    throw new IOException("the interrupt got " + cut);
                }
                Thread.sleep(1500);
                double silent = viewer.listener().silencesEpochMs().stream()
                        .filter(t -> t > replied - 500)
                        .findFirst()
                        .orElse(Double.NaN);
                latencies.add(Math.round((silent - replied) * 10) / 10.0);
                Thread.sleep(500);
            }
            result.put("expectedMarkers", 0);
            return result;
        });
    }

    /**
     * A network outage while the viewer watches (the lab's path drops every packet both ways for
     * {@code outageMs}, 10 s into a back-to-back run, then carries on as {@link Options#down}/
     * {@link Options#up} say). The result's {@code outage} holds when the path came back
     * ({@code restoredMs}, from {@code epochT0}), when the picture moved again after it
     * ({@code resumedAfterMs}: from the path's return to the first frame shown after the still),
     * and whether avpush still counted the viewer afterwards ({@code viewersAfter}).
     */
    static Run outage(Options o, int outageMs) throws Exception {
        int segments = (int) Math.ceil((10_000.0 + outageMs + 15_000) / SEGMENT_MS);
        return withViewer(o, segments, true, (viewer) -> {
            ObjectNode result = JSON.createObjectNode();
            int markers = 0;
            for (int s = 0; s < segments; s++) {
                markers += markersOf(post(viewer.sessionUrl() + "/demo", ""));
            }
            result.put("expectedMarkers", markers);
            Thread.sleep(10_000);
            Impairment.Settings cut = Impairment.Settings.parse("loss=100");
            double startedMs = System.currentTimeMillis();
            viewer.lab().impair(cut, cut);
            Thread.sleep(outageMs);
            viewer.lab().impair(o.down, o.up);
            double restoredMs = System.currentTimeMillis();
            Thread.sleep(15_000);
            ObjectNode outage = result.putObject("outage");
            outage.put("outageMs", outageMs)
                    .put("startedEpochMs", startedMs)
                    .put("restoredEpochMs", restoredMs)
                    .put(
                            "viewersAfter",
                            get(viewer.sessionUrl()).path("viewersConnected").asInt());
            return result;
        });
    }

    /** The running parts of one run, for its scenario (the lab is null without one). */
    record Viewing(String sessionUrl, PulseListener listener, NetworkLab lab) {}

    interface Scenario {
        ObjectNode play(Viewing viewing) throws Exception;
    }

    private static Run withViewer(Options o, int segments, boolean needsLab, Scenario scenario) throws Exception {
        Files.createDirectories(o.out);
        // An outage run queues its segments at once.
        String config = "avpush.limits.max-queued-duration = " + (segments * SEGMENT_MS / 1000 + 120) + " s";
        NetworkLab lab = null;
        // Firefox gathers no host candidates without a default route; the lab's viewer host has one.
        boolean labbed = o.impaired() || needsLab;
        boolean route = o.browser.equals("firefox") && !labbed;
        try (DefaultRoute ignored = route ? DefaultRoute.ensure() : new DefaultRoute(null);
                InProcessNode server = InProcessNode.start(Duration.ofSeconds(20), "0.0.0.0", config)) {
            if (labbed) {
                lab = NetworkLab.start(o.out.resolve("netlab"), o.down, o.up, o.seed);
            }
            String host = lab != null ? NetworkLab.SERVER_ADDRESS : NAMESPACE_ADDRESS;
            String api = "http://" + host + ":" + server.port();
            try (LabPages pages = LabPages.start(host, server.baseUrl());
                    PulseListener listener = PulseListener.start()) {
                JsonNode session = post(
                        server.baseUrl() + "/api/sessions",
                        "{\"fps\": \"" + o.fps + "\", \"width\": " + o.width + ", \"height\": " + o.height + "}");
                String id = session.path("sessionId").asText();
                String token = session.path("viewerToken").asText();
                String url = pageUrl(o.viewer, pages, api, id, token);
                List<String> prefix = new ArrayList<>(lab != null ? lab.onViewerHost() : List.of());
                if (!o.browser.equals("firefox")) {
                    prefix.addAll(listener.prefix());
                }
                ObjectNode result;
                double epochT0 = System.currentTimeMillis();
                String sessionUrl = server.baseUrl() + "/api/sessions/" + id;
                try (MeasurePage.Browser browser = open(o.browser, url, o.out, prefix, listener)) {
                    awaitFirstFrame(pages, o.viewer.label, o.out);
                    result = scenario.play(new Viewing(sessionUrl, listener, lab));
                    result.set("status", get(sessionUrl));
                }
                if (lab != null) {
                    result.put("network", lab.describe());
                    lab.check();
                }
                result.put("epochT0", epochT0);
                result.put("fps", o.fps);
                result.put("viewer", o.viewer.label);
                result.put("url", url);
                toResult(pages.report(o.viewer.label), epochT0, result);
                Heard heard = Heard.of(result, listener.beepsEpochMs(), listener.clockDriftPpm());
                LabFigures figures = LabFigures.of(heard, result);
                Files.writeString(
                        o.out.resolve("result.json"),
                        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result),
                        StandardCharsets.UTF_8);
                Files.writeString(
                        o.out.resolve("figures.txt"),
                        o.describe() + "\n" + figures.describe() + "\n",
                        StandardCharsets.UTF_8);
                return new Run(o, result, figures, o.out);
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }

    /** avpush's address in {@code scripts/in-netns.sh}'s namespace (libwebrtc and Chromium ignore loopback). */
    static final String NAMESPACE_ADDRESS = "10.203.0.1";

    private static String pageUrl(Viewer viewer, LabPages pages, String api, String id, String token) {
        String report = "&report=" + enc("/lab/report?viewer=" + viewer.label);
        return switch (viewer) {
            case PLAIN ->
                pages.origin() + "/lab/plain.html?api=" + enc(api) + "&session=" + enc(id) + "&token=" + enc(token)
                        + report;
            case PLAIN_WHEP ->
                pages.origin() + "/lab/plain.html?mode=whep&api=" + enc(api) + "&session=" + enc(id) + "&token="
                        + enc(token) + report;
            case EYEVINN ->
                pages.origin() + "/player.html?seconds=100000&whep=" + enc(api + "/whep/" + id) + "&authKey="
                        + enc("Bearer " + token) + report;
            case DEMO -> pages.origin() + "/lab/demo.html?session=" + enc(id) + report;
        };
    }

    private static MeasurePage.Browser open(
            String browser, String url, Path out, List<String> prefix, PulseListener listener)
            throws IOException, InterruptedException {
        if (browser.equals("firefox")) {
            return HeadlessFirefox.open(
                    url,
                    out.resolve("firefox.log"),
                    MeasurePage.RESULT,
                    MeasurePage.PROGRESS,
                    prefix,
                    listener.server());
        }
        return HeadlessChromium.open(
                url,
                out.resolve("chromium.log"),
                MeasurePage.RESULT,
                MeasurePage.PROGRESS,
                prefix,
                List.of("--vmodule=*stream_synchronization*=3,*rtp_streams_synchronizer2*=3"));
    }

    private static void awaitFirstFrame(LabPages pages, String viewer, Path out)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (pages.report(viewer).path("firstFrame").isNull()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page showed no frame within 30 s: "
                        + pages.report(viewer).path("notes") + "; see " + out);
            }
            Thread.sleep(100);
        }
    }

    /**
     * Plays {@code segments} demo clips as the options say and returns the result's skeleton: the
     * markers expected, and each POST's instants (for first-frame latency).
     */
    private static ObjectNode drive(Options o, String sessionUrl, int segments)
            throws IOException, InterruptedException {
        ObjectNode result = JSON.createObjectNode();
        ArrayNode posts = result.putArray("posts");
        int markers = 0;
        Thread.sleep(o.idleFirstMs);
        long played = get(sessionUrl).path("segmentsPlayed").asLong();
        // Back to back: two segments queued ahead of the playing one at all times, as a producer keeps
        // its queue (queuing a long run at once would hit avpush.limits.max-queued-bytes).
        int ahead = o.gapMs > 0 ? 1 : 3;
        long deadline = System.nanoTime() + (segments * (long) (SEGMENT_MS + o.gapMs) + 30_000L) * 1_000_000L;
        for (int s = 0; s < segments; s++) {
            while (s - (get(sessionUrl).path("segmentsPlayed").asLong() - played) >= ahead) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the segments did not play in time: " + get(sessionUrl));
                }
                Thread.sleep(50);
            }
            if (o.gapMs > 0 && s > 0) {
                Thread.sleep(o.gapMs);
            }
            double sent = System.currentTimeMillis();
            JsonNode accepted = post(sessionUrl + "/demo", "");
            double returned = System.currentTimeMillis();
            markers += markersOf(accepted);
            posts.addObject()
                    .put("sent", sent)
                    .put("returned", returned)
                    .put("segmentId", accepted.path("segmentId").asText())
                    .put("idle", o.gapMs > 0 || s == 0);
        }
        while (get(sessionUrl).path("segmentsPlayed").asLong() < played + segments) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the segments did not play in time: " + get(sessionUrl));
            }
            Thread.sleep(100);
        }
        result.put("expectedMarkers", markers);
        return result;
    }

    /** Markers of one demo clip: one a second from 1 s on whose 100 ms beep fits (9 in 10 s). */
    private static int markersOf(JsonNode accepted) {
        double durationMs = accepted.path("durationMs").asDouble(SEGMENT_MS);
        return (int) Math.floor((durationMs - 100) / 1000.0);
    }

    /**
     * watch.js's report in measure.html's result format (times in ms from {@code epochT0}), and the
     * first-frame latency of every segment that started from idle: its first marker's flash was
     * displayed 1 s of media after the segment's first frame.
     */
    private static void toResult(ObjectNode report, double epochT0, ObjectNode result) {
        ArrayNode flashes = result.putArray("flashes");
        ArrayNode rtp = result.putArray("flashRtp");
        for (JsonNode f : report.path("flashes")) {
            flashes.add(round(f.path("t").asDouble() - epochT0));
            rtp.add(f.path("rtp"));
        }
        ArrayNode unmeasured = result.putArray("unmeasuredFlashes");
        for (JsonNode f : report.path("unmeasuredFlashes")) {
            ObjectNode u = unmeasured.addObject().put("t", round(f.path("t").asDouble() - epochT0));
            if (f.path("after").isNumber()) {
                u.put("after", round(f.path("after").asDouble() - epochT0));
            } else {
                u.putNull("after");
            }
        }
        ArrayNode unsampled = result.putArray("unsampled");
        for (JsonNode g : report.path("unsampled")) {
            unsampled
                    .addObject()
                    .put("t", round(g.path("t").asDouble() - epochT0))
                    .put("frames", g.path("frames").asInt());
        }
        ArrayNode stats = result.putArray("stats");
        for (JsonNode s : report.path("stats")) {
            ObjectNode row = stats.addObject().put("t", round(s.path("t").asDouble() - epochT0));
            row.putObject("audio")
                    .put("samples", s.path("audio").path("totalSamplesReceived").asLong())
                    .put("concealed", s.path("audio").path("concealedSamples").asLong())
                    .put(
                            "silentConcealed",
                            s.path("audio").path("silentConcealedSamples").asLong());
            row.putObject("video")
                    .put("decoded", s.path("video").path("framesDecoded").asLong())
                    .put("dropped", s.path("video").path("framesDropped").asLong())
                    .put("freezes", s.path("video").path("freezeCount").asLong());
            row.set("raw", s);
        }
        result.set("notes", report.path("notes"));
        ArrayNode resumed = result.putArray("resumed");
        for (JsonNode r : report.path("resumed")) {
            resumed.addObject()
                    .put("t", round(r.path("t").asDouble() - epochT0))
                    .put("afterMs", r.path("afterMs").asInt());
        }
        if (result.has("outage")) {
            ObjectNode outage = (ObjectNode) result.get("outage");
            double restored = outage.path("restoredEpochMs").asDouble();
            for (JsonNode r : report.path("resumed")) {
                if (r.path("t").asDouble() > restored - 50) {
                    outage.put("resumedAfterMs", round(r.path("t").asDouble() - restored));
                    break;
                }
            }
        }
        result.set("firstFrameEpochMs", report.path("firstFrame"));
        ArrayNode latency = result.putArray("firstFrameLatencyMs");
        ArrayNode fromSend = result.putArray("firstFrameFromSendMs");
        for (JsonNode p : result.path("posts")) {
            if (!p.path("idle").asBoolean()) {
                continue;
            }
            double returned = p.path("returned").asDouble() - epochT0;
            double sent = p.path("sent").asDouble() - epochT0;
            // The segment's first marker is 1 s of media after its first frame.
            for (JsonNode f : flashes) {
                double firstFrameShown = f.asDouble() - 1000;
                if (firstFrameShown > returned - 100) {
                    latency.add(round(firstFrameShown - returned));
                    fromSend.add(round(firstFrameShown - sent));
                    break;
                }
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static JsonNode post(String url, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException("POST " + url + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static ObjectNode get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IOException("GET " + url + ": " + r.statusCode() + " " + r.body());
        }
        return (ObjectNode) JSON.readTree(r.body());
    }

    static FrameRate fps(Options o) {
        return FrameRate.parse(o.fps);
    }
}
