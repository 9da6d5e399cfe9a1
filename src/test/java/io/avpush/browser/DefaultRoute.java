package io.avpush.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A default route through the namespace's own interface while Firefox runs, when there is none:
 * Firefox gathers no ICE host candidates on a host without one ("failed to find default addresses"),
 * and the namespace of {@code scripts/in-netns.sh} has none (packets to other hosts then go nowhere:
 * the namespace forwards nothing).
 */
record DefaultRoute(String device) implements AutoCloseable {

    static DefaultRoute ensure() throws IOException, InterruptedException {
        if (!ip("route", "show", "default").isBlank()) {
            return new DefaultRoute(null);
        }
        // "2: avp0    inet 10.203.0.1/24 ..." : the first interface with a global IPv4 address.
        String[] first =
                ip("-o", "-4", "addr", "show", "scope", "global").strip().split("\\s+");
        if (first.length < 2) {
            throw new IOException("no interface with an IPv4 address for Firefox's ICE candidates");
        }
        String device = first[1];
        ip("route", "add", "default", "dev", device);
        return new DefaultRoute(device);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (device != null) {
            ip("route", "del", "default", "dev", device);
        }
    }

    private static String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("ip " + String.join(" ", args) + " failed: " + out.strip());
        }
        return out;
    }
}
