package io.avpush.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onvoid.webrtc.media.audio.AudioTrack;
import dev.onvoid.webrtc.media.audio.CustomAudioSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The workaround for webrtc-java 0.14.0's leaked references (see {@link NativeRefs}), checked
 * against libwebrtc's own reference counts; no network needed (the offer has no candidates).
 */
class NativeRefsTest {

    @Test
    void vtableSlotsAreAddRefAndReleaseOfLibwebrtcsCount() {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of())) {
            CustomAudioSource source = new CustomAudioSource();
            AudioTrack track = engine.factory().createAudioTrack("t", source);
            long handle = NativeRefs.handle(track);
            assertTrue(handle != 0, "the track's native pointer is readable");
            NativeRefs.addRef(handle);
            assertEquals(1, NativeRefs.release(handle), "release of the extra reference leaves webrtc-java's");
            // webrtc-java's own dispose() throws an Error unless it drops the last reference: it must not.
            track.dispose();
            source.dispose();
        }
    }

    @Test
    void createdOffersAndAnswersAreDeletedOnceJavaHasTheirSdp() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                LightViewer.Client client = new LightViewer.Client()) {
            assertTrue(
                    NativeRefs.releaseCreatedDescriptions(),
                    "the wrapper of CreateSessionDescriptionObserver::OnSuccess is in place");
            SessionMedia output = engine.createMedia("descriptions");
            long before = NativeRefs.createdDescriptionsReleased();
            int viewers = 5;
            for (int i = 0; i < viewers; i++) {
                try (LightViewer receiver = new LightViewer(client)) {
                    String offer =
                            receiver.offer(Duration.ofSeconds(10)).replaceAll("a=candidate:[^\\r\\n]*\\r\\n", "");
                    assertTrue(offer.startsWith("v=0") && offer.contains("m=video"), offer);
                    Viewer viewer = output.connect("v" + i, offer, (id, s) -> {})
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS);
                    // The Java observer got an intact answer although its native description is gone.
                    assertTrue(
                            viewer.answerSdp().startsWith("v=0")
                                    && viewer.answerSdp().contains("m=audio"),
                            viewer.answerSdp());
                    output.disconnect("v" + i);
                }
            }
            output.close();
            // One offer (the receiver's createOffer) and one answer (the viewer's createAnswer) per viewer.
            assertEquals(2L * viewers, NativeRefs.createdDescriptionsReleased() - before);
        }
    }

    @Test
    void closingAViewerFreesItsPeerConnection() throws Exception {
        try (WebRtcEngine engine = WebRtcEngine.start(List.of());
                LightViewer.Client client = new LightViewer.Client()) {
            SessionMedia output = engine.createMedia("refs");
            Viewer viewer;
            try (LightViewer receiver = new LightViewer(client)) {
                // Without its candidates the offer makes the engine send no connectivity checks anywhere.
                String offer = receiver.offer(Duration.ofSeconds(10)).replaceAll("a=candidate:[^\\r\\n]*\\r\\n", "");
                viewer = output.connect("v", offer, (id, s) -> {})
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                assertTrue(viewer.answerSdp().startsWith("v=0"), viewer.answerSdp());
                assertEquals(1, output.viewerCount());
            }
            output.close();
            assertEquals(0, output.viewerCount());
            // webrtc-java's close() alone leaves the reference of its wrapper, so the object would live on.
            assertTrue(viewer.peerConnectionFreed(), "libwebrtc freed the closed viewer's peer connection");
        }
    }
}
