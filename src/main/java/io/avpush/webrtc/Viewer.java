package io.avpush.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpSender;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import io.avpush.session.OfferCheck;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One browser (or test peer) watching a session: its peer connection, answered as the sendonly
 * side of the viewer's recvonly offer.
 *
 * <p>The answer is built in steps that libwebrtc completes on its signaling thread. Each callback
 * only hands the next step to the engine's negotiation thread; nothing here blocks the signaling
 * thread or calls back into the peer connection from it.
 *
 * <p>If the offer has a data section ({@code m=application}), the viewer also gets the session's
 * events on a data channel: label {@value #EVENTS_LABEL}, negotiated out of band with id
 * {@value #EVENTS_CHANNEL_ID} (the browser creates it with
 * {@code pc.createDataChannel("avpush-events", {negotiated: true, id: 0})} before its offer, which
 * also puts the data section in the offer; no renegotiation, no in-band open handshake).
 */
public final class Viewer implements AutoCloseable {
    /** How long to wait for ICE gathering before answering with the candidates found so far. */
    static final Duration GATHERING_TIMEOUT = Duration.ofSeconds(3);

    public static final String EVENTS_LABEL = "avpush-events";
    public static final int EVENTS_CHANNEL_ID = 0;

    private final String id;
    private final SessionMedia output;
    private final ViewerListener listener;
    private final Executor negotiation;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final List<RTCRtpSender> senders = new ArrayList<>(2);
    private volatile ViewerState state = ViewerState.NEW;
    private volatile String answerSdp;
    private RTCPeerConnection peerConnection; // guarded by this
    private RTCDataChannel events; // guarded by this; null without a data section in the offer
    private boolean closed; // guarded by this
    private volatile boolean peerConnectionFreed;

    Viewer(String id, SessionMedia output, ViewerListener listener) {
        this.id = id;
        this.output = output;
        this.listener = listener;
        this.negotiation = output.engine().negotiation();
    }

    public String id() {
        return id;
    }

    /** The answer with all gathered candidates; null until {@code connect} has completed. */
    public String answerSdp() {
        return answerSdp;
    }

    public ViewerState state() {
        return state;
    }

    /** After {@link #close}: whether libwebrtc freed the peer connection (ours was its last reference). */
    boolean peerConnectionFreed() {
        return peerConnectionFreed;
    }

    /** The sender's counters for this viewer, from libwebrtc's stats report (completes off libwebrtc's threads). */
    public CompletionStage<ViewerStats> stats() {
        return statsReport().thenApply(StatsReading::of);
    }

    /**
     * libwebrtc's whole stats report of this viewer's peer connection, for diagnostics and
     * benchmarks (completes off libwebrtc's threads).
     */
    public CompletionStage<RTCStatsReport> statsReport() {
        CompletableFuture<RTCStatsReport> result = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("viewer " + id + " is closed"));
            }
            peerConnection.getStats(report -> negotiation.execute(() -> result.complete(report)));
        }
        return result;
    }

    CompletableFuture<Viewer> negotiate(String offerSdp) {
        CompletableFuture<Viewer> result = new CompletableFuture<>();
        String problem = OfferCheck.problem(offerSdp);
        if (problem != null) {
            result.completeExceptionally(new SdpException(problem));
            return result;
        }
        negotiation.execute(() -> step(result, () -> setRemote(offerSdp, result)));
        return result;
    }

    private void setRemote(String offerSdp, CompletableFuture<Viewer> result) {
        peerConnection =
                output.engine().factory().createPeerConnection(output.engine().rtcConfiguration(), new Events());
        output.audioSinks().lock();
        try {
            senders.add(peerConnection.addTrack(output.audioTrack(), List.of(SessionMedia.STREAM_ID)));
            senders.add(peerConnection.addTrack(output.videoTrack(), List.of(SessionMedia.STREAM_ID)));
        } finally {
            output.audioSinks().unlock();
        }
        if (offerSdp.contains("m=application")) {
            RTCDataChannelInit init = new RTCDataChannelInit();
            init.negotiated = true;
            init.id = EVENTS_CHANNEL_ID;
            events = peerConnection.createDataChannel(EVENTS_LABEL, init);
        }
        try {
            peerConnection.setRemoteDescription(
                    new RTCSessionDescription(RTCSdpType.OFFER, output.engine().offerAsAnswered(offerSdp)),
                    setObserver(
                            () -> negotiation.execute(() -> step(result, () -> createAnswer(result))),
                            reason -> fail(result, new SdpException("offer SDP rejected by WebRTC: " + reason))));
        } catch (RuntimeException | Error e) {
            // A parse failure comes back synchronously, as java.lang.Error, not through the observer.
            result.completeExceptionally(new SdpException("offer SDP rejected by WebRTC: " + e.getMessage()));
        }
    }

    private void createAnswer(CompletableFuture<Viewer> result) {
        peerConnection.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription answer) {
                negotiation.execute(() -> step(result, () -> setLocal(answer, result)));
            }

            @Override
            public void onFailure(String reason) {
                fail(result, new SdpException("cannot answer the offer: " + reason));
            }
        });
    }

    private void setLocal(RTCSessionDescription answer, CompletableFuture<Viewer> result) {
        peerConnection.setLocalDescription(
                answer,
                setObserver(
                        () -> gathered.completeOnTimeout(null, GATHERING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                                .thenRunAsync(() -> step(result, () -> finish(result)), negotiation),
                        reason -> fail(result, new SdpException("answer rejected by WebRTC: " + reason))));
    }

    private void finish(CompletableFuture<Viewer> result) {
        RTCSessionDescription local = peerConnection.getLocalDescription();
        answerSdp = local.sdp;
        result.complete(this);
    }

    /**
     * Sends one event (JSON text) on the events data channel if it is open; dropped otherwise.
     * Call it off the pacer and signaling threads (webrtc-java's send waits for the signaling thread).
     */
    void sendEvent(byte[] utf8Json) {
        synchronized (this) {
            if (closed || events == null || events.getState() != RTCDataChannelState.OPEN) {
                return;
            }
            try {
                events.send(new RTCDataChannelBuffer(ByteBuffer.wrap(utf8Json), false));
            } catch (Exception e) {
                // a channel closing under us: this viewer misses the event, the others do not
            }
        }
    }

    /** Fails on the negotiation thread, so that no caller's continuation runs on libwebrtc's. */
    private void fail(CompletableFuture<Viewer> result, Throwable failure) {
        negotiation.execute(() -> result.completeExceptionally(failure));
    }

    /** Runs one negotiation step unless the viewer was closed meanwhile; failures end the future. */
    private void step(CompletableFuture<Viewer> result, Runnable work) {
        synchronized (this) {
            if (closed) {
                result.completeExceptionally(new IllegalStateException("viewer " + id + " closed while connecting"));
                return;
            }
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                // webrtc-java reports native failures as java.lang.Error; they end this viewer only.
                result.completeExceptionally(e);
            }
        }
    }

    /**
     * Closes the peer connection (after taking both tracks off it), then tells the listener. Must not
     * be called from a {@link ViewerListener} callback (it waits for libwebrtc's signaling thread).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (peerConnection != null) {
                // webrtc-java 0.14.0 keeps these references after close(); NativeRefs gives them back.
                long peerConnectionRef = NativeRefs.handle(peerConnection);
                long[] senderRefs =
                        senders.stream().mapToLong(NativeRefs::handle).toArray();
                output.audioSinks().lock();
                try {
                    for (RTCRtpSender sender : senders) {
                        Natives.dispose("sender of viewer " + id, () -> peerConnection.removeTrack(sender));
                    }
                    if (events != null) {
                        RTCDataChannel channel = events;
                        Natives.dispose("events channel of viewer " + id, () -> {
                            channel.close();
                            channel.dispose();
                        });
                    }
                    Natives.dispose("peer connection of viewer " + id, peerConnection::close);
                } finally {
                    output.audioSinks().unlock();
                }
                for (long sender : senderRefs) {
                    Natives.dispose("sender reference of viewer " + id, () -> NativeRefs.release(sender));
                }
                peerConnectionFreed = NativeRefs.release(peerConnectionRef) == NativeRefs.DROPPED_LAST_REF;
            }
        }
        output.viewerClosed(this);
        changeState(ViewerState.CLOSED);
    }

    private void changeState(ViewerState next) {
        if (state == next || state == ViewerState.CLOSED) {
            return;
        }
        state = next;
        listener.onStateChanged(id, next);
    }

    private static SetSessionDescriptionObserver setObserver(Runnable success, Consumer<String> failure) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                success.run();
            }

            @Override
            public void onFailure(String reason) {
                failure.accept(reason);
            }
        };
    }

    /** libwebrtc's events for this peer connection, on its signaling thread: convert and hand on. */
    private final class Events implements PeerConnectionObserver {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {}

        @Override
        public void onIceGatheringChange(RTCIceGatheringState gathering) {
            if (gathering == RTCIceGatheringState.COMPLETE) {
                gathered.complete(null);
            }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState connection) {
            changeState(ViewerState.valueOf(connection.name()));
        }
    }
}
