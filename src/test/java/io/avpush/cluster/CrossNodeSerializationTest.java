package io.avpush.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.avpush.api.ApiError;
import io.avpush.pacing.PushStats;
import io.avpush.playout.IdleLoop;
import io.avpush.playout.UploadedMedia;
import io.avpush.session.Outcome;
import io.avpush.session.Session;
import io.avpush.session.SessionRegistry;
import io.avpush.session.SessionReplies;
import io.avpush.session.SessionState;
import io.avpush.session.SessionStatus;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message that crosses nodes in cluster mode is written by Jackson CBOR (never Java
 * serialization, which is off) and reads back equal, in an actor system configured as a cluster
 * node (remote actor refs in the messages).
 */
class CrossNodeSerializationTest {

    /** Pekko's identifier of the jackson-cbor serializer. */
    private static final int JACKSON_CBOR = 33;

    private static final ActorTestKit testKit = ActorTestKit.create(
            ClusterConfig.SYSTEM_NAME,
            ClusterConfig.load(
                    ConfigFactory.parseString(
                            "avpush.cluster { enabled = on, host = \"127.0.0.1\", port = 0 }\npekko.cluster.jmx.multi-mbeans-in-same-jvm = on")));
    private static final SerializationTestKit serialization = new SerializationTestKit(testKit.system());

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    static <T> ActorRef<T> ref() {
        return testKit.<T>createTestProbe().ref();
    }

    static Stream<Object> crossNodeMessages() {
        SessionRegistry.Created created = new SessionRegistry.Created("k3xq9m-abcdefghjk", "30000/1001", 512, 512);
        return Stream.of(
                // to a session's sharding entity, and its replies
                new SessionEntity.Create("29.97", 640, null, ref()),
                new SessionEntity.Locate(ref()),
                new SessionEntity.Located(ref()),
                new SessionEntity.Delete(ref()),
                SessionEntity.Stop.INSTANCE,
                // to a node's NodeInfo, and its reply
                new NodeInfo.GetReport(ref()),
                new NodeInfo.Report(
                        "k3xq9m",
                        "pekko://avpush@10.0.0.1:25520",
                        "http://10.0.0.1:8080",
                        List.of("k3xq9m-abcdefghjk")),
                // the API's calls on a session served by another node
                new Session.Offer("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n", ref()),
                new Session.PlayDemo(10.0, ref()),
                new Session.Interrupt(ref()),
                new Session.GetStatus(ref()),
                new Session.DisconnectViewer("v1", ref()),
                new Session.ClearIdle(ref()),
                Session.Stop.INSTANCE,
                // their replies
                Outcome.ok(created),
                Outcome.ok(new SessionReplies.Answer("k3xq9m-abcdefghjk-v1", "v=0\r\n")),
                Outcome.ok(new SessionReplies.SegmentAccepted("s1", 1000.0, 30, 30, 1, 0, 0, null)),
                Outcome.ok(
                        new SessionReplies.SegmentAccepted("s1", 1000.0, 20, 30, 1, 10, 0, "the last frame is held")),
                Outcome.ok(new SessionReplies.Interrupted(List.of("s2", "s3"), "s1", 433.3, 100.0)),
                Outcome.ok(Boolean.TRUE),
                Outcome.failed(new ApiError(404, "not_found", "no viewer 'v9' in session k3xq9m-abcdefghjk")),
                Boolean.FALSE);
    }

    @ParameterizedTest
    @MethodSource("crossNodeMessages")
    void roundTripsAsJacksonCbor(Object message) {
        if (!(message instanceof Boolean)) {
            assertEquals(
                    JACKSON_CBOR,
                    SerializationExtension.get(Adapter.toClassic(testKit.system()))
                            .findSerializerFor(message)
                            .identifier(),
                    message.getClass().getName());
        }
        serialization.verifySerialization(message, true);
    }

    @Test
    void locatedWithoutASessionRoundTrips() {
        assertNull(((SessionEntity.Located) serialization.verifySerialization(new SessionEntity.Located(null), false))
                .session());
    }

    @Test
    void aSmallUploadRoundTrips() {
        TestProbe<Outcome<SessionReplies.SegmentAccepted>> probe = testKit.createTestProbe();
        Session.Upload back = (Session.Upload) serialization.verifySerialization(
                new Session.Upload(
                        new UploadedMedia(new byte[] {1, 2, 3}, new byte[] {4, 5, 6}, 16, 16, "30"), probe.ref()),
                false);
        assertArrayEquals(new byte[] {1, 2, 3}, back.upload().wav());
        assertArrayEquals(new byte[] {4, 5, 6}, back.upload().video().toArray());
        assertEquals(probe.ref(), back.replyTo());
    }

    @Test
    void aSessionStatusRoundTrips() {
        SessionStatus status = new SessionStatus(
                "k3xq9m-abcdefghjk",
                SessionState.PLAYING,
                "30",
                512,
                512,
                1,
                1,
                "s1",
                List.of("s2"),
                1000.0,
                3,
                900,
                3000,
                3,
                new long[] {1, 2, 897, 0, 0, 0, 0, 0},
                -3.3,
                -9.9,
                0.0,
                1,
                new PushStats.Snapshot(
                        900,
                        3000,
                        0.1,
                        0.5,
                        2.0,
                        0.1,
                        0.4,
                        1.5,
                        0.2,
                        1,
                        List.of(new PushStats.Stall(1_700_000_000_000L, 1_700_000_000_040L, 42.5, 2, 5))),
                new IdleLoop.Info("k3xq9m-abcdefghjk-l1", 1000.0, 30, 30, true, true, 2),
                4,
                133.3);
        SessionStatus back = (SessionStatus) serialization.verifySerialization(status, false);
        assertArrayEquals(status.chunksPerTickHistogram(), back.chunksPerTickHistogram());
        assertEquals(status.pushed(), back.pushed());
        assertEquals(
                status.toString().replaceAll("\\[J@\\w+", ""), back.toString().replaceAll("\\[J@\\w+", ""));
    }
}
