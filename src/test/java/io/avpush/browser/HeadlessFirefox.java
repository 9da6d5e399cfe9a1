package io.avpush.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Headless Firefox on one page, with a PulseAudio daemon of its own whose only sink is a null sink:
 * without a sound device Firefox's AudioContext never starts, so the page could not hear the beeps.
 * Both run in their own process groups ({@link BrowserProcess}) and end on {@link #close}. The page's
 * lines reach us on Firefox's stdout through {@code dump()} (pref {@code browser.dom.window.dump.enabled}).
 * Firefox gathers no ICE host candidates on a host without a default route; see {@link FirefoxSyncIT}.
 */
final class HeadlessFirefox implements MeasurePage.Browser {

    /** The browser; {@code -Davpush.firefox=PATH} names another build. */
    static final Path BINARY = Path.of(System.getProperty("avpush.firefox", "/usr/bin/firefox-esr"));

    static final Path PULSEAUDIO = Path.of("/usr/bin/pulseaudio");

    /** Autoplay with sound, dump() on stdout, and nothing that reaches out to the network by itself. */
    private static final String PREFS = """
      user_pref("media.autoplay.default", 0);
      user_pref("media.autoplay.blocking_policy", 0);
      user_pref("browser.dom.window.dump.enabled", true);
      user_pref("media.cubeb.backend", "pulse");
      user_pref("browser.shell.checkDefaultBrowser", false);
      user_pref("browser.aboutwelcome.enabled", false);
      user_pref("datareporting.policy.dataSubmissionEnabled", false);
      user_pref("datareporting.healthreport.uploadEnabled", false);
      user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
      user_pref("app.update.enabled", false);
      user_pref("app.normandy.enabled", false);
      user_pref("extensions.update.enabled", false);
      user_pref("browser.safebrowsing.update.enabled", false);
      user_pref("network.captive-portal-service.enabled", false);
      user_pref("network.connectivity-service.enabled", false);
      """;

    private final Process pulse;
    private final BrowserProcess firefox;

    private HeadlessFirefox(Process pulse, BrowserProcess firefox) {
        this.pulse = pulse;
        this.firefox = firefox;
    }

    /**
     * Starts PulseAudio with a null sink (its log next to {@code log}), then Firefox on {@code url};
     * output as {@link BrowserProcess#start}.
     */
    static HeadlessFirefox open(String url, Path log, String resultMarker, String progressMarker)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("avpush-firefox");
        Path profile = Files.createDirectories(dir.resolve("profile"));
        Files.writeString(profile.resolve("user.js"), PREFS, StandardCharsets.UTF_8);
        Path socket = dir.resolve("pulse-native");
        Files.writeString(
                dir.resolve("default.pa"),
                "load-module module-null-sink sink_name=avpush_null\n"
                        + "set-default-sink avpush_null\n"
                        + "load-module module-native-protocol-unix auth-anonymous=1 socket=" + socket + "\n",
                StandardCharsets.UTF_8);
        // HOME and XDG_RUNTIME_DIR in the temporary directory: PulseAudio keeps its state there.
        Map<String, String> env =
                Map.of("HOME", dir.toString(), "XDG_RUNTIME_DIR", dir.toString(), "PULSE_SERVER", "unix:" + socket);
        ProcessBuilder pulseBuilder = new ProcessBuilder(
                        "setsid",
                        PULSEAUDIO.toString(),
                        "-n",
                        "-F",
                        dir.resolve("default.pa").toString(),
                        "--exit-idle-time=-1",
                        "--daemonize=no",
                        "--log-target=stderr")
                .redirectErrorStream(true)
                .redirectOutput(log.resolveSibling("pulseaudio.log").toFile());
        pulseBuilder.environment().putAll(env);
        Process pulse = pulseBuilder.start();
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.exists(socket)) {
                if (!pulse.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException(
                            "PulseAudio did not open " + socket + "; see " + log.resolveSibling("pulseaudio.log"));
                }
                Thread.sleep(50);
            }
            BrowserProcess firefox = BrowserProcess.start(
                    List.of(BINARY.toString(), "--headless", "--no-remote", "--profile", profile.toString(), url),
                    env,
                    log,
                    resultMarker,
                    progressMarker,
                    List.of(dir));
            return new HeadlessFirefox(pulse, firefox);
        } catch (IOException | RuntimeException e) {
            BrowserProcess.endGroup(pulse);
            throw e;
        }
    }

    @Override
    public CompletableFuture<String> result() {
        return firefox.result();
    }

    /**
     * Firefox run through {@code prefix} (e.g. on a lab's viewer host) playing into the PulseAudio
     * server {@code pulseServer} (a {@link PulseListener}'s) instead of one of its own.
     */
    static MeasurePage.Browser open(
            String url, Path log, String resultMarker, String progressMarker, List<String> prefix, String pulseServer)
            throws IOException {
        Path dir = Files.createTempDirectory("avpush-firefox");
        Path profile = Files.createDirectories(dir.resolve("profile"));
        Files.writeString(profile.resolve("user.js"), PREFS, StandardCharsets.UTF_8);
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(List.of(BINARY.toString(), "--headless", "--no-remote", "--profile", profile.toString(), url));
        return BrowserProcess.start(
                command,
                Map.of("HOME", dir.toString(), "XDG_RUNTIME_DIR", dir.toString(), "PULSE_SERVER", pulseServer),
                log,
                resultMarker,
                progressMarker,
                List.of(dir));
    }

    /** Ends Firefox, then PulseAudio; removes the profile and PulseAudio's files. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            BrowserProcess.endGroup(firefox.process());
        } finally {
            BrowserProcess.endGroup(pulse);
            firefox.close();
        }
    }

    static Optional<String> missingReason() {
        if (!Files.isExecutable(BINARY)) {
            return Optional.of(BINARY + " is not installed (apt-get install -y firefox-esr)");
        }
        if (!Files.isExecutable(PULSEAUDIO)) {
            return Optional.of(
                    PULSEAUDIO
                            + " is not installed (apt-get install -y pulseaudio): Firefox plays no audio without a sound server");
        }
        return Optional.empty();
    }
}
