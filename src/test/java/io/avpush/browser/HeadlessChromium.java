package io.avpush.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Headless Chromium on one page ({@link BrowserProcess}: its own process group, output read line by
 * line). Console messages reach us on Chromium's stderr ({@code --enable-logging=stderr}).
 */
final class HeadlessChromium {

    /**
     * The browser; {@code -Davpush.chromium=PATH} names another build, {@code -Davpush.chromium.flags="..."}
     * adds flags (e.g. a {@code --vmodule} pattern for libwebrtc's ICE log).
     */
    static final Path BINARY = Path.of(System.getProperty("avpush.chromium", "/usr/bin/chromium"));

    private HeadlessChromium() {}

    /**
     * Opens {@code url}; every output line goes to {@code log}, lines holding {@code progressMarker}
     * are echoed to stdout, and the first line holding {@code resultMarker} completes the result.
     */
    static BrowserProcess open(String url, Path log, String resultMarker, String progressMarker) throws IOException {
        return open(url, log, resultMarker, progressMarker, List.of(), List.of());
    }

    /**
     * As above, with Chromium started through {@code prefix} (e.g. {@code nsenter --net=...} to run it
     * in another network namespace) and with {@code flags} added to its command line.
     */
    static BrowserProcess open(
            String url, Path log, String resultMarker, String progressMarker, List<String> prefix, List<String> flags)
            throws IOException {
        Path profile = Files.createTempDirectory("avpush-chromium-profile");
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
                BINARY.toString(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--autoplay-policy=no-user-gesture-required",
                "--enable-logging=stderr",
                "--v=0"));
        command.addAll(flags);
        String more = System.getProperty("avpush.chromium.flags", "").strip();
        if (!more.isEmpty()) {
            command.addAll(List.of(more.split("\\s+")));
        }
        command.add(url);
        return BrowserProcess.start(command, Map.of(), log, resultMarker, progressMarker, List.of(profile));
    }

    static Optional<String> missingReason() {
        return Files.isExecutable(BINARY)
                ? Optional.empty()
                : Optional.of(BINARY + " is not installed (apt-get install -y chromium)");
    }
}
