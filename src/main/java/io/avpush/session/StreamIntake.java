package io.avpush.session;

import io.avpush.api.ApiError;
import io.avpush.playout.LiveSegment;
import io.avpush.playout.QueueAdmission;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Takes streamed segments in (WebSocket {@code /api/sessions/{id}/stream}): opens them, queues
 * each with the {@link SyncSupervisor}, takes their media within the limits and holds a producer
 * that is more than the buffer ahead until the segment has played down to it. The supervisor plays
 * the same {@link LiveSegment}s tick by tick; while any is open this actor looks at them once a
 * frame period to let held producers go and to forget the segments that ended.
 */
public final class StreamIntake extends AbstractBehavior<StreamIntake.Command> {

    /** Its protocol: the streamed-segment commands of {@link Session}'s public protocol, and its own look. */
    public sealed interface Command
            permits Session.OpenStream, Session.StreamAppend, Session.AwaitRoom, Session.CloseStream, Look {}

    enum Look implements Command {
        INSTANCE
    }

    private final String sessionId;
    private final LiveStreams streams;
    private final ActorRef<SyncSupervisor.Command> sync;
    private final TimerScheduler<Command> timers;
    private final Duration period;
    private long seq;

    /** @param period how often open segments are looked at: a frame period */
    public static Behavior<Command> create(
            String sessionId, LiveStreams streams, ActorRef<SyncSupervisor.Command> sync, Duration period) {
        return Behaviors.setup(
                ctx -> Behaviors.withTimers(timers -> new StreamIntake(ctx, sessionId, streams, sync, timers, period)));
    }

    private StreamIntake(
            ActorContext<Command> context,
            String sessionId,
            LiveStreams streams,
            ActorRef<SyncSupervisor.Command> sync,
            TimerScheduler<Command> timers,
            Duration period) {
        super(context);
        this.sessionId = sessionId;
        this.streams = streams;
        this.sync = sync;
        this.timers = timers;
        this.period = period;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Session.OpenStream.class, this::onOpen)
                .onMessage(Session.StreamAppend.class, a -> {
                    a.replyTo().tell(streams.append(a));
                    return this;
                })
                .onMessage(Session.AwaitRoom.class, w -> {
                    streams.awaitRoom(w.segmentId(), w.replyTo());
                    return this;
                })
                .onMessage(Session.CloseStream.class, c -> {
                    c.replyTo().tell(streams.close(c.segmentId()));
                    return this;
                })
                .onMessageEquals(Look.INSTANCE, this::onLook)
                .build();
    }

    private Behavior<Command> onOpen(Session.OpenStream o) {
        ApiError refused = QueueAdmission.refuseStream(o.audio(), o.video());
        if (refused != null) {
            o.replyTo().tell(Outcome.failed(refused));
            return this;
        }
        LiveSegment live = streams.open(sessionId + "-w" + (++seq), o.audio(), o.video());
        sync.tell(new SyncSupervisor.QueueStream(live, streams.opened(live.id(), 0), o.replyTo()));
        if (!timers.isTimerActive(Look.INSTANCE)) {
            timers.startTimerAtFixedRate(Look.INSTANCE, period);
        }
        return this;
    }

    private Behavior<Command> onLook() {
        streams.forgetEnded();
        streams.releaseWaiters();
        if (streams.isEmpty()) {
            timers.cancel(Look.INSTANCE);
        }
        return this;
    }
}
