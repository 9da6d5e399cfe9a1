package io.avpush.webrtc;

import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import java.util.Map;

/** Reads the figures of {@link ViewerStats} out of a libwebrtc stats report (pure conversion). */
final class StatsReading {
    private StatsReading() {}

    static ViewerStats of(RTCStatsReport report) {
        long framesEncoded = 0;
        long framesSent = 0;
        long audioPackets = 0;
        long bytesSent = 0;
        String limitation = "";
        for (RTCStats stats : report.getStats().values()) {
            if (stats.getType() != RTCStatsType.OUTBOUND_RTP) {
                continue;
            }
            Map<String, Object> a = stats.getAttributes();
            bytesSent += number(a.get("bytesSent"));
            if ("audio".equals(a.get("kind"))) {
                audioPackets += number(a.get("packetsSent"));
            } else if ("video".equals(a.get("kind"))) {
                framesEncoded += number(a.get("framesEncoded"));
                framesSent += number(a.get("framesSent"));
                Object reason = a.get("qualityLimitationReason");
                limitation = reason == null ? limitation : reason.toString();
            }
        }
        return new ViewerStats(framesEncoded, framesSent, audioPackets, bytesSent, limitation);
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
