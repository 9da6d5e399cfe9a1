package io.avpush.webrtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceGatheringState;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCRtpTransceiverDirection;
import dev.onvoid.webrtc.RTCRtpTransceiverInit;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A receiving peer for soak and memory benchmarks: hundreds of them come and go on one
 * {@link Client} (one factory), so that what a benchmark measures is the server's memory, not a
 * factory per viewer. It counts decoded frames, nothing more. Closing it frees what webrtc-java
 * leaves behind on this side too ({@link NativeRefs}), so that the client does not hide a server leak.
 */
public final class LightViewer implements AutoCloseable {

    /** One factory (dummy audio device: remote audio is decoded but not played) and recvonly tracks for every viewer. */
    public static final class Client implements AutoCloseable {
        private final AudioDeviceModule audioModule = new AudioDeviceModule(AudioLayer.kDummyAudio);
        private final PeerConnectionFactory factory = new PeerConnectionFactory(audioModule);
        private final CustomAudioSource audioSource = new CustomAudioSource();
        private final CustomVideoSource videoSource = new CustomVideoSource();
        private final AudioTrack audioTrack = factory.createAudioTrack("client-audio", audioSource);
        private final VideoTrack videoTrack = factory.createVideoTrack("client-video", videoSource);

        @Override
        public void close() {
            Natives.dispose("client audio track", audioTrack::dispose);
            Natives.dispose("client video track", videoTrack::dispose);
            Natives.dispose("client audio source", audioSource::dispose);
            Natives.dispose("client video source", videoSource::dispose);
            Natives.dispose("client factory", factory::dispose);
            Natives.dispose("client audio module", audioModule::dispose);
        }
    }

    private final RTCPeerConnection peerConnection;
    private final long peerConnectionHandle;
    private final List<RTCRtpTransceiver> transceivers = new ArrayList<>(2);
    private final List<MediaStreamTrack> remoteTracks = new ArrayList<>(2);
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final CountDownLatch connected = new CountDownLatch(1);
    private final AtomicLong frames = new AtomicLong();
    private final VideoTrackSink sink = this::onFrame;
    private boolean closed;

    public LightViewer(Client client) {
        peerConnection = client.factory.createPeerConnection(new RTCConfiguration(), new Events());
        peerConnectionHandle = NativeRefs.handle(peerConnection);
        RTCRtpTransceiverInit recvOnly = new RTCRtpTransceiverInit();
        recvOnly.direction = RTCRtpTransceiverDirection.RECV_ONLY;
        transceivers.add(peerConnection.addTransceiver(client.audioTrack, recvOnly));
        transceivers.add(peerConnection.addTransceiver(client.videoTrack, recvOnly));
    }

    /** A recvonly audio + video offer with all candidates. */
    public String offer(Duration timeout) throws Exception {
        CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
        peerConnection.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
            @Override
            public void onSuccess(RTCSessionDescription description) {
                offer.complete(description);
            }

            @Override
            public void onFailure(String error) {
                offer.completeExceptionally(new IllegalStateException("createOffer: " + error));
            }
        });
        RTCSessionDescription description = offer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Void> set = new CompletableFuture<>();
        peerConnection.setLocalDescription(description, observer(set));
        set.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        gathered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return peerConnection.getLocalDescription().sdp;
    }

    public void accept(String answerSdp, Duration timeout) throws Exception {
        CompletableFuture<Void> set = new CompletableFuture<>();
        peerConnection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answerSdp), observer(set));
        set.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public long frames() {
        return frames.get();
    }

    private void onFrame(VideoFrame frame) {
        frames.incrementAndGet();
        frame.release();
    }

    @Override
    public void close() {
        List<MediaStreamTrack> tracks;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            tracks = List.copyOf(remoteTracks);
        }
        for (MediaStreamTrack track : tracks) {
            if (track instanceof VideoTrack video) {
                video.removeSink(sink);
            }
        }
        // addTransceiver hands its wrapper a reference (the remote tracks' wrappers borrow theirs).
        List<Long> refs = new ArrayList<>();
        for (RTCRtpTransceiver t : transceivers) {
            refs.add(NativeRefs.handle(t));
        }
        peerConnection.close();
        for (long ref : refs) {
            NativeRefs.release(ref);
        }
        NativeRefs.release(peerConnectionHandle);
    }

    private static SetSessionDescriptionObserver observer(CompletableFuture<Void> done) {
        return new SetSessionDescriptionObserver() {
            @Override
            public void onSuccess() {
                done.complete(null);
            }

            @Override
            public void onFailure(String error) {
                done.completeExceptionally(new IllegalStateException(error));
            }
        };
    }

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
        public void onConnectionChange(RTCPeerConnectionState next) {
            if (next == RTCPeerConnectionState.CONNECTED) {
                connected.countDown();
            }
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            MediaStreamTrack track = transceiver.getReceiver().getTrack();
            synchronized (LightViewer.this) {
                if (closed) {
                    return;
                }
                remoteTracks.add(track);
            }
            if (track instanceof VideoTrack video) {
                video.addSink(sink);
            }
        }
    }
}
