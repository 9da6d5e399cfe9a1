package io.avpush.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.app.Guardian;
import io.avpush.cluster.ClusterConfig;
import io.avpush.config.AvpushSettings;
import io.avpush.pacing.PushPacer;
import io.avpush.testing.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * A cluster of avpush nodes in one JVM: one actor system per node ("avpush", as in production),
 * each with its own Artery port and HTTP port on 127.0.0.1, the real {@link Guardian} (sharding,
 * routes) and a {@link FakeTransports}, so a test sees on which node a session's media is made.
 * Returns once every node sees every node Up, answers {@code /health/ready} and has every node's
 * load report.
 */
final class ClusterTestNodes implements AutoCloseable {

    /** One node; {@code outputs} records the sessions this node serves. */
    record Node(int index, ActorTestKit testKit, PushPacer pacer, FakeTransports outputs, ApiClient client) {
        Cluster cluster() {
            return Cluster.get(testKit.system());
        }
    }

    final List<Node> nodes;
    private final String overrides;

    private ClusterTestNodes(List<Node> nodes, String overrides) {
        this.nodes = nodes;
        this.overrides = overrides;
    }

    Node node(int i) {
        return nodes.get(i);
    }

    /**
     * {@code overrides} is HOCON over every node's config; {@code perNode.get(i)} over node i's
     * (may be shorter than {@code count}).
     */
    static ClusterTestNodes start(int count, String overrides, List<String> perNode) throws Exception {
        ClusterTestNodes cluster = new ClusterTestNodes(new ArrayList<>(), overrides);
        try {
            for (int i = 0; i < count; i++) {
                cluster.addNode(i < perNode.size() ? perNode.get(i) : "");
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts one more node with {@code nodeConfig} over the common overrides, and waits until all are up. */
    Node addNode(String nodeConfig) throws Exception {
        int httpPort = freePort();
        Config config = ClusterConfig.load(ConfigFactory.parseString(nodeConfig)
                .withFallback(ConfigFactory.parseString(overrides))
                .withFallback(ConfigFactory.parseString(String.join(
                        "\n",
                        "avpush.http { host = \"127.0.0.1\", port = " + httpPort + " }",
                        "avpush.cluster { enabled = on, host = \"127.0.0.1\", port = " + freePort() + " }",
                        "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
                        "pekko.cluster.split-brain-resolver.stable-after = 2 s"))));
        ActorTestKit testKit = ActorTestKit.create(ClusterConfig.SYSTEM_NAME, config);
        PushPacer pacer = new PushPacer();
        FakeTransports outputs = new FakeTransports();
        testKit.spawn(Guardian.create(AvpushSettings.from(config), outputs, pacer), "guardian");
        Node node = new Node(
                nodes.size(), testKit, pacer, outputs, new ApiClient(URI.create("http://127.0.0.1:" + httpPort)));
        nodes.add(node);
        Address first = nodes.get(0).cluster().selfMember().address();
        node.cluster().manager().tell(Join.create(first));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (Node n : nodes) {
            while (!allUp(n, nodes.size()) || !ready(n) || !reportsFromAll(n, nodes.size())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "node " + n.index() + " did not see " + nodes.size() + " nodes up within 60 s");
                }
                Thread.sleep(100);
            }
        }
        return node;
    }

    private static boolean allUp(Node n, int count) {
        return StreamSupport.stream(n.cluster().state().getMembers().spliterator(), false)
                        .filter(m -> m.status() == MemberStatus.up())
                        .count()
                == count;
    }

    /**
     * Whether the node has every node's load report: the receptionist's listing reaches a node by
     * gossip some time after the membership does, and until then placement cannot see that node.
     */
    private static boolean reportsFromAll(Node n, int count) throws InterruptedException {
        try {
            ApiClient.Reply view = n.client().get("/api/cluster");
            if (view.status() != 200 || view.json() == null) {
                return false;
            }
            int reported = 0;
            for (com.fasterxml.jackson.databind.JsonNode m : view.json().get("members")) {
                if (m.hasNonNull("sessions")) {
                    reported++;
                }
            }
            return reported == count;
        } catch (IOException notYetListening) {
            return false;
        }
    }

    private static boolean ready(Node n) throws InterruptedException {
        try {
            return n.client().get("/health/ready").status() == 200;
        } catch (IOException notYetListening) {
            return false;
        }
    }

    /** The node whose outputs made the session: the node that serves it. */
    int ownerOf(String sessionId) {
        List<Integer> owners = nodes.stream()
                .filter(n -> n.outputs().made(sessionId))
                .map(Node::index)
                .toList();
        if (owners.size() != 1) {
            throw new AssertionError(
                    "session " + sessionId + " has media on nodes " + owners + ", expected exactly one");
        }
        return owners.get(0);
    }

    /** Stops a node the way a crash does: it does not leave the cluster, it just stops answering. */
    void crash(int i) {
        Node n = nodes.get(i);
        n.testKit().shutdownTestKit();
        n.pacer().close();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (!n.testKit().system().whenTerminated().isCompleted()) {
                n.testKit().shutdownTestKit();
            }
            n.pacer().close();
        }
    }
}
