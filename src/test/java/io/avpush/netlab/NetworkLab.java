package io.avpush.netlab;

import io.avpush.testing.Commands;
import io.avpush.testing.Hosts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A network between avpush and a viewer that behaves like a real one: delay, jitter, loss,
 * reordering and a bottleneck in each direction, from a seed, so a browser test or the sync
 * benchmark runs under real-network conditions. This kernel has no {@code sch_netem}; the path is a
 * userspace router between two TUN devices instead:
 *
 * <pre>
 *   avpush host (this JVM's namespace)                       viewer host (its own namespace)
 *   avl0 10.207.0.1 ── TUN ── [down: Impairment] ──▶ TUN ── avl1 10.207.0.2
 *                             ◀── [up: Impairment] ──
 * </pre>
 *
 * Both devices are point-to-point and opened by this process; {@code avl1} is then moved into the
 * viewer's namespace, where its descriptor still reaches it. Every packet one side routes to the
 * other is read by a {@link Link}, timed, and written to the other device at its departure instant:
 * addresses are not rewritten. Run the viewer with {@link #onViewerHost()}; it reaches avpush at
 * {@link #SERVER_ADDRESS}. Must run as root inside a private namespace ({@code scripts/in-netns.sh}),
 * never in the machine's own: it adds links and routes to the namespace it runs in.
 */
public final class NetworkLab implements AutoCloseable {

    public static final String SERVER_ADDRESS = "10.207.0.1";
    public static final String VIEWER_ADDRESS = "10.207.0.2";
    static final String SERVER_DEVICE = "avl0";
    static final String VIEWER_DEVICE = "avl1";

    private final Process viewerHost;
    private final Tun server;
    private final Tun viewer;
    private final Link down;
    private final Link up;

    private NetworkLab(Process viewerHost, Tun server, Tun viewer, Link down, Link up) {
        this.viewerHost = viewerHost;
        this.server = server;
        this.viewer = viewer;
        this.down = down;
        this.up = up;
    }

    /** Why the lab cannot run here, if it cannot. */
    public static Optional<String> missingReason() {
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            return Optional.of("/dev/net/tun is missing (no TUN support)");
        }
        return Hosts.missingReason(List.of("ip", "unshare", "nsenter"), "apt-get install -y iproute2 util-linux");
    }

    /**
     * Builds the two hosts and the path between them: {@code down} shapes what avpush sends to the
     * viewer, {@code up} what the viewer sends back; {@code seed} fixes every random choice. The
     * viewer host's log goes to {@code dir}.
     */
    public static NetworkLab start(Path dir, Impairment.Settings down, Impairment.Settings up, long seed)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Commands.run("ip", "link", "del", SERVER_DEVICE); // a leftover of an earlier lab here, if any
        Process host = Hosts.hold(dir.resolve("viewer-host.log"));
        Tun server = null;
        Tun viewer = null;
        try {
            server = Tun.create(SERVER_DEVICE);
            viewer = Tun.create(VIEWER_DEVICE);
            Hosts.check("ip", "link", "set", VIEWER_DEVICE, "netns", String.valueOf(host.pid()));
            Hosts.check("ip", "addr", "add", SERVER_ADDRESS, "peer", VIEWER_ADDRESS, "dev", SERVER_DEVICE);
            Hosts.check("ip", "link", "set", SERVER_DEVICE, "up");
            Hosts.check(Hosts.in(host, "ip", "link", "set", "lo", "up"));
            Hosts.check(
                    Hosts.in(host, "ip", "addr", "add", VIEWER_ADDRESS, "peer", SERVER_ADDRESS, "dev", VIEWER_DEVICE));
            Hosts.check(Hosts.in(host, "ip", "link", "set", VIEWER_DEVICE, "up"));
            // Firefox gathers no host candidates without a default route; everything leaves through the lab.
            Hosts.check(Hosts.in(host, "ip", "route", "add", "default", "dev", VIEWER_DEVICE));
            Link downLink = new Link("down", server, viewer, down, seed);
            Link upLink = new Link("up", viewer, server, up, seed ^ 0x5DEECE66DL);
            return new NetworkLab(host, server, viewer, downLink, upLink);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            if (viewer != null) {
                viewer.close();
            }
            host.destroy();
            Commands.run("ip", "link", "del", SERVER_DEVICE);
            throw e;
        }
    }

    /** The command prefix that runs a program on the viewer host. */
    public List<String> onViewerHost() {
        return Hosts.in(viewerHost);
    }

    /** Changes both directions from now on (e.g. an outage: loss=100 each way, then back). */
    public void impair(Impairment.Settings down, Impairment.Settings up) {
        this.down.impair(down);
        this.up.impair(up);
    }

    /** What each direction has carried so far, e.g. for a test report. */
    public String describe() {
        return down + "; " + up;
    }

    Link.Counts downCounts() {
        return down.counts();
    }

    Link.Counts upCounts() {
        return up.counts();
    }

    /** Throws if either direction failed to read or write a packet (the path is broken). */
    public void check() throws IOException {
        for (Link link : List.of(down, up)) {
            if (link.failure() != null) {
                throw new IOException("the lab's " + link + " failed", link.failure());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        down.close();
        up.close();
        server.close();
        viewer.close();
        viewerHost.destroy();
        viewerHost.waitFor();
        try {
            Commands.run("ip", "link", "del", SERVER_DEVICE);
        } catch (IOException e) {
            // gone with its descriptor already
        }
    }
}
