package io.avpush.bench;

import static io.avpush.bench.StreamBench.IDLE_LUMA;

import io.avpush.session.Transport;
import io.avpush.webrtc.SessionMedia;
import io.avpush.webrtc.TestViewer;
import io.avpush.webrtc.Viewer;
import io.avpush.webrtc.WebRtcTransports;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code trace-first=true}: where the first frame's latency goes, read from the server's viewer of session 0. */
final class FirstFrameTrace {

    /**
     * Diagnosis of the first frame's latency: from session 0's first 202, every 10 ms, the sender's
     * video outbound-rtp (frames encoded/sent, bytes, total encode time, total packet send delay,
     * target bitrate) and the transport's available outgoing bitrate, next to the first content
     * push and its arrival at the receiver.
     */
    static void run(Transport real, TimedTransport timed, TestViewer receiver) throws InterruptedException {
        Viewer viewer = viewersOf(real).stream().findFirst().orElse(null);
        if (viewer == null) {
            return;
        }
        while (timed.armedNs == 0) {
            Thread.sleep(1);
        }
        long t0 = timed.armedNs;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            long asked = System.nanoTime();
            try {
                dev.onvoid.webrtc.RTCStatsReport report =
                        viewer.statsReport().toCompletableFuture().get(2, TimeUnit.SECONDS);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  t=%4.0f ms", (asked - t0) / 1e6));
                for (dev.onvoid.webrtc.RTCStats st : report.getStats().values()) {
                    Map<String, Object> a = st.getAttributes();
                    if (st.getType() == dev.onvoid.webrtc.RTCStatsType.OUTBOUND_RTP && "video".equals(a.get("kind"))) {
                        sb.append(String.format(
                                Locale.ROOT,
                                " enc %s sent %s bytes %s encTime %.3f s sendDelay %.3f s target %s kbit/s huge %s",
                                a.get("framesEncoded"),
                                a.get("framesSent"),
                                a.get("bytesSent"),
                                num(a.get("totalEncodeTime")),
                                num(a.get("totalPacketSendDelay")),
                                num(a.get("targetBitrate")) / 1000,
                                a.get("hugeFramesSent")));
                    } else if (st.getType() == dev.onvoid.webrtc.RTCStatsType.CANDIDATE_PAIR
                            && a.get("availableOutgoingBitrate") != null) {
                        sb.append(String.format(
                                Locale.ROOT,
                                " | available out %.0f kbit/s",
                                num(a.get("availableOutgoingBitrate")) / 1000));
                    }
                }
                lines.add(sb.toString());
            } catch (Exception e) {
                lines.add("  stats failed: " + e);
            }
            Thread.sleep(10);
        }
        long pushed = timed.firstContentPushNs;
        long arrived = 0;
        for (TestViewer.FrameArrival fa : receiver.frames()) {
            if (fa.arrivalNanos() > t0 && Math.abs(fa.meanLuma() - IDLE_LUMA) > 12) {
                arrived = fa.arrivalNanos();
                break;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "first-frame trace of session 0 (t from the 202): first content push at %.0f ms, received at %.0f ms%n",
                pushed == 0 ? Double.NaN : (pushed - t0) / 1e6,
                arrived == 0 ? Double.NaN : (arrived - t0) / 1e6);
        lines.forEach(System.out::println);
    }

    static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** The server's viewers of a session's output (one made by {@link WebRtcTransports}), or none. */
    static List<Viewer> viewersOf(Transport o) {
        SessionMedia media = WebRtcTransports.mediaOf(o);
        return media == null ? List.of() : media.viewers();
    }

    private FirstFrameTrace() {}
}
