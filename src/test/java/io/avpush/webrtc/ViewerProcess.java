package io.avpush.webrtc;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * A webrtc-java viewer ({@link LightViewer}) in a process of its own, so that a test can make it
 * vanish the way a closed laptop or a dead network does: its namespace's link deleted, or the
 * process frozen (SIGSTOP) or killed, with no DELETE and no DTLS close. Signalling is one line each
 * way on stdin/stdout: it prints {@code offer <base64 SDP>}, reads {@code answer <base64 SDP>},
 * then prints {@code connected} once connected and {@code frames <n>} every 100 ms. It exits when
 * its stdin closes.
 */
public final class ViewerProcess {

    private ViewerProcess() {}

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        LightViewer.Client client = new LightViewer.Client();
        LightViewer viewer = new LightViewer(client);
        say("offer "
                + Base64.getEncoder()
                        .encodeToString(viewer.offer(Duration.ofSeconds(20)).getBytes(StandardCharsets.UTF_8)));
        String line = in.readLine();
        if (line == null || !line.startsWith("answer ")) {
            Runtime.getRuntime().halt(2);
        }
        viewer.accept(
                new String(Base64.getDecoder().decode(line.substring("answer ".length())), StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        Thread reporter = new Thread(
                () -> {
                    try {
                        boolean connected = false;
                        while (true) {
                            if (!connected && viewer.awaitConnected(Duration.ZERO)) {
                                connected = true;
                                say("connected");
                            }
                            say("frames " + viewer.frames());
                            Thread.sleep(100);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "viewer-reporter");
        reporter.setDaemon(true);
        reporter.start();
        while (in.readLine() != null) {
            // nothing more is said to it; EOF ends it
        }
        // The test only ever needs it gone: no orderly close (that would send a DTLS close).
        Runtime.getRuntime().halt(0);
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
