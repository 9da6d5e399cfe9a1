package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.avpush.testing.Hosts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's curl walk-through runs as written: its first {@code sh} block after the heading
 * {@value #HEADING} is run by bash, every command in turn ({@code set -e}), in an empty directory
 * (with the project's {@code scripts/} at hand, as in a checkout) against a live node, with
 * {@code localhost:8080} pointed at that node. What a user would notice is checked: every reply is
 * JSON without an error, the segment is accepted and waits for a viewer, the interrupt drops it,
 * the session is gone at the end. The node streams into a recording transport; no browser views.
 * Needs bash, curl, jq and python3 (scripts/test-all.sh installs them); skipped without them unless
 * the environment variable {@code CI} is set.
 */
class ReadmeWalkthroughTest {

    static final String HEADING = "## Walk-through with curl";

    @Test
    void theCurlWalkthroughRunsAsWrittenAgainstALiveNode(@TempDir Path dir) throws Exception {
        Hosts.missingReason(List.of("bash", "curl", "jq", "python3"), "apt-get install -y curl jq python3")
                .filter(reason -> !reason.startsWith("not inside"))
                .ifPresent(reason -> {
                    if (System.getenv("CI") != null) {
                        fail(reason + "; CI must run the README's walk-through");
                    }
                    Assumptions.abort(reason);
                });
        String block = walkthrough(Files.readString(Path.of("README.md"), StandardCharsets.UTF_8));
        Files.createSymbolicLink(dir.resolve("scripts"), Path.of("scripts").toAbsolutePath());

        try (TestServer node = TestServer.start("readme-walkthrough", new FakeTransports(), "")) {
            String script = "set -euo pipefail\n"
                    + block.replace(
                            "localhost:8080", "127.0.0.1:" + node.client.base().getPort());
            Process bash = new ProcessBuilder("bash", "-c", script)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            if (!bash.waitFor(120, TimeUnit.SECONDS)) {
                bash.destroyForcibly();
                fail("the walk-through did not finish within 120 s");
            }
            String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println("README walk-through:\n" + out);
            assertEquals(0, bash.exitValue(), "a command of the walk-through failed:\n" + out);
            assertFalse(out.contains("\"error\""), "a reply is an error:\n" + out);
            assertTrue(
                    out.matches("(?s).*open http://127\\.0\\.0\\.1:\\d+/\\?session=[a-z0-9]{10} .*"),
                    "the page to watch:\n" + out);
            assertTrue(out.contains("wrote sample/speech.wav"), "the sample media:\n" + out);
            assertTrue(
                    out.contains("\"segmentId\":") && out.contains("\"durationMs\":2000.0"),
                    "the upload's 202:\n" + out);
            assertTrue(out.contains("\"state\": \"waiting-for-viewer\""), "the segment waits for a viewer:\n" + out);
            assertTrue(
                    out.matches("(?s).*\\{\"dropped\":\\[\"[a-z0-9]{10}-s1\"\\].*"),
                    "the interrupt drops the segment:\n" + out);
            assertEquals(
                    "{\"sessions\":[]}",
                    node.client.get("/api/sessions").body(),
                    "the walk-through's DELETE ended its session");
        }
    }

    /** The first {@code ```sh} block after {@link #HEADING}. */
    static String walkthrough(String readme) {
        int heading = readme.indexOf("\n" + HEADING + "\n");
        assertTrue(heading >= 0, "README.md has no heading '" + HEADING + "'");
        int start = readme.indexOf("```sh\n", heading);
        int end = readme.indexOf("\n```", start + 6);
        assertTrue(start > 0 && end > start, "no ```sh block under '" + HEADING + "'");
        return readme.substring(start + 6, end + 1);
    }
}
