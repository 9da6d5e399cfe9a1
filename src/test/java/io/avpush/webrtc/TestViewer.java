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
import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.AudioTrackSink;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.onvoid.webrtc.media.video.I420Buffer;
import dev.onvoid.webrtc.media.video.VideoFrame;
import dev.onvoid.webrtc.media.video.VideoTrack;
import dev.onvoid.webrtc.media.video.VideoTrackSink;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A receiving peer in the test JVM that notices what a person watching would: when frames arrive
 * and how bright they are, how much audio plays, and when flashes and beeps arrive. Public for the
 * API-level test in {@code io.avpush.http}, which drives it through the HTTP offer route.
 *
 * <p>It has its own factory on its own {@link HeadlessAudioDeviceModule}, whose playout thread
 * (started by libwebrtc) pulls the remote audio every ~10 ms; that pull is what feeds our sink.
 */
public final class TestViewer implements AutoCloseable {
    public record FrameArrival(long arrivalNanos, int width, int height, int meanLuma) {}

    public record AudioArrival(long arrivalNanos, int sampleRate, int channels, int frames) {}

    private final HeadlessAudioDeviceModule audioModule = new HeadlessAudioDeviceModule();
    private final PeerConnectionFactory factory;
    private final CustomAudioSource offerAudioSource = new CustomAudioSource();
    private final CustomVideoSource offerVideoSource = new CustomVideoSource();
    private final AudioTrack offerAudioTrack;
    private final VideoTrack offerVideoTrack;
    private final RTCPeerConnection peerConnection;
    private final CompletableFuture<Void> gathered = new CompletableFuture<>();
    private final CountDownLatch connected = new CountDownLatch(1);
    private final List<FrameArrival> frames = new ArrayList<>();
    private final List<AudioArrival> audio = new ArrayList<>();
    private final List<Long> flashes = new ArrayList<>();
    private final BeepDetector beeps = new BeepDetector();
    private final List<MediaStreamTrack> remoteTracks = new ArrayList<>();
    private final List<String> eventMessages = new java.util.concurrent.CopyOnWriteArrayList<>();
    private dev.onvoid.webrtc.RTCDataChannel eventsChannel;
    private volatile RTCPeerConnectionState state = RTCPeerConnectionState.NEW;
    private int lastLuma = 0;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private TestViewer() {
        // Playout is NOT started here: with playout running, libwebrtc's AudioDeviceBuffer refuses the
        // factory's audio transport ("media was active"), and remote audio is never pulled. Left alone,
        // libwebrtc initialises and starts playout itself when the first receive stream is added.
        factory = new PeerConnectionFactory(audioModule);
        offerAudioTrack = factory.createAudioTrack("viewer-audio", offerAudioSource);
        offerVideoTrack = factory.createVideoTrack("viewer-video", offerVideoSource);
        peerConnection = factory.createPeerConnection(new RTCConfiguration(), new Events());
    }

    public static TestViewer create() {
        return new TestViewer();
    }

    /**
     * Creates the session-events data channel as a browser would (negotiated, id 0, before the
     * offer, which then has a data section); its text messages are kept in {@link #eventMessages()}.
     */
    public void openEventsChannel() {
        dev.onvoid.webrtc.RTCDataChannelInit init = new dev.onvoid.webrtc.RTCDataChannelInit();
        init.negotiated = true;
        init.id = Viewer.EVENTS_CHANNEL_ID;
        eventsChannel = peerConnection.createDataChannel(Viewer.EVENTS_LABEL, init);
        eventsChannel.registerObserver(new dev.onvoid.webrtc.RTCDataChannelObserver() {
            @Override
            public void onBufferedAmountChange(long previousAmount) {}

            @Override
            public void onStateChange() {}

            @Override
            public void onMessage(dev.onvoid.webrtc.RTCDataChannelBuffer buffer) {
                byte[] bytes = new byte[buffer.data.remaining()];
                buffer.data.get(bytes);
                eventMessages.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
            }
        });
    }

    /** The text messages received on the events data channel, in order. */
    public List<String> eventMessages() {
        return List.copyOf(eventMessages);
    }

    /** A recvonly audio + video offer with all candidates. */
    public CompletionStage<String> createOffer() {
        RTCRtpTransceiverInit recvOnly = new RTCRtpTransceiverInit();
        recvOnly.direction = RTCRtpTransceiverDirection.RECV_ONLY;
        peerConnection.addTransceiver(offerAudioTrack, recvOnly);
        peerConnection.addTransceiver(offerVideoTrack, recvOnly);
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
        return offer.thenComposeAsync(description -> {
                    CompletableFuture<Void> set = new CompletableFuture<>();
                    peerConnection.setLocalDescription(description, observer(set));
                    return set;
                })
                .thenCompose(ignored -> gathered.orTimeout(5, TimeUnit.SECONDS))
                .thenApplyAsync(ignored -> peerConnection.getLocalDescription().sdp);
    }

