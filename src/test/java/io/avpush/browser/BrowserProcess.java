package io.avpush.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One headless browser on one page, in its own process group (started through {@code setsid}) so
 * that closing it ends the browser and every helper process it forked, and nothing else. The page
 * reports by printing lines that start with a marker; its output (stdout and stderr together) is
 * read line by line into a log file.
 */
final class BrowserProcess implements MeasurePage.Browser {

    private final Process process;
    private final List<Path> temporary;
    private final CompletableFuture<String> result = new CompletableFuture<>();

    private BrowserProcess(
            Process process, List<Path> temporary, Path log, String resultMarker, String progressMarker) {
        this.process = process;
        this.temporary = temporary;
        Thread reader = new Thread(() -> read(log, resultMarker, progressMarker), "browser-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code command} (after {@code setsid}) with {@code env} added to this JVM's environment;
     * every output line goes to {@code log}, lines holding {@code progressMarker} are echoed to stdout,
     * and the first line holding {@code resultMarker} completes {@link #result}. {@code temporary}
     * files and directories are removed on {@link #close}.
     */
    static BrowserProcess start(
            List<String> command,
            Map<String, String> env,
            Path log,
            String resultMarker,
            String progressMarker,
            List<Path> temporary)
            throws IOException {
        List<String> full = new ArrayList<>(List.of("setsid"));
        full.addAll(command);
        ProcessBuilder builder =
                new ProcessBuilder(full).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(env);
        return new BrowserProcess(builder.start(), temporary, log, resultMarker, progressMarker);
    }

    /** The text after the result marker on its line, once the page printed it. */
    @Override
    public CompletableFuture<String> result() {
        return result;
    }

    Process process() {
        return process;
    }

    private void read(Path log, String resultMarker, String progressMarker) {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                PrintWriter logOut = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                logOut.println(line);
                int at = line.indexOf(resultMarker);
                if (at >= 0) {
                    result.complete(line.substring(at + resultMarker.length()));
                    continue;
                }
                at = line.indexOf(progressMarker);
                if (at >= 0) {
                    System.out.println("page: " + consoleText(line.substring(at)));
                }
            }
        } catch (IOException e) {
            result.completeExceptionally(e);
        }
        result.completeExceptionally(new IOException(
                "the browser closed its output (exit status " + (process.isAlive() ? "none yet" : process.exitValue())
                        + ") before the page printed " + resultMarker + "; see " + log));
    }

    /** A console line as Chromium logs it ends with {@code ", source: URL (line)"}; keep the message. */
    private static String consoleText(String s) {
        int source = s.lastIndexOf("\", source:");
        return source >= 0 ? s.substring(0, source) : s;
    }

    /** Ends the whole process group: TERM, then KILL after 3 s; removes the temporary files. */
    @Override
    public void close() throws IOException, InterruptedException {
        endGroup(process);
        for (Path path : temporary) {
            try (Stream<Path> files = Files.walk(path)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Ends the process group led by {@code leader} (started through setsid): TERM, then KILL after 3 s. */
    static void endGroup(Process leader) throws IOException, InterruptedException {
        long group = leader.pid();
        signalGroup("TERM", group);
        if (!leader.waitFor(3, TimeUnit.SECONDS)) {
            signalGroup("KILL", group);
            leader.waitFor(3, TimeUnit.SECONDS);
        }
        // Helpers may outlive the main process by a moment; make sure none is left in the group.
        signalGroup("KILL", group);
    }

    private static void signalGroup(String signal, long group) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, "--", "-" + group)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor(2, TimeUnit.SECONDS);
    }
}
