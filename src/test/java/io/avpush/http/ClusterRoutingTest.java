package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.avpush.testing.ApiClient;
import io.avpush.testing.ApiClient.Part;
import io.avpush.testing.ApiClient.Reply;
import io.avpush.testing.SyntheticMedia;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three avpush nodes in one JVM, a Pekko cluster: any node takes any call for any session and the
 * session's media is made on the one node that serves it; new sessions go to the least loaded
 * node; live sessions are not passivated. Passivation after 1 s idle is configured here so that
 * a session entity that could be passivated would be, and its session would end.
 */
class ClusterRoutingTest {

    private static final int W = 512;
    private static final int H = 512;
    private static ClusterTestNodes cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = ClusterTestNodes.start(
                3,
                String.join(
                        "\n",
                        "avpush.media { default-width = " + W + ", default-height = " + H + " }",
                        // A loaded test machine may take more than the default second to report a node's load.
                        "avpush.cluster.load-timeout = 5 s",
                        "pekko.cluster.sharding.passivation { strategy = default-idle-strategy, default-idle-strategy.idle-entity.timeout = 1 s }"),
                List.of());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void everyCallForASessionWorksThroughEveryNode() throws Exception {
        Reply created = api(0).postJson("/api/sessions", "{}");
        assertEquals(201, created.status(), created.toString());
        String id = created.text("sessionId");
        int owner = cluster.ownerOf(id);
        int other = (owner + 1) % 3;
        int third = (owner + 2) % 3;

        for (int i = 0; i < 3; i++) {
            Reply status = api(i).get("/api/sessions/" + id);
            assertEquals(200, status.status(), "status through node " + i + ": " + status);
            assertEquals(id, status.text("sessionId"));
        }

        Reply answer =
                api(other).postJson("/api/sessions/" + id + "/offer", "{\"sdp\": \"v=0\\r\\n\", \"type\": \"offer\"}");
        assertEquals(200, answer.status(), answer.toString());
        assertTrue(answer.text("sdp").contains("fake answer for " + answer.text("viewerId")), answer.toString());

        Reply whep = api(third)
                .send(
                        "POST",
                        "/whep/" + id,
                        "application/sdp",
                        "v=0\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(201, whep.status(), whep.toString());
        assertTrue(whep.body().contains("fake answer for " + id), whep.toString());
        String whepViewer = whep.body()
                .substring(whep.body().indexOf("fake answer for ") + "fake answer for ".length())
                .trim();
        assertEquals(
                204,
                api(other)
                        .delete("/api/sessions/" + id + "/viewers/" + whepViewer)
                        .status(),
                "viewer " + whepViewer);

        // 8 frames of 512x512 bgr24 (6.3 MB) through a node that does not serve the session: streamed
        // to the serving node's HTTP API, far past Artery's 256 KiB frames.
        byte[] video = SyntheticMedia.greyFrames(W, H, 8, 200);
        Reply upload = api(third)
                .postParts(
                        "/api/sessions/" + id + "/segments",
                        List.of(
                                Part.file("audio", "a.wav", SyntheticMedia.wav(SyntheticMedia.tone(1.0), 48_000)),
                                Part.file("video", "v.bgr", video),
                                Part.field("width", "" + W),
                                Part.field("height", "" + H),
                                Part.field("fps", "8")));
        assertEquals(202, upload.status(), upload.toString());
        assertEquals(8, upload.json().get("frames").asInt());
        FakeTransports.Recorder media = cluster.node(owner).outputs().of(id);
        Await.until(
                () -> media.audibleSamples() > 0 && media.frames() > 0,
                Duration.ofSeconds(10),
                "the uploaded segment plays on the serving node");

        // The idle loop (an upload) passes through too; the stream WebSocket is pointed at the serving node.
        Reply idle = api(third)
                .send(
                        "PUT",
                        "/api/sessions/" + id + "/idle",
                        ApiClient.multipartType(),
                        ApiClient.multipart(List.of(
                                Part.file("video", "v.bgr", SyntheticMedia.greyFrames(W, H, 2, 90)),
                                        Part.field("width", "" + W),
                                Part.field("height", "" + H), Part.field("fps", "2"))));
        assertEquals(200, idle.status(), idle.toString());
        assertTrue(
                api(owner)
                                .get("/api/sessions/" + id)
                                .json()
                                .get("idle")
                                .get("frames")
                                .asInt()
                        == 2,
                "the loop is set on the serving node");
        Reply stream = api(third).get("/api/sessions/" + id + "/stream");
        assertEquals(421, stream.status(), stream.toString());
        String ownerWs = cluster.node(owner)
                .client()
                .base()
                .toString()
                .replaceFirst("^http", "ws")
                .replaceFirst("/$", "");
        assertTrue(
                stream.text("message").contains(ownerWs + "/api/sessions/" + id + "/stream"),
                stream + " names " + ownerWs);

        Reply interrupted = api(other).postJson("/api/sessions/" + id + "/interrupt", "");
        assertEquals(200, interrupted.status(), interrupted.toString());
        assertEquals(
                202, api(third).postJson("/api/sessions/" + id + "/demo", "").status());

        assertEquals(204, api(third).delete("/api/sessions/" + id).status());
        Await.until(media::isClosed, Duration.ofSeconds(5), "the deleted session's output is closed");
        for (int i = 0; i < 3; i++) {
            Reply gone = api(i).get("/api/sessions/" + id);
            assertEquals(404, gone.status(), "node " + i + ": " + gone);
            assertEquals("session_not_found", gone.text("error"));
        }
    }

    @Test
    void aNewSessionGoesToTheNodeWithTheFewestLiveSessions() throws Exception {
        for (int round = 0; round < 6; round++) {
            Map<String, Integer> before = liveSessionsByNode();
            int least = before.values().stream().min(Integer::compare).orElseThrow();
            Reply created = api(round % 3).postJson("/api/sessions", "{\"width\": 64, \"height\": 64}");
            assertEquals(201, created.status(), created.toString());
            String id = created.text("sessionId");
            int owner = cluster.ownerOf(id);
            String ownerTag = id.substring(0, id.indexOf('-'));
            assertEquals(
                    least,
                    before.get(ownerTag),
                    "round " + round + ": session went to node " + owner + " with " + before.get(ownerTag)
                            + " sessions while another had " + least + " (" + before + ")");
        }
    }

    @Test
    void liveSessionsAreNotPassivated() throws Exception {
        String id = api(1).postJson("/api/sessions", "{\"width\": 64, \"height\": 64}")
                .text("sessionId");
        FakeTransports.Recorder media =
                cluster.node(cluster.ownerOf(id)).outputs().of(id);
        // Passivation is configured to stop entities idle for 1 s; nothing may stop this session.
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            assertFalse(media.isClosed(), "the session's output was closed: its entity was passivated");
            Thread.sleep(200);
        }
        Reply status = api(2).get("/api/sessions/" + id);
        assertEquals(200, status.status(), status.toString());
    }

