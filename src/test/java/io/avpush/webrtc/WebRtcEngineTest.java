package io.avpush.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.SyntheticMedia;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs in plain CI (no network needed): the natives load, an output takes frames and audio with no
 * viewer, and everything disposes. Media between peers is tested by {@link WebRtcEngineIT}.
 */
class WebRtcEngineTest {

    @Test
    void pushesWithoutViewersAndClosesCleanly() {
        WebRtcEngine engine = WebRtcEngine.start(List.of(new IceServer(List.of("stun:stun.example.org"), null, null)));
        try (SessionMedia output = engine.createMedia("s1")) {
            assertEquals(1, engine.liveOutputs());
            byte[] frame = SyntheticMedia.i420(64, 48, 128);
            short[] pcm = new short[SessionMedia.SAMPLES_PER_CHUNK * 3];
            for (int i = 0; i < 5; i++) {
                output.pushFrame(frame, 64, 48);
                output.pushAudio(pcm, (i % 3) * SessionMedia.SAMPLES_PER_CHUNK);
            }
            assertEquals(0, output.viewerCount());
        }
        assertEquals(0, engine.liveOutputs());
        engine.close();
        engine.close();
    }

    @Test
    void oddSizedFramesAndPushesAfterCloseAreHarmless() {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of())) {
            SessionMedia output = engine.createMedia("odd");
            output.pushFrame(SyntheticMedia.i420(33, 17, 50), 33, 17);
            output.close();
            output.close();
            output.pushFrame(SyntheticMedia.i420(33, 17, 50), 33, 17);
            output.pushAudio(new short[480], 0);
        }
    }

    @Test
    void anOfferWithAPercentSignIsRefusedBeforeLibwebrtcSeesIt() throws Exception {
        // An unparsable line with "%n" reached printf inside webrtc-java and crashed the JVM (SdpFuzzIT).
        String offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nx%n%n%s%s%n\r\n"
                + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("percent")) {
            CompletionException failure = assertThrows(
                    CompletionException.class,
                    () -> output.connect("v", offer, (id, s) -> {})
                            .toCompletableFuture()
                            .orTimeout(10, TimeUnit.SECONDS)
                            .join());
            assertTrue(failure.getCause() instanceof SdpException, failure.toString());
            assertTrue(
                    failure.getCause().getMessage().contains("line 5 contains '%'"),
                    failure.getCause().getMessage());
        }
    }

    @Test
    void rejectsWrongSizesWithAReadableMessage() {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("sizes")) {
            IllegalArgumentException frame =
                    assertThrows(IllegalArgumentException.class, () -> output.pushFrame(new byte[10], 64, 48));
            assertTrue(frame.getMessage().contains("64x48 needs 4608 bytes"), frame.getMessage());
            IllegalArgumentException audio =
                    assertThrows(IllegalArgumentException.class, () -> output.pushAudio(new short[500], 100));
            assertTrue(audio.getMessage().contains("480 samples"), audio.getMessage());
        }
    }

    @Test
    void offerWithoutVideoFailsWithSdpExceptionBeforeTouchingLibwebrtc() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                SessionMedia output = engine.createMedia("sdp")) {
            String audioOnly = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
            CompletionException failure = assertThrows(
                    CompletionException.class,
                    () -> output.connect("v1", audioOnly, (id, s) -> {})
                            .toCompletableFuture()
                            .orTimeout(5, TimeUnit.SECONDS)
                            .join());
            assertTrue(failure.getCause() instanceof SdpException, failure.toString());
            assertTrue(
                    failure.getCause().getMessage().contains("no a video section"),
                    failure.getCause().getMessage());
            assertEquals(0, output.viewerCount());
        }
    }
}
