package io.avpush.webrtc;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.onvoid.webrtc.PeerConnectionFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets how often libwebrtc sends RTCP sender reports on every peer connection of the node, which
 * webrtc-java 0.14.0's {@code RTCConfiguration} does not expose.
 *
 * <p>Why: a browser lip-syncs audio and video only once it can map both streams' RTP time to the
 * sender's clock, and that takes two sender reports of each stream. libwebrtc sends them every
 * {@code media_config.audio.rtcp_report_interval_ms} = 5000 ms for audio (randomised to 2.5–7.5 s)
 * and 1000 ms for video: measured in Chromium, the second audio report came 9.5 s after connect,
 * and until then the picture ran about 70 ms ahead of the sound. With reports every 500 ms both
 * streams are mapped within about a second. A report is ~70 bytes.
 *
 * <p>How: webrtc-java's {@code createPeerConnection} builds a {@code webrtc::PeerConnectionInterface::RTCConfiguration}
 * on its stack and passes it to {@code PeerConnectionFactoryInterface::CreatePeerConnectionOrError},
 * vtable slot 5 of the factory (read in its JNI and in the 0.14.0 linux-x86_64 library's code:
 * {@code call *0x28(%rax)}). {@link #install} puts a wrapper in that slot which writes the two
 * intervals into the configuration, then calls the original. The intervals sit at bytes 0x88 (video)
 * and 0x90 (audio) of the configuration in that library (its constructor stores 1000 and 5000 there);
 * the wrapper writes only when both hold those defaults, so another layout is left alone (and
 * counted: {@link #layoutMismatches}). Only for webrtc-java 0.14.x on Linux x86-64; off with
 * {@code avpush.webrtc.sender-report-interval = 0}.
 */
final class SenderReports {
    private static final Logger log = LoggerFactory.getLogger(SenderReports.class);

    /** The slot of {@code CreatePeerConnectionOrError} in the factory's vtable. */
    static final int CREATE_PEER_CONNECTION_SLOT = 5;

    static final long VIDEO_INTERVAL_OFFSET = 0x88;
    static final long AUDIO_INTERVAL_OFFSET = 0x90;
    static final int VIDEO_DEFAULT_MS = 1000;
    static final int AUDIO_DEFAULT_MS = 5000;

    private static final AtomicLong APPLIED = new AtomicLong();
    private static final AtomicLong MISMATCHES = new AtomicLong();
    private static volatile int intervalMs;
    private static volatile Function original;
    private static volatile boolean installed;

    /** {@code CreatePeerConnectionOrError}: the result is returned through {@code result} (sret). */
    interface CreatePeerConnection extends Callback {
        Pointer invoke(Pointer result, Pointer factory, Pointer configuration, Pointer dependencies);
    }

    // Held for the life of the process: libwebrtc calls it through the patched vtable.
    private static final CreatePeerConnection WRAPPER = new CreatePeerConnection() {
        @Override
        public Pointer invoke(Pointer result, Pointer factory, Pointer configuration, Pointer dependencies) {
            setIntervals(configuration);
            return original.invokePointer(new Object[] {result, factory, configuration, dependencies});
        }
    };

    private SenderReports() {}

    /** Writes the intervals into a configuration that holds libwebrtc's defaults where expected. */
    private static void setIntervals(Pointer configuration) {
        try {
            if (configuration.getInt(VIDEO_INTERVAL_OFFSET) == VIDEO_DEFAULT_MS
                    && configuration.getInt(AUDIO_INTERVAL_OFFSET) == AUDIO_DEFAULT_MS) {
                configuration.setInt(VIDEO_INTERVAL_OFFSET, intervalMs);
                configuration.setInt(AUDIO_INTERVAL_OFFSET, intervalMs);
                APPLIED.incrementAndGet();
            } else {
                MISMATCHES.incrementAndGet();
            }
        } catch (RuntimeException | Error e) {
            MISMATCHES.incrementAndGet();
        }
    }

    /**
     * From now on, every peer connection of {@code factory} sends sender reports of both streams
     * every {@code interval} (libwebrtc randomises each gap to 0.5–1.5 times it). Zero leaves
     * libwebrtc's defaults. Once per process; returns whether the wrapper is in place.
     */
    static synchronized boolean install(PeerConnectionFactory factory, Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            return false;
        }
        intervalMs = Math.toIntExact(interval.toMillis());
        if (installed) {
            return true;
        }
        String version = NativeRefs.webrtcJavaVersion();
        long handle = NativeRefs.handle(factory);
        if (!version.startsWith("0.14.") || handle == 0) {
            log.warn(
                    "webrtc-java {}: sender reports keep libwebrtc's intervals (audio every 5 s), so browsers lip-sync "
                            + "only some seconds after connecting",
                    version);
            return false;
        }
        try {
            long entry = Pointer.nativeValue(new Pointer(handle).getPointer(0))
                    + (long) CREATE_PEER_CONNECTION_SLOT * Native.POINTER_SIZE;
            Pointer function = new Pointer(entry).getPointer(0);
            NativeRefs.Mapping code = NativeRefs.mappingOf(Pointer.nativeValue(function));
            if (!code.path().contains("libwebrtc-java") || (code.protection() & NativeRefs.PROT_EXEC) == 0) {
                throw new IllegalStateException(
                        "slot " + CREATE_PEER_CONNECTION_SLOT + " of the factory's vtable is not code of webrtc-java");
            }
            original = Function.getFunction(function);
            Native.setCallbackThreadInitializer(WRAPPER, new CallbackThreadInitializer(true, false));
            NativeRefs.replaceSlot(entry, CallbackReference.getFunctionPointer(WRAPPER));
            installed = true;
            return true;
        } catch (RuntimeException | UnsatisfiedLinkError | IOException e) {
            log.warn("cannot set libwebrtc's sender report interval ({}): audio reports stay 5 s apart", e.toString());
            return false;
        }
    }

    /** Peer connections created with the interval set. */
    static long applied() {
        return APPLIED.get();
    }

    /** Peer connections whose configuration did not hold libwebrtc's defaults where expected (left alone). */
    static long layoutMismatches() {
        return MISMATCHES.get();
    }
}
