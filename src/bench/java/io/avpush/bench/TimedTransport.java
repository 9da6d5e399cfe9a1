package io.avpush.bench;

import static io.avpush.bench.StreamBench.IDLE_LUMA;

import io.avpush.session.Transport;

/**
 * The session's real output, noting when the first frame that is not the idle picture is pushed
 * after {@link #armedNs} (the first upload's 202): 202 -> push is the server's share of the first
 * frame's latency, push -> arrival at the receiver is libwebrtc's (encode, RTP pacing, network, decode).
 */
final class TimedTransport implements Transport {
    final Transport real;
    final PacerProbe probe;
    volatile long armedNs;
    volatile long firstContentPushNs;
    volatile long frames; // written by the pacer thread only
    volatile long chunks;

    TimedTransport(Transport real, PacerProbe probe) {
        this.real = real;
        this.probe = probe;
    }

    @Override
    public void pushFrame(byte[] i420, int width, int height) {
        long callNs = System.nanoTime();
        real.pushFrame(i420, width, height);
        probe.pushed(PacerProbe.KIND_FRAME, System.nanoTime() - callNs);
        frames++;
        if (armedNs != 0 && firstContentPushNs == 0) {
            long now = System.nanoTime();
            long sum = 0;
            int samples = 0;
            for (int i = 0; i < width * height; i += 4099) {
                sum += i420[i] & 0xff;
                samples++;
            }
            if (now > armedNs && Math.abs(sum / samples - IDLE_LUMA) > 12) {
                firstContentPushNs = now;
            }
        }
    }

    @Override
    public void pushAudio(short[] pcm48kMono, int offset) {
        long callNs = System.nanoTime();
        real.pushAudio(pcm48kMono, offset);
        probe.pushed(PacerProbe.KIND_AUDIO, System.nanoTime() - callNs);
        chunks++;
    }

    @Override
    public java.util.concurrent.CompletionStage<String> connect(
            String viewerId, String offerSdp, java.util.function.BiConsumer<String, ViewerState> onState) {
        return real.connect(viewerId, offerSdp, onState);
    }

    @Override
    public void disconnect(String viewerId) {
        real.disconnect(viewerId);
    }

    @Override
    public void close() {
        real.close();
    }
}
