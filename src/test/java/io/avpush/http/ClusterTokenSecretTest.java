package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.avpush.app.Guardian;
import io.avpush.cluster.ClusterConfig;
import io.avpush.cluster.TokenSecretCheck;
import io.avpush.config.AvpushSettings;
import io.avpush.pacing.PushPacer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The nodes of a cluster share one viewer-token secret, checked when a node joins through the
 * seed nodes as in production: a node with the same secret joins; one with another is refused
 * (never a member), says so and stops, and the seed node's log names the setting. Nodes compare
 * an HMAC of the secret; the secret appears in no log line.
 */
class ClusterTokenSecretTest {

    private static final String SECRET = "cluster-token-secret-test-0123456789-shared";
    private static final String OTHER_SECRET = "cluster-token-secret-test-0123456789-OTHER!";
    private static final String KEY = "cluster-token-secret-test-key";

    private final List<ActorTestKit> nodes = new ArrayList<>();
    private final List<PushPacer> pacers = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            if (!nodes.get(i).system().whenTerminated().isCompleted()) {
                nodes.get(i).shutdownTestKit();
            }
            pacers.get(i).close();
        }
    }

    @Test
    void aNodeWithTheClustersSecretJoinsAndOneWithAnotherIsRefusedSaysSoAndStops() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(log);
        try {
            int seedPort = ClusterTestNodes.freePort();
            ActorTestKit seed = start(seedPort, seedPort, SECRET);
            await("the seed node is up", () -> upMembers(seed) == 1);
            ActorTestKit same = start(ClusterTestNodes.freePort(), seedPort, SECRET);
            await("the node with the same secret joins", () -> upMembers(seed) == 2 && upMembers(same) == 2);

            ActorTestKit other = start(ClusterTestNodes.freePort(), seedPort, OTHER_SECRET);
            other.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(
                    CoordinatedShutdown.incompatibleConfigurationDetectedReason(),
                    CoordinatedShutdown.get(other.system()).getShutdownReason().orElse(null),
                    "the refused node stopped for its configuration");
            String otherAddress =
                    Cluster.get(other.system()).selfMember().address().toString();
            assertFalse(
                    members(seed).stream().anyMatch(m -> m.address().toString().equals(otherAddress)),
                    "the refused node never became a member: " + members(seed));
            assertEquals(2, upMembers(seed), "the cluster goes on with its two nodes");

            List<String> lines =
                    log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertTrue(
                    lines.stream()
                            .anyMatch(l -> l.contains(
                                            "avpush.auth.token-secret differs between the joining node and the cluster")
                                    && l.contains("set the same AVPUSH_TOKEN_SECRET on every node")),
                    "the seed node's log names the setting and what to do");
            assertTrue(
                    lines.stream()
                            .anyMatch(l -> l.contains("this node did not join the cluster")
                                    && l.contains("AVPUSH_TOKEN_SECRET")),
                    "the refused node's log says it did not join and what to set");
            assertFalse(
                    lines.stream().anyMatch(l -> l.contains(SECRET) || l.contains(OTHER_SECRET)),
                    "no log line shows a secret");
        } finally {
            root.detachAppender(log);
        }
    }

    @Test
    void theFingerprintIsTheSameForOneSecretDiffersForAnotherAndDoesNotShowTheSecret() {
        String a = TokenSecretCheck.fingerprint(settings(SECRET).auth());
        assertEquals(a, TokenSecretCheck.fingerprint(settings(SECRET).auth()));
        assertNotEquals(a, TokenSecretCheck.fingerprint(settings(OTHER_SECRET).auth()));
        assertFalse(a.contains(SECRET.substring(0, 8)), a);
        assertEquals(43, a.length(), "base64url of an HMAC-SHA256: " + a);
    }

    private static AvpushSettings settings(String secret) {
        return AvpushSettings.from(ConfigFactory.parseString(
                        "avpush.auth { api-keys = [\"" + KEY + "\"], token-secret = \"" + secret + "\" }")
                .withFallback(ConfigFactory.load()));
    }

    /** A node that joins through the seed node at {@code seedPort} (itself when that is its own port), as in production. */
    private ActorTestKit start(int clusterPort, int seedPort, String secret) throws Exception {
        Config config = ClusterConfig.load(ConfigFactory.parseString(String.join(
                "\n",
                "avpush.http { host = \"127.0.0.1\", port = " + ClusterTestNodes.freePort() + " }",
                "avpush.cluster { host = \"127.0.0.1\", port = " + clusterPort + ", seed-nodes = \"127.0.0.1:"
                        + seedPort + "\" }",
                "avpush.auth { api-keys = [\"" + KEY + "\"], token-secret = \"" + secret + "\" }",
                "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on")));
        ActorTestKit testKit = ActorTestKit.create(ClusterConfig.SYSTEM_NAME, config);
        PushPacer pacer = new PushPacer();
        nodes.add(testKit);
        pacers.add(pacer);
        testKit.spawn(Guardian.create(AvpushSettings.from(config), new FakeTransports(), pacer), "guardian");
        return testKit;
    }

    private static List<Member> members(ActorTestKit node) {
        return StreamSupport.stream(
                        Cluster.get(node.system()).state().getMembers().spliterator(), false)
                .toList();
    }

    private static long upMembers(ActorTestKit node) {
        return members(node).stream()
                .filter(m -> m.status() == MemberStatus.up())
                .count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within 60 s");
            }
            Thread.sleep(100);
        }
    }
}
