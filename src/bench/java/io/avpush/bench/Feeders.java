package io.avpush.bench;

import static io.avpush.bench.StreamBench.FPS;
import static io.avpush.bench.StreamBench.HEIGHT;
import static io.avpush.bench.StreamBench.QUEUE_LOW_MS;
import static io.avpush.bench.StreamBench.WIDTH;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The uploading side of a {@link StreamRun}: a feeder per session keeps its queue above
 * {@link StreamBench#QUEUE_LOW_MS} with the 2 s segment (or, with {@code source=idle}, sets it once as
 * the idle loop), noting every upload's POST -> reply time; {@link #feedPaused} stops them for the
 * push-path window.
 */
final class Feeders {

    /**
     * 39 characters, about as long as curl's and most clients' (and the Python client's before it
     * went to 70): Pekko finds the boundary with Boyer-Moore, whose cost per MB falls with the
     * boundary's length (17 characters: 1.32 ms per MB on Pekko's threads, 39: 1.08, 67: 0.92), so a
     * short one would measure the server against an unusual client. -Davpush.bench.boundary=... sets another.
     */
    static final String BOUNDARY =
            System.getProperty("avpush.bench.boundary", "avpush-5f0c3e9a1b7d4e2f8a6c0b9d3e1f7a2c");

    static final String FORM_TYPE = ApiClient.multipartType(BOUNDARY);

    record Upload(int session, long startNs, long acceptedNs, int bytes, int status) {
        double ms() {
            return (acceptedNs - startNs) / 1e6;
        }
    }

    final List<Upload> uploads = new CopyOnWriteArrayList<>();
    final AtomicBoolean feeding = new AtomicBoolean(true);
    final AtomicBoolean feedPaused = new AtomicBoolean();
    final AtomicInteger uploadsInFlight = new AtomicInteger();
    private final ApiClient api;

    Feeders(ApiClient api) {
        this.api = api;
    }

    /** The segment as the form an upload sends: width, height, fps, then the WAV and the bgr24 frames. */
    static byte[] multipart(byte[] wav, byte[] bgr) {
        return ApiClient.multipart(
                BOUNDARY,
                List.of(
                        Part.field("width", String.valueOf(WIDTH)),
                        Part.field("height", String.valueOf(HEIGHT)),
                        Part.field("fps", String.valueOf(FPS)),
                        new Part("audio", "speech.wav", "audio/wav", wav),
                        Part.file("video", "frames.bgr", bgr)));
    }

    /** source=idle: sets the segment as the session's idle loop (PUT .../idle), once; the 200 counts as its first 202. */
    void setIdleLoop(int session, String path, byte[] mine, long[] first202, TimedTransport timed) throws Exception {
        long start = System.nanoTime();
        ApiClient.Reply resp = api.send("PUT", path + "/idle", FORM_TYPE, mine);
        long end = System.nanoTime();
        if (resp.status() != 200) {
            throw new IllegalStateException(
                    "PUT idle loop of session " + session + " answered " + resp.status() + ": " + resp.body());
        }
        uploads.add(new Upload(session, start, end, mine.length, resp.status()));
        synchronized (first202) {
            first202[session] = end;
        }
        if (timed != null) {
            timed.armedNs = end;
        }
    }

    /** Uploads a segment, then another whenever the session holds less than QUEUE_LOW_MS queued. */
    void feed(int session, String path, byte[] mine, long[] first202, TimedTransport timed) {
        try {
            boolean first = true;
            while (feeding.get()) {
                if (feedPaused.get()) {
                    Thread.sleep(50);
                    continue;
                }
                JsonNode status = api.get(path).expect(200);
                if (!first && status.get("queuedMs").asDouble() >= QUEUE_LOW_MS) {
                    Thread.sleep(200);
                    continue;
                }
                uploadsInFlight.incrementAndGet();
                long start = System.nanoTime();
                ApiClient.Reply resp = api.send("POST", path + "/segments", FORM_TYPE, mine);
                long end = System.nanoTime();
                uploads.add(new Upload(session, start, end, mine.length, resp.status()));
                if (resp.status() != 202) {
                    uploadsInFlight.decrementAndGet();
                    System.err.println(
                            "upload to session " + session + " answered " + resp.status() + ": " + resp.body());
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
}
