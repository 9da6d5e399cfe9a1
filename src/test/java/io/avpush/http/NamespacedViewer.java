package io.avpush.http;

import io.avpush.testing.Commands;
import io.avpush.webrtc.ViewerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webrtc-java viewer on a host of its own: a {@link ViewerProcess} JVM in a network namespace
 * joined to this one by a veth pair only ({@value #LINK} 10.207.0.1/24 here, 10.207.0.2/24 there,
 * default route back through it). {@link #cutNetwork} deletes the link, so the viewer's every path
 * to the server vanishes at once; {@link #freeze} stops the process (SIGSTOP), so its sockets stay
 * but nothing answers. Either way the server gets no DELETE and no DTLS close.
 *
 * <p>The namespace is held by an {@code unshare -n sleep} process and entered with
 * {@code nsenter}, as in {@code TurnLab}: ending the holder removes it and its link. Must run as
 * root inside {@code scripts/in-netns.sh}'s private namespace, never in the machine's own.
 */
final class NamespacedViewer implements AutoCloseable {

    static final String LINK = "avd0";
    private static final String PEER_LINK = "avd1";

    private final Process holder;
    private final Process viewer;
    private final OutputStream toViewer;
    private final CompletableFuture<String> offer = new CompletableFuture<>();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final AtomicLong frames = new AtomicLong();
    private final Path log;

    private NamespacedViewer(Process holder, Process viewer, Path log) {
        this.holder = holder;
        this.viewer = viewer;
        this.log = log;
        this.toViewer = viewer.getOutputStream();
        Thread reader = new Thread(this::readReports, "namespaced-viewer-reports");
        reader.setDaemon(true);
        reader.start();
    }

    /** Builds the namespace and its link and starts the viewer JVM in it; {@link #offer} waits for its offer. */
    static NamespacedViewer start() throws IOException, InterruptedException {
        Commands.run("ip", "link", "del", LINK); // a leftover of an earlier test in this namespace, if any
        Process holder = new ProcessBuilder("unshare", "-n", "sleep", "3600")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Process viewer = null;
        try {
            String ns = "--net=/proc/" + holder.pid() + "/ns/net";
            awaitOwnNamespace(holder);
            check("ip", "link", "add", LINK, "type", "veth", "peer", "name", PEER_LINK);
            check("ip", "link", "set", PEER_LINK, "netns", String.valueOf(holder.pid()));
            check("ip", "addr", "add", "10.207.0.1/24", "dev", LINK);
            check("ip", "link", "set", LINK, "up");
            check("nsenter", ns, "ip", "link", "set", "lo", "up");
            check("nsenter", ns, "ip", "addr", "add", "10.207.0.2/24", "dev", PEER_LINK);
            check("nsenter", ns, "ip", "link", "set", PEER_LINK, "up");
            check("nsenter", ns, "ip", "route", "add", "default", "via", "10.207.0.1");
            Path log = Files.createTempFile("namespaced-viewer", ".log");
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            viewer = new ProcessBuilder(
                            "nsenter",
                            ns,
                            java,
                            "-Xmx96m",
                            "--enable-native-access=ALL-UNNAMED",
                            "-cp",
                            System.getProperty("java.class.path"),
                            ViewerProcess.class.getName())
                    .redirectError(log.toFile())
                    .start();
            return new NamespacedViewer(holder, viewer, log);
        } catch (IOException | RuntimeException e) {
            if (viewer != null) {
                viewer.destroyForcibly();
            }
            holder.destroyForcibly();
            throw e;
        }
    }

    /** The viewer's recvonly offer with all its candidates (on 10.207.0.2). */
    String offer(Duration timeout) throws Exception {
        return offer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void answer(String sdp) throws IOException {
        toViewer.write(("answer " + Base64.getEncoder().encodeToString(sdp.getBytes(StandardCharsets.UTF_8)) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        toViewer.flush();
    }

    boolean awaitConnected(Duration timeout) throws Exception {
        try {
            connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    /** Frames the viewer has decoded, as it last reported (every 100 ms). */
    long frames() {
        return frames.get();
    }

    /** Deletes the link: from now on nothing of the viewer reaches the server, nor the other way. */
    void cutNetwork() throws IOException, InterruptedException {
        check("ip", "link", "del", LINK);
    }

    /** Stops the viewer's JVM (SIGSTOP): its sockets stay open, but nothing reads or answers them. */
    void freeze() throws IOException, InterruptedException {
        List<ProcessHandle> jvm = new ArrayList<>(viewer.descendants().toList());
        jvm.add(viewer.toHandle()); // nsenter execs java, so this is the JVM itself
        for (ProcessHandle p : jvm) {
            check("kill", "-STOP", String.valueOf(p.pid()));
        }
    }

    /** What the viewer wrote to stderr (for a failure message). */
    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void readReports() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(viewer.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("offer ")) {
                    offer.complete(new String(Base64.getDecoder().decode(line.substring(6)), StandardCharsets.UTF_8));
                } else if (line.equals("connected")) {
                    connected.complete(null);
                } else if (line.startsWith("frames ")) {
                    frames.set(Long.parseLong(line.substring(7)));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the viewer is gone
        }
        offer.completeExceptionally(new IOException("the viewer process ended without an offer; its log: " + log));
    }

    /** Kills the viewer (SIGKILL works on a stopped process too) and the holder: the namespace and link go with them. */
    @Override
    public void close() throws InterruptedException {
        viewer.descendants().forEach(ProcessHandle::destroyForcibly);
        viewer.destroyForcibly();
        holder.destroyForcibly();
        viewer.waitFor(5, TimeUnit.SECONDS);
        holder.waitFor(5, TimeUnit.SECONDS);
        try {
            Commands.run("ip", "link", "del", LINK);
        } catch (IOException e) {
            // gone with the namespace
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a temp file left behind
        }
    }

    /** unshare has made the holder's namespace once its /proc link differs from ours. */
    private static void awaitOwnNamespace(Process holder) throws IOException, InterruptedException {
        Path ours = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                if (!Files.readSymbolicLink(Path.of("/proc/" + holder.pid() + "/ns/net"))
                        .equals(ours)) {
                    return;
                }
            } catch (IOException notYet) {
                // the process is still starting
            }
            Thread.sleep(20);
        }
        throw new IOException("the namespace holder did not enter a namespace of its own within 10 s");
    }

    private static void check(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
    }
}
