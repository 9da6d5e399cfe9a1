package io.avpush.session;

import io.avpush.session.SessionReplies.StreamClosed;
import io.avpush.session.SessionReplies.StreamCredit;
import io.avpush.session.SessionReplies.StreamOpened;
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

  public sealed interface Command {}

  /** Queues a streamed segment carrying audio and/or video; its media follows in {@link StreamAppend}. */
  public record OpenStream(boolean audio, boolean video, ActorRef<Outcome<StreamOpened>> replyTo) implements Command {}

  /**
   * Media of a streamed segment: 48 kHz audio (or null) and/or an I420 frame (or null) at
   * {@code frameTsSamples} of the segment.
   */
  public record StreamAppend(
      String segmentId, short[] pcm48k, byte[] frameI420, long frameTsSamples, ActorRef<Outcome<StreamCredit>> replyTo)
      implements Command {}

  /** Replies once the streamed segment holds no more than the buffer limit unplayed. */
  public record AwaitRoom(String segmentId, ActorRef<Outcome<StreamCredit>> replyTo) implements Command {}

  /** No more media for the streamed segment: it plays to the end of what arrived. */
  public record CloseStream(String segmentId, ActorRef<Outcome<StreamClosed>> replyTo) implements Command {}

  private enum Look implements Command { INSTANCE }

  private final String sessionId;
  private final LiveStreams streams;
  private final ActorRef<SyncSupervisor.Command> sync;
  private final TimerScheduler<Command> timers;
  private final Duration period;
  private long seq;

  /** @param period how often open segments are looked at: a frame period */
  public static Behavior<Command> create(
      String sessionId, LiveStreams streams, ActorRef<SyncSupervisor.Command> sync, Duration period) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new StreamIntake(ctx, sessionId, streams, sync, timers, period)));
  }

  private StreamIntake(ActorContext<Command> context, String sessionId, LiveStreams streams,
      ActorRef<SyncSupervisor.Command> sync, TimerScheduler<Command> timers, Duration period) {
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
        .onMessage(OpenStream.class, this::onOpen)
        .onMessage(StreamAppend.class, a -> {
          a.replyTo().tell(streams.append(a));
          return this;
        })
        .onMessage(AwaitRoom.class, w -> {
          streams.awaitRoom(w.segmentId(), w.replyTo());
          return this;
        })
        .onMessage(CloseStream.class, c -> {
          c.replyTo().tell(streams.close(c.segmentId()));
          return this;
        })
        .onMessageEquals(Look.INSTANCE, this::onLook)
        .build();
  }

  private Behavior<Command> onOpen(OpenStream o) {
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
