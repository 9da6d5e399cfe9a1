package io.avpush.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Test hosts in network namespaces: the checks that a lab may build them here, and the commands
 * that do it. A host is a network namespace held open by an {@code unshare -n sleep} process and
 * entered with {@code nsenter}, so nothing is named in {@code /run/netns} and nothing outlives the
 * holder.
 */
public final class Hosts {

    private Hosts() {}

    /**
     * Why a lab that adds links and routes cannot run here, if it cannot: a tool is missing, or this
     * is not {@code scripts/in-netns.sh}'s private namespace (its {@code avp0} is not here).
     */
    public static Optional<String> missingReason(List<String> tools, String install) {
        for (String tool : tools) {
            if (!onPath(tool)) {
                return Optional.of(tool + " is not installed (" + install + ")");
            }
        }
        if (!inPrivateNamespace()) {
            return Optional.of("not inside scripts/in-netns.sh's private network namespace (no avp0), where a lab "
                    + "may add links and routes");
        }
        return Optional.empty();
    }

    /** Whether in-netns.sh's avp0 is here ({@code /proc/self/net/dev} lists this namespace's links; /sys may not). */
    public static boolean inPrivateNamespace() {
        try {
            return Files.readString(Path.of("/proc/self/net/dev"), StandardCharsets.UTF_8)
                    .contains("avp0:");
        } catch (IOException e) {
            return false;
        }
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    /** A process alone in a new network namespace, holding it open until it is ended; its output goes to {@code log}. */
    public static Process hold(Path log) throws IOException {
        return new ProcessBuilder("unshare", "-n", "sleep", "3600")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** {@code command} run in {@code host}'s network namespace. */
    public static List<String> in(Process host, String... command) {
        List<String> all = new ArrayList<>(List.of("nsenter", "--net=/proc/" + host.pid() + "/ns/net"));
        all.addAll(List.of(command));
        return all;
    }

    /** Runs {@code command}; throws with its output unless it exits 0 within 10 s. */
    public static void check(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
    }

    /** As {@link #check(List)}. */
    public static void check(String... command) throws IOException, InterruptedException {
        check(List.of(command));
    }
}
