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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One headless Chromium on one page, in its own process group (started through {@code setsid}) so
 * that closing it ends the browser and every helper process it forked, and nothing else. Console
 * messages reach us on Chromium's stderr ({@code --enable-logging=stderr}); the page reports by
 * printing lines that start with a marker.
 */
final class HeadlessChromium implements AutoCloseable {

  /**
   * The browser; {@code -Davpush.chromium=PATH} names another build, {@code -Davpush.chromium.flags="..."}
   * adds flags (e.g. a {@code --vmodule} pattern for libwebrtc's ICE log).
   */
  static final Path BINARY = Path.of(System.getProperty("avpush.chromium", "/usr/bin/chromium"));

  private final Process process;
  private final Path profile;
  private final CompletableFuture<String> result = new CompletableFuture<>();

  private HeadlessChromium(Process process, Path profile, Path log, String resultMarker, String progressMarker) {
    this.process = process;
    this.profile = profile;
    Thread reader = new Thread(() -> read(log, resultMarker, progressMarker), "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Opens {@code url}; every stderr line goes to {@code log}, lines holding {@code progressMarker}
   * are echoed to stdout, and the first line holding {@code resultMarker} completes {@link #result}.
   */
  static HeadlessChromium open(String url, Path log, String resultMarker, String progressMarker) throws IOException {
    return open(url, log, resultMarker, progressMarker, List.of(), List.of());
  }

  /**
   * As above, with Chromium started through {@code prefix} (e.g. {@code nsenter --net=...} to run it
   * in another network namespace) and with {@code flags} added to its command line.
   */
  static HeadlessChromium open(String url, Path log, String resultMarker, String progressMarker,
      List<String> prefix, List<String> flags) throws IOException {
    Path profile = Files.createTempDirectory("avpush-chromium-profile");
    List<String> command = new ArrayList<>(List.of("setsid"));
    command.addAll(prefix);
    command.addAll(List.of(BINARY.toString(),
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--autoplay-policy=no-user-gesture-required",
        "--enable-logging=stderr", "--v=0"));
    command.addAll(flags);
    String more = System.getProperty("avpush.chromium.flags", "").strip();
    if (!more.isEmpty()) {
      command.addAll(List.of(more.split("\\s+")));
    }
    command.add(url);
    Process process = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
    return new HeadlessChromium(process, profile, log, resultMarker, progressMarker);
  }

  /** The text after the result marker on its line, once the page printed it. */
  CompletableFuture<String> result() {
    return result;
  }

  private void read(Path log, String resultMarker, String progressMarker) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
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
    result.completeExceptionally(new IOException("Chromium closed its output (exit status "
        + (process.isAlive() ? "none yet" : process.exitValue()) + ") before the page printed " + resultMarker + "; see " + log));
  }

  /** A console line as Chromium logs it ends with {@code ", source: URL (line)"}; keep the message. */
  private static String consoleText(String s) {
    int source = s.lastIndexOf("\", source:");
    return source >= 0 ? s.substring(0, source) : s;
  }

  /** Ends the whole process group: TERM, then KILL after 3 s; removes the profile. */
  @Override
  public void close() throws IOException, InterruptedException {
    long group = process.pid();
    signalGroup("TERM", group);
    if (!process.waitFor(3, TimeUnit.SECONDS)) {
      signalGroup("KILL", group);
      process.waitFor(3, TimeUnit.SECONDS);
    }
    // Helpers may outlive the main process by a moment; make sure none is left in the group.
    signalGroup("KILL", group);
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void signalGroup(String signal, long group) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + signal, "--", "-" + group)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
  }

  static Optional<String> missingReason() {
    return Files.isExecutable(BINARY) ? Optional.empty() : Optional.of(BINARY + " is not installed (apt-get install -y chromium)");
  }
}