    @Test
    void clusterMembersAndHealthAreReported() throws Exception {
        Reply view = api(2).get("/api/cluster");
        assertEquals(200, view.status(), view.toString());
        JsonNode members = view.json().get("members");
        assertEquals(3, members.size(), view.toString());
        for (JsonNode m : members) {
            assertEquals("Up", m.get("status").asText(), view.toString());
            assertTrue(m.get("reachable").asBoolean());
            assertTrue(m.get("httpUrl").asText().startsWith("http://127.0.0.1:"), view.toString());
            assertTrue(m.get("sessions").isInt(), view.toString());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(200, api(i).get("/health/alive").status());
            assertEquals(200, api(i).get("/health/ready").status());
        }
    }

    @Test
    void aSessionOfANodeThatIsNotAMemberIs410AndAnUntaggedIdIs404() throws Exception {
        Reply lost = api(0).get("/api/sessions/aaaaaa-bbbbbbbbbb");
        assertEquals(410, lost.status(), lost.toString());
        assertEquals("session_lost", lost.text("error"));
        assertTrue(lost.text("message").contains("POST /api/sessions"), lost.toString());
        Reply unknown = api(0).get("/api/sessions/nosuchsess");
        assertEquals(404, unknown.status(), unknown.toString());
        assertEquals("session_not_found", unknown.text("error"));
    }

    @Test
    void sessionsAreListedFromEveryNode() throws Exception {
        String id = api(0).postJson("/api/sessions", "{\"width\": 64, \"height\": 64}")
                .text("sessionId");
        for (int i = 0; i < 3; i++) {
            Reply list = api(i).get("/api/sessions");
            assertTrue(list.body().contains("\"" + id + "\""), "node " + i + ": " + list);
        }
        assertNotEquals(-1, cluster.ownerOf(id));
    }

    private static Map<String, Integer> liveSessionsByNode() throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode m : api(0).get("/api/cluster").json().get("members")) {
            counts.put(m.get("tag").asText(), m.get("sessions").asInt());
        }
        assertEquals(3, counts.size(), counts.toString());
        return counts;
    }

    private static ApiClient api(int node) {
        return cluster.node(node).client();
    }
}
