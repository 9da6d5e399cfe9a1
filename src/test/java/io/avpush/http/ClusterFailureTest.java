package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.testing.SyntheticMedia;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node that crashes takes only its own sessions: the others keep streaming, a client of a lost
 * session gets a JSON error at once (503 while the node is unreachable, 410 once the split-brain
 * resolver has downed it), never a hang, and new sessions succeed on the survivors. A node that
 * leaves gracefully (CoordinatedShutdown, as on SIGTERM) ends its sessions cleanly. Prints the
 * times it measured.
 */
class ClusterFailureTest {

    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);
    private ClusterTestNodes cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aCrashedNodeLosesOnlyItsOwnSessionsAndTheClusterRecovers() throws Exception {
        cluster = ClusterTestNodes.start(
                3,
                config(),
                List.of(
                        "",
                        "",
                        // node 2 crashes: its actor system stops without leaving the cluster
                        "pekko.coordinated-shutdown.run-by-actor-system-terminate = off"));
        Map<Integer, String> sessionOf = oneLiveSessionPerNode();

        long crashNs = System.nanoTime();
        cluster.crash(2);

        long createdAfterMs = -1;
        String created = null;
        long deadline = crashNs + Duration.ofSeconds(60).toNanos();
        while (createdAfterMs < 0 && System.nanoTime() < deadline) {
            Reply r = api(1).postJson("/api/sessions", "{\"width\": 64, \"height\": 64}");
            if (r.status() == 201) {
                created = r.text("sessionId");
                createdAfterMs = (System.nanoTime() - crashNs) / 1_000_000;
            } else {
                Thread.sleep(100);
            }
        }
        long lostAfterMs = -1;
        while (lostAfterMs < 0 && System.nanoTime() < deadline) {
            long askedNs = System.nanoTime();
            Reply r = api(0).get("/api/sessions/" + sessionOf.get(2));
            long tookMs = (System.nanoTime() - askedNs) / 1_000_000;
            assertTrue(
                    tookMs < ASK_TIMEOUT.toMillis() + 3000, "a call for the lost session took " + tookMs + " ms: " + r);
            assertNotEquals(200, r.status(), r.toString());
            assertNotNull(r.text("error"), "every answer is a JSON error: " + r);
            assertTrue(r.text("message").length() > 20, r.toString());
            if (r.status() == 410) {
                assertEquals("session_lost", r.text("error"));
                lostAfterMs = (System.nanoTime() - crashNs) / 1_000_000;
            } else {
                Thread.sleep(100);
            }
        }
        assertTrue(lostAfterMs >= 0, "the lost session never answered 410");
        assertTrue(createdAfterMs >= 0, "no new session could be created after the crash");
        int owner = cluster.ownerOf(created);
        assertTrue(owner == 0 || owner == 1, "the new session is on a survivor, not on node " + owner);
        assertEquals(200, api(0).get("/api/sessions/" + created).status());
        assertEquals(200, api(1).get("/api/sessions/" + created).status());

        // The survivors' sessions played on through the failure.
        for (int i = 0; i < 2; i++) {
            FakeTransports.Recorder media = cluster.node(i).outputs().of(sessionOf.get(i));
            long frames = media.frames();
            Await.until(
                    () -> media.frames() > frames + 10,
                    Duration.ofSeconds(5),
                    "node " + i + "'s session still streams");
            Reply status = api(1 - i).get("/api/sessions/" + sessionOf.get(i));
            assertEquals(200, status.status(), status.toString());
        }
        System.out.printf(
                "FIGURE cluster crash: session of the crashed node answered 410 after %d ms; "
                        + "first new session created on a survivor after %d ms%n",
                lostAfterMs, createdAfterMs);
    }

    @Test
    void aNodeThatLeavesEndsItsSessionsCleanly() throws Exception {
        cluster = ClusterTestNodes.start(3, config(), List.of());
        Map<Integer, String> sessionOf = oneLiveSessionPerNode();
        FakeTransports.Recorder media = cluster.node(2).outputs().of(sessionOf.get(2));

        long leaveNs = System.nanoTime();
        CoordinatedShutdown.get(cluster.node(2).testKit().system()).run(CoordinatedShutdown.unknownReason());
        Await.until(media::isClosed, Duration.ofSeconds(30), "the leaving node's session ends and closes its output");
        long endedMs = (System.nanoTime() - leaveNs) / 1_000_000;
        Await.until(
                () -> api(0).get("/api/sessions/" + sessionOf.get(2)).status() == 410,
                Duration.ofSeconds(30),
                "a call for the ended session is 410 once its node has left");
        Reply created = api(0).postJson("/api/sessions", "{\"width\": 64, \"height\": 64}");
        assertEquals(201, created.status(), created.toString());
        assertTrue(cluster.ownerOf(created.text("sessionId")) < 2);
        assertEquals(200, api(1).get("/api/sessions/" + sessionOf.get(0)).status());
        System.out.printf(
                "FIGURE cluster leave: the leaving node's session ended %d ms after CoordinatedShutdown started%n",
                endedMs);
    }

    @Test
    void aJoiningNodeTakesNewSessionsOnlyAndNothingMoves() throws Exception {
        // A rebalancing strategy would act within a second here.
        cluster = ClusterTestNodes.start(2, config() + "\npekko.cluster.sharding.rebalance-interval = 1 s", List.of());
        Map<String, Integer> before = new HashMap<>();
        for (int i = 0; i < 4; i++) {
            String id = api(i % 2)
                    .postJson("/api/sessions", "{\"width\": 64, \"height\": 64}")
                    .text("sessionId");
            before.put(id, cluster.ownerOf(id));
        }
        cluster.addNode("");
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (System.nanoTime() < until) {
            for (Map.Entry<String, Integer> e : before.entrySet()) {
                assertTrue(
                        !cluster.node(e.getValue()).outputs().of(e.getKey()).isClosed(),
                        "session " + e.getKey() + " was stopped");
            }
            Thread.sleep(200);
        }
        for (Map.Entry<String, Integer> e : before.entrySet()) {
            assertEquals(e.getValue(), cluster.ownerOf(e.getKey()), "session " + e.getKey() + " moved");
            Reply status = api(2).get("/api/sessions/" + e.getKey());
            assertEquals(200, status.status(), status.toString());
        }
        for (int i = 0; i < 2; i++) {
            String id = api(i).postJson("/api/sessions", "{\"width\": 64, \"height\": 64}")
                    .text("sessionId");
            assertEquals(2, cluster.ownerOf(id), "a new session goes to the new, empty node");
        }
    }

    private static String config() {
        // A loaded test machine may take more than the default second to report a node's load.
        return "avpush.http.ask-timeout = " + ASK_TIMEOUT.toSeconds() + " s\navpush.cluster.load-timeout = 5 s";
    }

    /** Three sessions made through node 0 (least loaded: one per node), each with a viewer and a segment playing. */
    private Map<Integer, String> oneLiveSessionPerNode() throws Exception {
        Map<Integer, String> sessionOf = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Reply created = api(0).postJson("/api/sessions", "{\"width\": 64, \"height\": 64}");
            assertEquals(201, created.status(), created.toString());
            String id = created.text("sessionId");
            sessionOf.put(cluster.ownerOf(id), id);
            assertEquals(
                    200,
                    api(0).postJson("/api/sessions/" + id + "/offer", "{\"sdp\": \"v=0\\r\\n\", \"type\": \"offer\"}")
                            .status());
            Reply upload = api(0).postParts(
                            "/api/sessions/" + id + "/segments",
                            List.of(Part.file("audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(2.0), 48_000))));
            assertEquals(202, upload.status(), upload.toString());
        }
        assertEquals(3, sessionOf.size(), "one session per node: " + sessionOf);
        return sessionOf;
    }

    private ApiClient api(int node) {
        return cluster.node(node).client();
    }
}