    public void acceptAnswer(String sdp) {
        CompletableFuture<Void> set = new CompletableFuture<>();
        peerConnection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp), observer(set));
        set.orTimeout(5, TimeUnit.SECONDS).join();
    }

    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The receiver's inbound-rtp stats of one kind, as libwebrtc reports them (for diagnosis). */
    public java.util.Map<String, Object> inbound(String kind) {
        return stats(dev.onvoid.webrtc.RTCStatsType.INBOUND_RTP, kind);
    }

    /** The receiver's stats of one type and kind (empty when libwebrtc has none yet). */
    public java.util.Map<String, Object> stats(dev.onvoid.webrtc.RTCStatsType type, String kind) {
        CompletableFuture<java.util.Map<String, Object>> result = new CompletableFuture<>();
        peerConnection.getStats(report -> result.complete(report.getStats().values().stream()
                .filter(s ->
                        s.getType() == type && kind.equals(s.getAttributes().get("kind")))
                .map(s -> s.getAttributes())
                .findFirst()
                .orElse(java.util.Map.of())));
        return result.orTimeout(5, TimeUnit.SECONDS).join();
    }

    public RTCPeerConnectionState state() {
        return state;
    }

    public synchronized List<FrameArrival> frames() {
        return List.copyOf(frames);
    }

    public synchronized List<AudioArrival> audio() {
        return List.copyOf(audio);
    }

    public synchronized List<Long> flashArrivals() {
        return List.copyOf(flashes);
    }

    public synchronized List<Long> beepArrivals() {
        return beeps.onsets();
    }

    private synchronized void onFrame(VideoFrame frame) {
        long now = System.nanoTime();
        try {
            I420Buffer buffer = frame.buffer.toI420();
            int luma = meanLuma(buffer);
            frames.add(new FrameArrival(now, buffer.getWidth(), buffer.getHeight(), luma));
            if (luma > 180 && lastLuma < 100) {
                flashes.add(now);
            }
            lastLuma = luma;
        } finally {
            frame.release();
        }
    }

    /** Mean of every 16th pixel of every 16th row. */
    private static int meanLuma(I420Buffer buffer) {
        ByteBuffer y = buffer.getDataY();
        int stride = buffer.getStrideY();
        long sum = 0;
        int count = 0;
        for (int row = 8; row < buffer.getHeight(); row += 16) {
            for (int col = 8; col < buffer.getWidth(); col += 16) {
                sum += y.get(row * stride + col) & 0xff;
                count++;
            }
        }
        return count == 0 ? 0 : (int) (sum / count);
    }

    private synchronized void onAudio(byte[] data, int bitsPerSample, int sampleRate, int channels, int frameCount) {
        long now = System.nanoTime();
        audio.add(new AudioArrival(now, sampleRate, channels, frameCount));
        if (bitsPerSample == 16) {
            beeps.accept(now, data, sampleRate, channels, frameCount);
        }
    }

    /** Not synchronized: the sinks lock this object, and closing waits for libwebrtc's threads. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (eventsChannel != null) {
            eventsChannel.unregisterObserver();
            eventsChannel.close();
            eventsChannel.dispose();
        }
        peerConnection.close();
        List<MediaStreamTrack> tracks;
        synchronized (this) {
            tracks = List.copyOf(remoteTracks);
        }
        for (MediaStreamTrack track : tracks) {
            if (track instanceof VideoTrack video) {
                video.removeSink(videoSink);
            } else if (track instanceof AudioTrack sound) {
                sound.removeSink(audioSink);
            }
        }
        Natives.dispose("viewer audio track", offerAudioTrack::dispose);
        Natives.dispose("viewer video track", offerVideoTrack::dispose);
        Natives.dispose("viewer audio source", offerAudioSource::dispose);
        Natives.dispose("viewer video source", offerVideoSource::dispose);
        Natives.dispose("viewer factory", factory::dispose);
        Natives.dispose("viewer playout", audioModule::stopPlayout);
        Natives.dispose("viewer audio module", audioModule::dispose);
    }

    private final VideoTrackSink videoSink = this::onFrame;
    private final AudioTrackSink audioSink = this::onAudio;

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
            state = next;
            if (next == RTCPeerConnectionState.CONNECTED) {
                connected.countDown();
            }
        }

        @Override
        public void onTrack(RTCRtpTransceiver transceiver) {
            MediaStreamTrack track = transceiver.getReceiver().getTrack();
            synchronized (TestViewer.this) {
                remoteTracks.add(track);
            }
            if (track instanceof VideoTrack video) {
                video.addSink(videoSink);
            } else if (track instanceof AudioTrack sound) {
                sound.addSink(audioSink);
            }
        }
    }

    /** For each flash arrival (ns), the nearest beep onset within 500 ms: beep minus flash, in ms. */
    public static List<Double> pairOffsetsMs(List<Long> flashes, List<Long> beeps) {
        List<Double> offsets = new java.util.ArrayList<>();
        for (long flash : flashes) {
            beeps.stream()
                    .min((a, b) -> Long.compare(Math.abs(a - flash), Math.abs(b - flash)))
                    .filter(beep -> Math.abs(beep - flash) < 500_000_000L)
                    .ifPresent(beep -> offsets.add((beep - flash) / 1e6));
        }
        return offsets;
    }
}
