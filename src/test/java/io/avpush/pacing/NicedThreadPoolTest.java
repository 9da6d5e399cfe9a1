package io.avpush.pacing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.avpush.session.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The session's media actors run on avpush-media-dispatcher (reference.conf): threads at nice −10
 * where the process may lower nice (root), else at nice 0.
 */
class NicedThreadPoolTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void mediaActorsRunAtTheConfiguredNiceWhereTheProcessMayAndAtZeroElsewhere() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux /proc");
        TestProbe<Integer> probe = testKit.createTestProbe();
        ActorRef<String> actor = testKit.spawn(
                Behaviors.receiveMessage(m -> {
                    probe.getRef().tell(niceOfThisThread());
                    return Behaviors.same();
                }),
                "media",
                Session.MEDIA);
        actor.tell("nice?");
        int nice = probe.receiveMessage();
        boolean root = "root".equals(System.getProperty("user.name"));
        assertEquals(root ? -10 : 0, nice, "nice of a media actor's thread (root: " + root + ")");
    }

    /** Field 19 of /proc/thread-self/stat, after the command in parentheses. */
    private static int niceOfThisThread() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(after[16]);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
