package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.avpush.config.LimitSettings;
import io.avpush.config.MediaSettings;
import io.avpush.media.FrameRate;
import io.avpush.pacing.PushPacer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Every log line of a session's actors carries its id in the MDC (key sessionId, printed by
 * logback.xml), so one session's story can be pulled out of a busy node's log.
 */
@ExtendWith(TestKitJUnit5Extension.class)
class SessionLogsTest {

    private static final FrameRate FPS = new FrameRate(30, 1);

    @JUnit5TestKit
    public ActorTestKit testKit = ActorTestKit.create();

    @Test
    void everyLineOfTheSessionsActorsCarriesItsSessionId() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger sessionLoggers = (Logger) LoggerFactory.getLogger("io.avpush.session");
        sessionLoggers.addAppender(appender);
        PushPacer pacer = new PushPacer();
        try {
            MediaSettings media =
                    new MediaSettings(FPS, 32, 32, Duration.ofMillis(25), Duration.ofMillis(50), Duration.ZERO);
            LimitSettings limits = new LimitSettings(
                    1 << 26,
                    Duration.ofSeconds(60),
                    1920,
                    1080,
                    8,
                    Duration.ofSeconds(30),
                    1L << 30,
                    65536,
                    Duration.ofMinutes(1),
                    Duration.ofSeconds(1),
                    16,
                    Duration.ofSeconds(60));
            RecordingTransport output = new RecordingTransport();
            ActorRef<Session.Command> session = testKit.spawn(Session.create(
                    new Session.Spec("logtest1", FPS, 32, 32),
                    new Session.Deps(id -> output, pacer, System::nanoTime, Runnable::run, media, limits)));
            TestProbe<Outcome<SessionReplies.Answer>> answer = testKit.createTestProbe();
            session.tell(new Session.Offer("v=0 test", answer.getRef()));
            assertTrue(answer.receiveMessage(Duration.ofSeconds(10)) instanceof Outcome.Ok);
            TestProbe<Outcome<SessionReplies.SegmentAccepted>> accepted = testKit.createTestProbe();
            session.tell(new Session.PlayDemo(0.5, accepted.getRef()));
            assertTrue(accepted.receiveMessage(Duration.ofSeconds(10)) instanceof Outcome.Ok);
            TestProbe<SessionStatus> status = testKit.createTestProbe();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            do {
                assertTrue(System.nanoTime() < deadline, "the demo segment did not finish within 20 s");
                session.tell(new Session.GetStatus(status.getRef()));
            } while (status.receiveMessage(Duration.ofSeconds(10)).segmentsPlayed() < 1);
            session.tell(Session.Stop.INSTANCE);
            testKit.createTestProbe().expectTerminated(session, Duration.ofSeconds(10));
        } finally {
            sessionLoggers.detachAppender(appender);
            pacer.close();
        }

        List<ILoggingEvent> lines = appender.list.stream()
                .filter(e -> e.getFormattedMessage().contains("logtest1"))
                .toList();
        Set<String> loggers = lines.stream().map(ILoggingEvent::getLoggerName).collect(Collectors.toSet());
        assertTrue(
                loggers.containsAll(
                        Set.of(Session.class.getName(), ViewerGroup.class.getName(), SyncSupervisor.class.getName())),
                "lines from the session, its peer connection and its sync supervisor: " + loggers);
        assertTrue(lines.stream().anyMatch(e -> e.getFormattedMessage().contains("started")), "the start is logged");
        assertTrue(lines.stream().anyMatch(e -> e.getFormattedMessage().contains("stopped")), "the stop is logged");
        for (ILoggingEvent e : lines) {
            assertEquals(
                    "logtest1",
                    e.getMDCPropertyMap().get("sessionId"),
                    e.getLoggerName() + ": " + e.getFormattedMessage());
        }
    }
}
