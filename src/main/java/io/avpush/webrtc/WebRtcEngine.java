package io.avpush.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.media.audio.AudioDeviceModule;
import dev.onvoid.webrtc.media.audio.AudioDeviceModuleBase;
import dev.onvoid.webrtc.media.audio.AudioLayer;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import io.avpush.pacing.NicedThreadPool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one libwebrtc: an audio device module, the peer connection factory built on it, and
 * the media outputs (one per session) made from that factory.
 *
 * <p>Order matters in webrtc-java 0.14.0: the {@link HeadlessAudioDeviceModule} must have playout
 * initialised and started before the factory is built on it (the other order aborts the JVM), and at
 * shutdown the factory is disposed before the module. Nothing here relies on finalizers: a factory
 * that is not disposed keeps native threads attached and the JVM alive.
 *
 * <p>A consequence worth knowing (measured, and read in libwebrtc's {@code AudioDeviceBuffer}): with
 * playout already started, the factory's audio transport is refused by the module's buffer ("media
 * was active"). The module's capture thread therefore never feeds the send streams, so the only audio
 * sent is what {@code CustomAudioSource.pushAudio} delivers: 600 pushes of 10 ms gave exactly 300
 * Opus packets of 20 ms. (The same order on a receiving peer leaves its remote audio unplayed.)
 */
public final class WebRtcEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebRtcEngine.class);

    private final AudioDeviceModuleBase audioModule;
    private final AudioModule audioModuleKind;
    private final boolean opusDtx;
    private final PeerConnectionFactory factory;
    private final java.util.function.Supplier<List<IceServer>> iceServers;
    private final ExecutorService negotiation;
    private final Map<String, SessionMedia> outputs = new ConcurrentHashMap<>();
    private boolean closed;

    private WebRtcEngine(
            AudioDeviceModuleBase audioModule,
            PeerConnectionFactory factory,
            java.util.function.Supplier<List<IceServer>> ice,
            Options options) {
        this.audioModule = audioModule;
        this.audioModuleKind = options.audioModule();
        this.opusDtx = options.opusDtx();
        this.factory = factory;
        this.iceServers = ice;
        this.negotiation = Executors.newSingleThreadExecutor(r -> {
            // Started from a media actor (nice -10), whose nice it would inherit: offers and
            // answers are bulk work that must not compete with releasing media.
            Thread t = new Thread(
                    () -> {
                        NicedThreadPool.renice(0);
                        r.run();
                    },
                    "avpush-webrtc-negotiation");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Which audio device module the factory is built on. Neither records: the sent audio is only
     * what {@code pushAudio} delivers. DUMMY measured steadier in Chromium (its audio jitter buffer
     * target stayed flat at 20 ms where HEADLESS wandered).
     */
    public enum AudioModule {
        DUMMY,
        HEADLESS
    }

    /**
     * How the engine sends.
     *
     * @param audioModule the audio device module the factory is built on
     * @param senderReportInterval how often each stream of every peer connection sends an RTCP
     *     sender report; zero keeps libwebrtc's (audio every 5 s, video every 1 s)
     * @param opusDtx whether the Opus encoder sends silence as DTX (see {@link OfferEdits#withOpusDtx})
     */
    public record Options(AudioModule audioModule, Duration senderReportInterval, boolean opusDtx) {
        /** The defaults of reference.conf: the dummy module, reports every 500 ms, DTX on. */
        public static final Options DEFAULTS = new Options(AudioModule.DUMMY, Duration.ofMillis(500), true);
    }

    /** Builds the engine with {@link Options#DEFAULTS}. */
    public static WebRtcEngine start(List<IceServer> iceServers) {
        List<IceServer> fixed = List.copyOf(iceServers);
        return start(() -> fixed, Options.DEFAULTS);
    }

    /**
     * Builds the audio module (a headless one has playout started first), then the factory on it.
     * Every session's audio and video go in one MediaStream, so that browsers lip-sync them from the
     * RTCP sender reports.
     *
     * @param iceServers asked for at every new peer connection (fresh TURN REST credentials)
     */
    public static WebRtcEngine start(java.util.function.Supplier<List<IceServer>> iceServers, Options options) {
        AudioModule kind = options.audioModule();
        Duration senderReportInterval = options.senderReportInterval();
        AudioDeviceModuleBase adm = kind == AudioModule.DUMMY
                ? new AudioDeviceModule(AudioLayer.kDummyAudio)
                : new HeadlessAudioDeviceModule();
        PeerConnectionFactory factory;
        try {
            if (kind == AudioModule.HEADLESS) {
                adm.initPlayout();
                adm.startPlayout();
            }
            factory = new PeerConnectionFactory(adm);
        } catch (RuntimeException | Error e) {
            if (kind == AudioModule.HEADLESS) {
                adm.stopPlayout();
            }
            adm.dispose();
            throw e;
        }
        // webrtc-java's library is loaded now; its created offers and answers are freed from here on.
        NativeRefs.releaseCreatedDescriptions();
        boolean reports = SenderReports.install(factory, senderReportInterval);
        log.info(
                "WebRTC engine started on the {} audio device module; sender reports every {}; Opus DTX {}",
                kind,
                reports ? senderReportInterval.toMillis() + " ms" : "5 s (audio) and 1 s (video), libwebrtc's defaults",
                options.opusDtx() ? "on" : "off");
        return new WebRtcEngine(adm, factory, iceServers, options);
    }

    /** A new output for one session: its own clock, sources and tracks, shared by its viewers. */
    public synchronized SessionMedia createMedia(String sessionId) {
        if (closed) {
            throw new IllegalStateException("WebRTC engine is closed");
        }
        if (outputs.containsKey(sessionId)) {
            throw new IllegalArgumentException("an output for session " + sessionId + " is already open");
        }
        SessionMedia output = new SessionMedia(sessionId, this);
        outputs.put(sessionId, output);
        return output;
    }

    public int liveOutputs() {
        return outputs.size();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (SessionMedia output : List.copyOf(outputs.values())) {
            output.close();
        }
        negotiation.shutdownNow();
        try {
            negotiation.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Natives.dispose("peer connection factory", factory::dispose);
        if (audioModuleKind == AudioModule.HEADLESS) {
            Natives.dispose("audio playout", audioModule::stopPlayout);
            Natives.dispose("audio recording", audioModule::stopRecording);
        }
        Natives.dispose("audio device module", audioModule::dispose);
        log.info("WebRTC engine closed");
    }

    PeerConnectionFactory factory() {
        return factory;
    }

    /** The offer as this engine answers it (see {@link Options#opusDtx}). */
    String offerAsAnswered(String offerSdp) {
        return opusDtx ? OfferEdits.withOpusDtx(offerSdp) : offerSdp;
    }

    ExecutorService negotiation() {
        return negotiation;
    }

    RTCConfiguration rtcConfiguration() {
        RTCConfiguration config = new RTCConfiguration();
        for (IceServer server : iceServers.get()) {
            RTCIceServer ice = new RTCIceServer();
            ice.urls = server.urls();
            ice.username = server.username();
            ice.password = server.credential();
            config.iceServers.add(ice);
        }
        return config;
    }

    void outputClosed(SessionMedia output) {
        outputs.remove(output.sessionId(), output);
    }
}
