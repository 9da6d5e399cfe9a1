package io.avpush.webrtc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link WebRtcEngineIT}: connects a viewer, streams briefly, closes
 * everything and returns from main without System.exit. The JVM must then end by itself; a native
 * object left undisposed keeps threads attached and the JVM alive.
 */
public final class EngineExitProbe {
    public static void main(String[] args) throws Exception {
        WebRtcEngine engine = WebRtcEngine.start(List.of());
        SessionMedia output = engine.createMedia("exit-probe");
        try (TestViewer receiver = TestViewer.create()) {
            String offer = receiver.createOffer().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Viewer viewer = output.connect("v", offer, (id, s) -> {})
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            receiver.acceptAnswer(viewer.answerSdp());
            if (!receiver.awaitConnected(Duration.ofSeconds(10))) {
                throw new IllegalStateException("probe viewer did not connect");
            }
            try (MarkerPushLoop pushLoop = new MarkerPushLoop(output, 30, 1_000_000_000L).start()) {
                pushLoop.join();
            }
            System.out.println("probe frames received: " + receiver.frames().size());
        }
        engine.close();
        engine.close();
        System.out.println("probe closed");
    }
}
