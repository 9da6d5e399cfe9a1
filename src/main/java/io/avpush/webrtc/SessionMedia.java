package io.avpush.webrtc;

import dev.onvoid.webrtc.media.SyncClock;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.NativeI420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The media of one session as libwebrtc sees it: one {@link SyncClock}, one video and one audio
 * source stamped from it, and their tracks, shared by every viewer of the session.
 *
 * <p>Threads: one pacing thread pushes, viewers come and go on others. webrtc-java's
 * {@code CustomAudioSource} keeps its sinks in an unlocked vector (its lock is commented out in
 * 0.14.0) that a peer connection changes when a track is added to or removed from it, so
 * {@link #pushAudio} and every such change hold {@link #audioSinks}. Pushes hold the read side of
 * {@link #lifecycle} so that the sources and the clock are never disposed under them.
 */
public final class SessionMedia implements AutoCloseable {
    /** The MediaStream id shared by both tracks, so that browsers lip-sync them. */
    static final String STREAM_ID = "avpush";

    static final int SAMPLE_RATE_HZ = 48_000;
    static final int SAMPLES_PER_CHUNK = SAMPLE_RATE_HZ / 100;

    private final String sessionId;
    private final WebRtcEngine engine;
    private final SyncClock clock;
    private final CustomVideoSource videoSource;
    private final CustomAudioSource audioSource;
    private final VideoTrack videoTrack;
    private final AudioTrack audioTrack;
    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final ReentrantLock audioSinks = new ReentrantLock();
    private final ReentrantLock pushFrame = new ReentrantLock();
    private final byte[] audioScratch = new byte[SAMPLES_PER_CHUNK * 2];
    private final boolean clockAligned;
    private volatile boolean closed;
    // The native copy of the last frame pushed, kept (one reference of ours) so that a frame pushed
    // again (the idle picture, a held last frame, a lower upload rate) is not allocated and copied again.
    // Guarded by pushFrame's lock (close: the write lock excludes every push); a buffer is never written
    // once pushed, so libwebrtc may still hold it while it is pushed again.
    private byte[] lastFrameSource;
    private NativeI420Buffer lastFrame;
    private long framesCopied;

    SessionMedia(String sessionId, WebRtcEngine engine) {
        this.sessionId = sessionId;
        this.engine = engine;
        this.clock = new SyncClock();
        this.clockAligned = SenderClock.align(clock);
        this.videoSource = new CustomVideoSource(clock);
        this.audioSource = new CustomAudioSource(clock);
        this.videoTrack = engine.factory().createVideoTrack("video-" + sessionId, videoSource);
        this.audioTrack = engine.factory().createAudioTrack("audio-" + sessionId, audioSource);
    }

    String sessionId() {
        return sessionId;
    }

    /** Whether the session's clock counts libwebrtc's time, so its sender reports carry true capture times. */
    boolean clockAligned() {
        return clockAligned;
    }

    /**
     * Sends one I420 frame (Y plane, then U, then V; chroma planes (w+1)/2 x (h+1)/2) to every viewer.
     * libwebrtc stamps it with the push instant; call at the frame's due time. Any thread. The array
     * must not change once pushed: pushing the same array again sends the copy made the first time.
     */
    public void pushFrame(byte[] i420, int width, int height) {
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        int lumaBytes = width * height;
        int chromaBytes = chromaWidth * chromaHeight;
        if (width <= 0 || height <= 0 || i420.length < lumaBytes + 2 * chromaBytes) {
            throw new IllegalArgumentException("an I420 frame of " + width + "x" + height + " needs "
                    + (lumaBytes + 2 * chromaBytes) + " bytes, got " + i420.length);
        }
        lifecycle.readLock().lock();
        try {
            if (closed) {
                return;
            }
            pushFrame.lock();
            try {
                pushCached(i420, width, height, lumaBytes, chromaWidth, chromaHeight, chromaBytes);
            } finally {
                pushFrame.unlock();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Pushes the native copy of {@code i420}, made now unless it is the array pushed last time. */
    private void pushCached(
            byte[] i420, int width, int height, int lumaBytes, int chromaWidth, int chromaHeight, int chromaBytes) {
        NativeI420Buffer buffer = lastFrame;
        if (i420 != lastFrameSource || buffer.getWidth() != width || buffer.getHeight() != height) {
            // A new buffer, never a refilled one: libwebrtc keeps a reference to a pushed buffer until its
            // encoder is done with it, and webrtc-java 0.14 cannot tell when that is.
            if (lastFrame != null) {
                lastFrame.release();
                lastFrame = null;
                lastFrameSource = null;
            }
            buffer = NativeI420Buffer.allocate(width, height);
            lastFrame = buffer; // released later even if a copy below fails
            copyPlane(i420, 0, width, height, buffer.getDataY(), buffer.getStrideY());
            copyPlane(i420, lumaBytes, chromaWidth, chromaHeight, buffer.getDataU(), buffer.getStrideU());
            copyPlane(i420, lumaBytes + chromaBytes, chromaWidth, chromaHeight, buffer.getDataV(), buffer.getStrideV());
            framesCopied++;
            lastFrameSource = i420;
        }
        buffer.retain(); // the frame's reference; ours stays with lastFrame
        VideoFrame frame = new VideoFrame(buffer, System.nanoTime());
        try {
            videoSource.pushFrame(frame);
        } finally {
            frame.release();
        }
    }

    /** How many pushed frames were copied into a new native buffer (the others were pushed again). */
    long framesCopied() {
        pushFrame.lock();
        try {
            return framesCopied;
        } finally {
            pushFrame.unlock();
        }
    }

    private static void copyPlane(byte[] src, int offset, int width, int height, ByteBuffer dst, int stride) {
        if (stride == width) {
            dst.put(src, offset, width * height);
            return;
        }
        for (int row = 0; row < height; row++) {
            dst.position(row * stride);
            dst.put(src, offset + row * width, width);
        }
    }

    /**
     * Sends exactly 10 ms of audio: 480 samples of 48 kHz mono s16 from {@code offset}. libwebrtc
     * takes audio only in 10 ms frames (a 20 ms push is silently dropped), so call every 10 ms.
     */
    public void pushAudio(short[] pcm48kMono, int offset) {
        if (offset < 0 || offset + SAMPLES_PER_CHUNK > pcm48kMono.length) {
            throw new IllegalArgumentException("an audio chunk is " + SAMPLES_PER_CHUNK + " samples; offset " + offset
                    + " leaves " + (pcm48kMono.length - offset));
        }
        lifecycle.readLock().lock();
        try {
            if (closed) {
                return;
            }
            audioSinks.lock();
            try {
                byte[] bytes = audioScratch;
                for (int i = 0; i < SAMPLES_PER_CHUNK; i++) {
                    short sample = pcm48kMono[offset + i];
                    bytes[2 * i] = (byte) sample;
                    bytes[2 * i + 1] = (byte) (sample >> 8);
                }
                audioSource.pushAudio(bytes, 16, SAMPLE_RATE_HZ, 1, SAMPLES_PER_CHUNK);
            } finally {
                audioSinks.unlock();
            }
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * Answers a viewer's offer (recvonly audio and video) with both tracks, sendonly, in one stream.
     * Completes with the viewer once ICE gathering is complete (or after a few seconds with the
     * candidates found so far), or exceptionally with {@link SdpException} for an offer that cannot
     * be answered. Never blocks on libwebrtc's callbacks; completes on the engine's negotiation thread.
     */
    public CompletionStage<Viewer> connect(String viewerId, String offerSdp, ViewerListener listener) {
        if (closed) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("media output of session " + sessionId + " is closed"));
        }
        Viewer viewer = new Viewer(viewerId, this, listener);
        if (viewers.putIfAbsent(viewerId, viewer) != null) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("viewer " + viewerId + " is already connected"));
        }
        CompletableFuture<Viewer> answered = viewer.negotiate(offerSdp);
        return answered.whenCompleteAsync(
                (v, failure) -> {
                    if (failure != null) {
                        viewer.close();
                    }
                },
                engine.negotiation());
    }

    /**
     * Sends an event (JSON, UTF-8) to every viewer with an open events data channel. Returns at once:
     * the sends run on the engine's negotiation thread, never on the caller's (the pacer's).
     */
    public void sendEvent(byte[] utf8Json) {
        if (closed || viewers.isEmpty()) {
            return;
        }
        engine.negotiation().execute(() -> {
            for (Viewer viewer : viewers.values()) {
                viewer.sendEvent(utf8Json);
            }
        });
    }

    /** Ends one viewer (its peer connection first); unknown ids are ignored. Not from a listener callback. */
    public void disconnect(String viewerId) {
        Viewer viewer = viewers.get(viewerId);
        if (viewer != null) {
            viewer.close();
            NativeRefs.trimHeap();
        }
    }

    public int viewerCount() {
        return viewers.size();
    }

    /** The session's viewers now, for diagnostics and benchmarks. */
    public List<Viewer> viewers() {
        return List.copyOf(viewers.values());
    }

    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (lastFrame != null) {
                lastFrame.release(); // no push holds it: pushes hold the read lock
                lastFrame = null;
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
        for (Viewer viewer : List.copyOf(viewers.values())) {
            viewer.close();
        }
        Natives.dispose("video track", videoTrack::dispose);
        Natives.dispose("audio track", audioTrack::dispose);
        Natives.dispose("video source", videoSource::dispose);
        Natives.dispose("audio source", audioSource::dispose);
        Natives.dispose("sync clock", clock::dispose);
        engine.outputClosed(this);
        // libwebrtc frees a session's objects on several threads, into several malloc arenas that glibc
        // keeps resident; trimming here gives those pages back (docs/benchmarks.md, "Soak and native memory").
        NativeRefs.trimHeap();
    }

    WebRtcEngine engine() {
        return engine;
    }

    VideoTrack videoTrack() {
        return videoTrack;
    }

    AudioTrack audioTrack() {
        return audioTrack;
    }

    /** Held around every peer-connection call that adds or removes the audio track's sinks. */
    ReentrantLock audioSinks() {
        return audioSinks;
    }

    void viewerClosed(Viewer viewer) {
        viewers.remove(viewer.id(), viewer);
    }
}
