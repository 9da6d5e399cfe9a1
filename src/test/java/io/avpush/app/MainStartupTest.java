package io.avpush.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees when a node refuses to start for its configuration: {@link Main} in a
 * child JVM, as the jar runs it, exits with status {@value Main#BAD_CONFIGURATION} and one log
 * line that says what to set, before it binds a port or loads WebRTC.
 */
class MainStartupTest {

    @Test
    void aNodeWithAnApiKeyAndNoTokenSecretExitsWithStatus2AndSaysHowToSetIt(@TempDir Path dir) throws Exception {
        Run run = start(dir, List.of("AVPUSH_API_KEY", "main-startup-test-key"));
        assertEquals(Main.BAD_CONFIGURATION, run.exitCode(), run.output());
        for (String says : List.of(
                "avpush does not start",
                "avpush.auth.token-secret",
                "it is empty, but API keys are set",
                "openssl rand -base64 32",
                "AVPUSH_TOKEN_SECRET")) {
            assertTrue(run.output().contains(says), "the output lacks '" + says + "':\n" + run.output());
        }
        assertFalse(run.output().contains("listening"), run.output());
    }

    @Test
    void aNodeWithAGuessableTokenSecretExitsWithStatus2(@TempDir Path dir) throws Exception {
        Run run = start(dir, List.of("AVPUSH_API_KEY", "main-startup-test-key", "AVPUSH_TOKEN_SECRET", "change-me"));
        assertEquals(Main.BAD_CONFIGURATION, run.exitCode(), run.output());
        assertTrue(run.output().contains("it is 9 characters") && run.output().contains("at least 32"), run.output());
    }

    private record Run(int exitCode, String output) {}

    /** Main in a child JVM in {@code dir} (no application.conf there), with these environment variables (name, value...). */
    private static Run start(Path dir, List<String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = dir.resolve("out.log");
        ProcessBuilder builder = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("AVPUSH_API_KEY");
        builder.environment().remove("AVPUSH_TOKEN_SECRET");
        builder.environment().remove("AVPUSH_SEED_NODES");
        builder.environment().put("AVPUSH_HTTP_HOST", "127.0.0.1");
        builder.environment().put("AVPUSH_HTTP_PORT", "0");
        for (int i = 0; i < env.size(); i += 2) {
            builder.environment().put(env.get(i), env.get(i + 1));
        }
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the node did not exit within 60 s:\n" + Files.readString(log));
        }
        return new Run(process.exitValue(), Files.readString(log));
    }
}
