package io.avpush.http;

import io.avpush.session.OfferRejectedException;
import io.avpush.session.Transport;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * A transport for API tests without libwebrtc: each session's output counts what a viewer would
 * receive (frames, audio samples, how many of them are not silent). Offers that start with "v=0"
 * connect at once; anything else is rejected the way the real engine rejects a broken offer.
 */
final class FakeTransports implements Transport.Factory {

    private final Map<String, Recorder> bySession = new ConcurrentHashMap<>();

    @Override
    public Transport create(String sessionId) {
        Recorder recorder = new Recorder();
        bySession.put(sessionId, recorder);
        return recorder;
    }

    /** Whether a session's output was made here (on this node). */
    boolean made(String sessionId) {
        return bySession.containsKey(sessionId);
    }

    Recorder of(String sessionId) {
        Recorder r = bySession.get(sessionId);
        if (r == null) {
            throw new AssertionError("no output was made for session " + sessionId);
        }
        return r;
    }

    static final class Recorder implements Transport {
        private long frames;
        private long samples;
        private long audibleSamples;
        private boolean closed;
        private final Map<String, BiConsumer<String, ViewerState>> viewers = new ConcurrentHashMap<>();

        @Override
        public synchronized void pushFrame(byte[] i420, int width, int height) {
            if (!closed) {
                frames++;
            }
        }

        @Override
        public synchronized void pushAudio(short[] pcm48kMono, int offset) {
            if (closed) {
                return;
            }
            for (int i = offset; i < offset + 480; i++) {
                if (pcm48kMono[i] != 0) {
                    audibleSamples++;
                }
            }
            samples += 480;
        }

        @Override
        public CompletionStage<String> connect(
                String viewerId, String offerSdp, BiConsumer<String, ViewerState> onState) {
            if (!offerSdp.startsWith("v=0")) {
                return CompletableFuture.failedFuture(new OfferRejectedException(
                        "offer SDP rejected: it must start with \"v=0\" (is it the SDP text, not JSON?)"));
            }
            viewers.put(viewerId, onState);
            onState.accept(viewerId, ViewerState.CONNECTED);
            return CompletableFuture.completedFuture(
                    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=fake answer for " + viewerId + "\r\n");
        }

        @Override
        public void disconnect(String viewerId) {
            viewers.remove(viewerId);
        }

        @Override
        public synchronized void close() {
            closed = true;
        }

        synchronized long frames() {
            return frames;
        }

        synchronized long samples() {
            return samples;
        }

        synchronized long audibleSamples() {
            return audibleSamples;
        }

        synchronized boolean isClosed() {
            return closed;
        }
    }
}
