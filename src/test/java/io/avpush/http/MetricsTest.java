package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.testing.SyntheticMedia;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * GET /metrics as Prometheus scrapes it, after a session played a segment to a (recording) viewer:
 * frames and chunks pushed, lateness histograms, the session and viewer gauges, upload bytes, and
 * an error counter that counts a bad request by status and code. The registry is the JVM's, shared
 * with other tests, so figures are compared before and after.
 */
class MetricsTest {

    @Test
    void metricsShowAPlayedSegmentTheLiveSessionAndABadRequest() throws Exception {
        FakeTransports outputs = new FakeTransports();
        try (TestServer server =
                TestServer.start("metrics", outputs, "avpush.media { default-width = 64, default-height = 64 }")) {
            ApiClient api = server.client;
            Reply scrape = api.get("/metrics");
            assertEquals(200, scrape.status(), scrape.toString());
            assertTrue(
                    scrape.contentType().startsWith("text/plain")
                            && scrape.contentType().contains("version=0.0.4"),
                    scrape.contentType());
            String before = scrape.body();

            String id = api.postJson("/api/sessions", "{}").text("sessionId");
            String base = "/api/sessions/" + id;
            assertEquals(
                    200,
                    api.postJson(base + "/offer", "{\"sdp\": \"v=0\\r\\n\"}").status());
            byte[] wav = SyntheticMedia.wav(SyntheticMedia.tone(0.5), 48_000);
            assertEquals(
                    202,
                    api.postParts(base + "/segments", List.of(Part.file("audio", "a.wav", wav)))
                            .status());
            Await.until(
                    () -> api.get(base).json().get("segmentsPlayed").asLong() == 1,
                    Duration.ofSeconds(5),
                    "the segment plays");
            // The segment's 15 frames and 50 chunks reach the pacer 25 ms ahead and frames are pushed
            // 90 ms (video-delay) after their audio: wait for the pushes, not only for the release.
            Await.until(
                    () -> value(api.get("/metrics").body(), "avpush_frames_pushed_total")
                                    >= value(before, "avpush_frames_pushed_total") + 15
                            && value(api.get("/metrics").body(), "avpush_audio_chunks_pushed_total")
                                    >= value(before, "avpush_audio_chunks_pushed_total") + 50,
                    Duration.ofSeconds(5),
                    "the segment's frames and chunks are pushed");
            Reply bad = api.postJson(base + "/offer", "{\"sdp\": ");
            assertEquals(400, bad.status());

            String after = api.get("/metrics").body();
            System.out.println("metrics after one played segment:\n"
                    + after.lines()
                            .filter(l -> l.startsWith("avpush_") && !l.contains("_bucket"))
                            .reduce((a, b) -> a + "\n" + b)
                            .orElse(""));

            assertTrue(
                    value(after, "avpush_frames_pushed_total") >= value(before, "avpush_frames_pushed_total") + 15,
                    after);
            assertTrue(
                    value(after, "avpush_audio_chunks_pushed_total")
                            >= value(before, "avpush_audio_chunks_pushed_total") + 50,
                    after);
            assertTrue(
                    value(after, "avpush_push_lateness_seconds_count{kind=\"frame\"}")
                            > value(before, "avpush_push_lateness_seconds_count{kind=\"frame\"}"),
                    after);
            assertTrue(
                    value(after, "avpush_push_lateness_seconds_count{kind=\"audio\"}")
                            > value(before, "avpush_push_lateness_seconds_count{kind=\"audio\"}"),
                    after);
            assertTrue(
                    value(after, "avpush_av_release_difference_seconds_count")
                            > value(before, "avpush_av_release_difference_seconds_count"),
                    after);
            assertEquals(value(before, "avpush_sessions") + 1, value(after, "avpush_sessions"), after);
            assertEquals(value(before, "avpush_viewers") + 1, value(after, "avpush_viewers"), after);
            assertEquals(
                    value(before, "avpush_segments_queued_total") + 1,
                    value(after, "avpush_segments_queued_total"),
                    after);
            assertTrue(
                    value(after, "avpush_upload_bytes_total")
                            >= value(before, "avpush_upload_bytes_total") + wav.length,
                    after);
            String badRequests = "avpush_http_errors_total{error=\"bad_request\",status=\"400\"}";
            assertEquals(value(before, badRequests) + 1, value(after, badRequests), after);

            assertEquals(204, api.delete(base).status());
            Await.until(
                    () -> value(api.get("/metrics").body(), "avpush_sessions") == value(before, "avpush_sessions"),
                    Duration.ofSeconds(5),
                    "the session gauge drops when the session ends");
            assertEquals(
                    value(before, "avpush_viewers"), value(api.get("/metrics").body(), "avpush_viewers"));
        }
    }

    /** The value of one sample line ({@code name{labels} value}); 0 when the series does not exist yet. */
    static double value(String exposition, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
                .matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
