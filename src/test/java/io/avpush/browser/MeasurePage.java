package io.avpush.browser;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code /static/measure.html} in headless Chromium (or another browser) and returns the page's
 * result: the {@code AVPUSH-RESULT} JSON it prints, also written to {@code result.json} in the output
 * directory (property {@code avpush.sync.out}, default a new temporary directory) next to the
 * browser's log ({@code chromium.log}).
 */
final class MeasurePage {

    /** A browser showing one page: the text after the result marker once the page printed it. */
    interface Browser extends AutoCloseable {
        CompletableFuture<String> result();

        @Override
        void close() throws IOException, InterruptedException;
    }

    /** Starts a browser on {@code url} whose output goes to {@code log}. */
    interface Opener {
        Browser open(String url, Path log) throws IOException, InterruptedException;
    }

    static final String RESULT = "AVPUSH-RESULT ";
    static final String PROGRESS = "AVPUSH-PROGRESS";

    /** Where one run's files went, and what the page reported. */
    record Run(Path out, JsonNode result) {}

    private MeasurePage() {}

    /**
     * Skips the calling test when a tool it needs is missing, except when the environment variable
     * {@code CI} is set: then it fails, so CI cannot pass by not running it.
     */
    static void require(Optional<String> missing) {
        if (missing.isPresent()) {
            if (System.getenv("CI") != null) {
                fail(missing.get() + "; CI must run the browser tests");
            }
            Assumptions.abort(missing.get() + "; skipping (set CI to make this a failure)");
        }
    }

    static Run run(String url, long timeoutSeconds, String label) throws IOException, InterruptedException {
        return run(url, timeoutSeconds, label, List.of(), List.of());
    }

    /** As above, with Chromium started through {@code prefix} and given {@code flags} (see {@link HeadlessChromium}). */
    static Run run(String url, long timeoutSeconds, String label, List<String> prefix, List<String> flags)
            throws IOException, InterruptedException {
        require(HeadlessChromium.missingReason());
        return run(
                url,
                timeoutSeconds,
                label,
                "chromium.log",
                (u, log) -> HeadlessChromium.open(u, log, RESULT, PROGRESS, prefix, flags));
    }

    /** As above, in the browser {@code opener} starts, its output in {@code logName}. */
    static Run run(String url, long timeoutSeconds, String label, String logName, Opener opener)
            throws IOException, InterruptedException {
        Path out = outputDirectory(label);
        Path log = out.resolve(logName);
        System.out.println(label + ": " + url + " (browser log: " + log + ")");
        String json;
        try (Browser browser = opener.open(url, log)) {
            json = browser.result().get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "the page printed no " + RESULT.trim() + " within " + timeoutSeconds + " s; see " + log, e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause().getMessage(), e.getCause());
        }
        json = json.substring(0, json.lastIndexOf('}') + 1);
        Files.writeString(out.resolve("result.json"), json, StandardCharsets.UTF_8);
        return new Run(out, new ObjectMapper().readTree(json));
    }

    private static Path outputDirectory(String label) throws IOException {
        String dir = System.getProperty("avpush.sync.out");
        Path out = dir != null ? Path.of(dir) : Files.createTempDirectory("avpush-" + label);
        return Files.createDirectories(out);
    }
}
