package io.avpush.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stopped the way an operator or Docker stops it (SIGTERM), as docs/operations.md "Exit
 * messages" describes it: the JVM exits with 143 after the WebRTC engine closed, and what follows
 * that log line is at most webrtc-java's two lines from its native library's static destructors
 * (see the doc), never anything else: no exception, no crash report.
 */
@Tag("webrtc")
class MainExitIT {

    /** The two lines webrtc-java 0.14's native library prints from exit(), after the JVM is gone. */
    private static final List<Pattern> WEBRTC_JAVA_EXIT_LINES = List.of(
            Pattern.compile("VM attach current thread failed"), Pattern.compile("Failed to attach thread \\d+"));

    @Test
    void sigtermStopsTheNodeWithStatus143AndNothingButTheDocumentedLinesAfterTheEngineClosed(@TempDir Path dir)
            throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("out.log");
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Main.class.getName())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("AVPUSH_API_KEY");
        builder.environment().remove("AVPUSH_SEED_NODES");
        builder.environment().put("AVPUSH_HTTP_HOST", "127.0.0.1");
        builder.environment().put("AVPUSH_HTTP_PORT", Integer.toString(port));
        Process node = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("avpush listening")) {
                assertTrue(node.isAlive(), "the node exited before it listened:\n" + Files.readString(log));
                assertTrue(
                        System.nanoTime() < deadline, "the node did not listen within 60 s:\n" + Files.readString(log));
                Thread.sleep(100);
            }
            node.destroy();
            assertTrue(
                    node.waitFor(60, TimeUnit.SECONDS),
                    "the node did not exit within 60 s of SIGTERM:\n" + Files.readString(log));
        } finally {
            node.destroyForcibly();
        }
        String output = Files.readString(log);
        assertEquals(143, node.exitValue(), "a JVM stopped by SIGTERM exits 128 + 15:\n" + output);
        List<String> lines = output.lines().toList();
        int closed = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("WebRTC engine closed")) {
                closed = i;
            }
        }
        assertTrue(closed >= 0, "the engine closed at shutdown:\n" + output);
        List<String> after = lines.subList(closed + 1, lines.size());
        System.out.println("MainExitIT: after 'WebRTC engine closed' the node printed " + after);
        assertTrue(after.size() <= WEBRTC_JAVA_EXIT_LINES.size(), "only webrtc-java's exit lines follow: " + after);
        for (int i = 0; i < after.size(); i++) {
            assertTrue(
                    WEBRTC_JAVA_EXIT_LINES.get(i).matcher(after.get(i)).matches(),
                    "line " + (i + 1) + " after the engine closed is not webrtc-java's documented one: " + after);
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("hs_err")), "no crash report");
        }
    }
}
