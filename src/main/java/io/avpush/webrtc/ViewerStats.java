package io.avpush.webrtc;

/**
 * What the sender side of one viewer has done so far, from libwebrtc's {@code outbound-rtp} stats:
 * video frames encoded and sent, audio packets sent, bytes sent over both, and why video quality is
 * limited ({@code none}, {@code cpu}, {@code bandwidth}, {@code other}; empty before the first frame).
 */
public record ViewerStats(
        long framesEncoded, long framesSent, long audioPacketsSent, long bytesSent, String qualityLimitationReason) {}
