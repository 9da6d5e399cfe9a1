package io.avpush.browser;

import io.avpush.testing.Commands;
import io.avpush.testing.Hosts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Three hosts in network namespaces, arranged as a deployment where the viewer cannot reach avpush
 * and media must go through a TURN server (Debian's coturn):
 *
 * <pre>
 *   avpush host (this JVM's namespace)    turn host                         viewer host
 *   avt0 10.204.0.1/24 ──── veth ──── avt1 10.204.0.2/24
 *                                     lo   10.206.0.1 (coturn, relays)
 *                                     avv0 10.205.0.1/24 ──── veth ──── avv1 10.205.0.2/24
 * </pre>
 *
 * Both outer hosts reach the TURN server's address 10.206.0.1 through the turn host; the turn host
 * does not forward (ip_forward 0, as a new namespace starts), and neither outer host has a route to
 * the other, so a packet from the viewer reaches avpush only as relayed by coturn. The viewer loads
 * the page and calls the API through a TCP forwarder on the turn host ({@code socat}, standing in
 * for a reverse proxy) at {@code http://10.206.0.1:8080}.
 *
 * <p>The turn and viewer namespaces are held by {@code unshare -n sleep} processes and entered with
 * {@code nsenter}, so nothing is named in {@code /run/netns} and nothing outlives {@link #close}:
 * ending the holders removes the namespaces and their veth pairs. Must run as root inside a private
 * namespace ({@code scripts/in-netns.sh}), never in the machine's own: it adds links and routes to
 * the namespace it runs in.
 */
final class TurnLab implements AutoCloseable {

    static final String TURN_ADDRESS = "10.206.0.1";
    static final String AVPUSH_ADDRESS = "10.204.0.1";
    static final String REALM = "avpush.test";
    static final int TURN_PORT = 3478;
    static final int PROXY_PORT = 8080;

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private Process turnHost;
    private Process viewerHost;

    private TurnLab(Path dir) {
        this.dir = dir;
    }

    /** Why the lab cannot run here, if it cannot. */
    static Optional<String> missingReason() {
        return Hosts.missingReason(
                List.of("turnserver", "socat", "nsenter", "unshare", "ip", "ss"),
                "apt-get install -y coturn socat util-linux iproute2");
    }

    /**
     * Builds the three hosts and starts coturn with {@code authConfig} (its authentication lines,
     * e.g. {@code lt-cred-mech} and {@code user=name:password}) and the forwarder to avpush's
     * {@code avpushHttpPort}. Files and logs go to {@code dir}.
     */
    static TurnLab start(Path dir, String authConfig, int avpushHttpPort) throws IOException, InterruptedException {
        TurnLab lab = new TurnLab(Files.createDirectories(dir));
        try {
            lab.build(authConfig, avpushHttpPort);
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build(String authConfig, int avpushHttpPort) throws IOException, InterruptedException {
        Commands.run("ip", "link", "del", "avt0"); // a leftover from an earlier lab in this namespace, if any
        turnHost = hold("turn-host");
        viewerHost = hold("viewer-host");
        String turn = String.valueOf(turnHost.pid());
        String viewer = String.valueOf(viewerHost.pid());

        check("ip", "link", "add", "avt0", "type", "veth", "peer", "name", "avt1");
        check("ip", "link", "set", "avt1", "netns", turn);
        check("ip", "addr", "add", AVPUSH_ADDRESS + "/24", "dev", "avt0");
        check("ip", "link", "set", "avt0", "up");
        check("ip", "route", "add", TURN_ADDRESS + "/32", "via", "10.204.0.2");

        inTurnHost("ip", "link", "set", "lo", "up");
        inTurnHost("ip", "addr", "add", TURN_ADDRESS + "/32", "dev", "lo");
        inTurnHost("ip", "addr", "add", "10.204.0.2/24", "dev", "avt1");
        inTurnHost("ip", "link", "set", "avt1", "up");
        inTurnHost("sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
        inTurnHost("ip", "link", "add", "avv0", "type", "veth", "peer", "name", "avv1");
        inTurnHost("ip", "link", "set", "avv1", "netns", viewer);
        inTurnHost("ip", "addr", "add", "10.205.0.1/24", "dev", "avv0");
        inTurnHost("ip", "link", "set", "avv0", "up");

        check(nsenter(viewerHost, "ip", "link", "set", "lo", "up"));
        check(nsenter(viewerHost, "ip", "addr", "add", "10.205.0.2/24", "dev", "avv1"));
        check(nsenter(viewerHost, "ip", "link", "set", "avv1", "up"));
        check(nsenter(viewerHost, "ip", "route", "add", TURN_ADDRESS + "/32", "via", "10.205.0.1"));

        Path conf = dir.resolve("turnserver.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "listening-ip=" + TURN_ADDRESS,
                        "relay-ip=" + TURN_ADDRESS,
                        "listening-port=" + TURN_PORT,
                        "min-port=49160",
                        "max-port=49400",
                        "realm=" + REALM,
                        "fingerprint",
                        "no-tls",
                        "no-dtls",
                        "no-tcp-relay",
                        "no-cli",
                        "no-software-attribute",
                        // Relay only to the networks the turn host is on. Besides being what a careful deployment
                        // does, it matters here: coturn closes a whole allocation when a send to a peer fails with
                        // "network unreachable" (as it does for avpush's 10.203.0.x candidates, which the turn host
                        // has no route to); a denied peer is refused with 403 for that one permission instead.
                        "denied-peer-ip=0.0.0.0-255.255.255.255",
                        "allowed-peer-ip=10.204.0.0-10.204.0.255",
                        "allowed-peer-ip=10.205.0.0-10.205.0.255",
                        "allowed-peer-ip=" + TURN_ADDRESS,
                        "userdb=" + dir.resolve("turndb"),
                        "pidfile=" + dir.resolve("turnserver.pid"),
                        "log-file=stdout",
                        "simple-log",
                        "verbose",
                        authConfig,
                        ""),
                StandardCharsets.UTF_8);
        start("coturn", nsenter(turnHost, "turnserver", "-c", conf.toString()));
        start(
                "socat",
                nsenter(
                        turnHost,
                        "socat",
                        "TCP-LISTEN:" + PROXY_PORT + ",bind=" + TURN_ADDRESS + ",fork,reuseaddr",
                        "TCP:" + AVPUSH_ADDRESS + ":" + avpushHttpPort));
        awaitTurnAndProxy();
    }

    /** The command prefix that runs a program on the viewer host. */
    List<String> onViewerHost() {
        return List.of("nsenter", "--net=/proc/" + viewerHost.pid() + "/ns/net");
    }

    /** The page's address as the viewer sees it: through the forwarder on the turn host. */
    String viewerBaseUrl() {
        return "http://" + TURN_ADDRESS + ":" + PROXY_PORT;
    }

    /** Whether a TCP connection from the viewer host to {@code address:port} succeeds (within 3 s). */
    boolean viewerCanConnect(String address, int port) throws IOException, InterruptedException {
        return Commands.run(
                        nsenter(viewerHost, "timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port))
                == 0;
    }

    Path coturnLog() {
        return dir.resolve("coturn.log");
    }

    /** coturn's log so far (where a test failure should point). */
    String coturnLogText() throws IOException {
        return Files.exists(coturnLog()) ? Files.readString(coturnLog(), StandardCharsets.UTF_8) : "";
    }

    private void awaitTurnAndProxy() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String listening = output(nsenter(turnHost, "ss", "-Hlnu", "sport = :" + TURN_PORT))
                    + output(nsenter(turnHost, "ss", "-Hlnt", "sport = :" + PROXY_PORT));
            if (listening.contains(TURN_ADDRESS + ":" + TURN_PORT)
                    && listening.contains(TURN_ADDRESS + ":" + PROXY_PORT)) {
                return;
            }
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IOException(p.info().command().orElse("a lab process") + " exited with " + p.exitValue()
                            + "; see " + dir);
                }
            }
            Thread.sleep(100);
        }
        throw new IOException("coturn or socat is not listening on the turn host after 10 s; see " + dir);
    }

    /** A process alone in a new network namespace, holding it open until it is ended. */
    private Process hold(String name) throws IOException {
        Process p = Hosts.hold(dir.resolve(name + ".log"));
        processes.add(p);
        return p;
    }

    private void start(String name, List<String> command) throws IOException {
        processes.add(new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start());
    }

    private void inTurnHost(String... command) throws IOException, InterruptedException {
        check(nsenter(turnHost, command));
    }

    private static List<String> nsenter(Process host, String... command) {
        return Hosts.in(host, command);
    }

    private static void check(String... command) throws IOException, InterruptedException {
        Hosts.check(command);
    }

    private static void check(List<String> command) throws IOException, InterruptedException {
        Hosts.check(command);
    }

    private static String output(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** Ends every process the lab started (socat's forks too); the namespaces and links go with the holders. */
    @Override
    public void close() throws InterruptedException {
        List<Process> newestFirst = new ArrayList<>(processes);
        java.util.Collections.reverse(newestFirst);
        for (Process p : newestFirst) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(3, TimeUnit.SECONDS);
            }
        }
        try {
            Commands.run("ip", "link", "del", "avt0");
        } catch (IOException e) {
            // gone with the turn host's namespace already
        }
    }
}
