package io.avpush.session;

import io.avpush.playout.SessionEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * A transport that records what a viewer would receive: every frame pushed (by reference) and
 * every audio sample pushed, in order. Offers that start with "v=0" connect at once.
 */
public final class RecordingTransport implements Transport {

    final List<byte[]> frames = new ArrayList<>();
    private final List<Long> framePushNs = new ArrayList<>();
    private final List<SessionEvents.Event> events = new ArrayList<>();
    private short[] samples = new short[48_000];
    private int sampleCount;
    private boolean closed;
    private final List<String> viewers = new ArrayList<>();
    private final List<String> disconnected = new ArrayList<>();
    private volatile BiConsumer<String, ViewerState> lastOnState;
    private volatile ViewerState stateOnConnect = ViewerState.CONNECTED;
    private volatile String lastViewer;

    @Override
    public synchronized void pushFrame(byte[] i420, int width, int height) {
        if (!closed) {
            frames.add(i420);
            framePushNs.add(System.nanoTime());
        }
    }

    @Override
    public synchronized void pushAudio(short[] pcm, int offset) {
        if (closed) {
            return;
        }
        if (sampleCount + 480 > samples.length) {
            samples = java.util.Arrays.copyOf(samples, samples.length * 2);
        }
        System.arraycopy(pcm, offset, samples, sampleCount, 480);
        sampleCount += 480;
    }

    @Override
    public CompletionStage<String> connect(String viewerId, String offerSdp, BiConsumer<String, ViewerState> onState) {
        if (!offerSdp.startsWith("v=0")) {
            return CompletableFuture.failedFuture(new OfferRejectedException("offer SDP must start with v=0"));
        }
        synchronized (this) {
            viewers.add(viewerId);
        }
        lastOnState = onState;
        lastViewer = viewerId;
        onState.accept(viewerId, stateOnConnect);
        return CompletableFuture.completedFuture("v=0 answer for " + viewerId);
    }

    @Override
    public synchronized void disconnect(String viewerId) {
        viewers.remove(viewerId);
        disconnected.add(viewerId);
    }

    /** The state a viewer reports when its offer is answered (CONNECTED unless a test sets another). */
    void stateOnConnect(ViewerState state) {
        stateOnConnect = state;
    }

    /** Reports a new state of the last viewer, as the transport would. */
    void setState(ViewerState state) {
        lastOnState.accept(lastViewer, state);
    }

    synchronized List<String> disconnected() {
        return new ArrayList<>(disconnected);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void sendEvent(SessionEvents.Event event) {
        events.add(event);
    }

    /** The events the viewers' data channels would carry, in order. */
    synchronized List<SessionEvents.Event> eventsCopy() {
        return new ArrayList<>(events);
    }

    /** When frame i was pushed ({@link System#nanoTime()}). */
    synchronized long framePushNs(int i) {
        return framePushNs.get(i);
    }

    synchronized int frameCount() {
        return frames.size();
    }

    synchronized List<byte[]> framesCopy() {
        return new ArrayList<>(frames);
    }

    synchronized short[] samplesCopy() {
        return java.util.Arrays.copyOf(samples, sampleCount);
    }

    synchronized int sampleCount() {
        return sampleCount;
    }
}
