package io.avpush.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The node's figures for Prometheus ({@code GET /metrics}). As the Prometheus Java client
 * recommends, each metric is a static field registered once in the default registry; the code
 * where an event happens counts it here (pacer: pushes and lateness; sessions: clock and queue;
 * peer connection: viewers; HTTP: uploads and errors). Sums over every session of the node:
 * per-session figures stay in {@code GET /api/sessions/{id}}, so the label sets stay small.
 */
public final class Metrics {

    private Metrics() {}

    public static final Gauge SESSIONS = Gauge.builder()
            .name("avpush_sessions")
            .help("Sessions live on this node")
            .register();

    public static final Gauge VIEWERS = Gauge.builder()
            .name("avpush_viewers")
            .help("Viewers whose peer connection is connected")
            .register();

    public static final Counter FRAMES_PUSHED = Counter.builder()
            .name("avpush_frames_pushed")
            .help("Video frames pushed to the transport")
            .register();

    public static final Counter CHUNKS_PUSHED = Counter.builder()
            .name("avpush_audio_chunks_pushed")
            .help("10 ms audio chunks pushed to the transport")
            .register();

    private static final Histogram PUSH_LATENESS = Histogram.builder()
            .name("avpush_push_lateness_seconds")
            .help("How late the pacer pushed a frame or an audio chunk against its deadline")
            .labelNames("kind")
            .classicOnly()
            .classicUpperBounds(0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)
            .register();

    public static final DistributionDataPoint FRAME_LATENESS = PUSH_LATENESS.labelValues("frame");
    public static final DistributionDataPoint AUDIO_LATENESS = PUSH_LATENESS.labelValues("audio");

    /** Released audio position minus video position after each frame tick; in (-10 ms, 0] by design. */
    public static final Histogram AV_RELEASE_DIFFERENCE = Histogram.builder()
            .name("avpush_av_release_difference_seconds")
            .help("Audio minus video release position after each frame tick (negative: audio behind)")
            .classicOnly()
            .classicUpperBounds(-0.02, -0.01, -0.0075, -0.005, -0.0025, 0, 0.0025, 0.005, 0.01, 0.02)
            .register();

    public static final Counter REANCHORS = Counter.builder()
            .name("avpush_reanchors")
            .help("Frame clock re-anchors after a stall longer than max-catch-up")
            .register();

    public static final Counter SEGMENTS_QUEUED = Counter.builder()
            .name("avpush_segments_queued")
            .help("Segments accepted into a session's queue")
            .register();

    public static final Counter SEGMENTS_DROPPED = Counter.builder()
            .name("avpush_segments_dropped")
            .help("Segments dropped from the queue or cut short by an interrupt")
            .register();

    public static final Counter VIEWERS_DROPPED = Counter.builder()
            .name("avpush_viewers_dropped")
            .help("Viewers dropped by the server: connection failed, closed, or disconnected too long")
            .labelNames("reason")
            .register();

    public static final Counter UPLOAD_BYTES = Counter.builder()
            .name("avpush_upload_bytes")
            .help("Bytes of segment uploads received (all parts)")
            .register();

    public static final Counter HTTP_ERRORS = Counter.builder()
            .name("avpush_http_errors")
            .help("Error replies by HTTP status and error code")
            .labelNames("status", "error")
            .register();

    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();

    static {
        // Heap, GC pauses, threads, and the process's resident memory (native leaks show there).
        JvmMetrics.builder().register();
    }

    /** The Content-Type of {@link #scrape()}. */
    public static String contentType() {
        return TEXT.getContentType();
    }

    /** Every metric of the default registry in the Prometheus text format (0.0.4). */
    public static byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            TEXT.write(out, PrometheusRegistry.defaultRegistry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return out.toByteArray();
    }
}
