package io.avpush.session;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The session's frame clock. A timer wakes it; the monotonic clock and {@link TickPolicy}
 * decide which frames are due, and each is sent to the {@link SyncSupervisor} with the instant
 * it must be pushed. Sleeps never accumulate: every deadline is anchor + exact frame time.
 */
public final class VideoTicker extends AbstractBehavior<VideoTicker.Command> {

  public sealed interface Command {}

  /** Where the clock stands: the next frame to release, its anchor, how often it re-anchored. */
  public record GetState(ActorRef<State> replyTo) implements Command {}

  public record State(long nextFrame, long anchorNs, long reanchors) {}

  private enum Wake implements Command { INSTANCE }

  private final TickPolicy policy;
  private final LongSupplier clockNs;
  private final TimerScheduler<Command> timers;
  private final ActorRef<SyncSupervisor.Command> sync;
  private long anchorNs;
  private long nextFrame;
  private long reanchors;

  public static Behavior<Command> create(
      TickPolicy policy, LongSupplier clockNs, ActorRef<SyncSupervisor.Command> sync) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new VideoTicker(ctx, policy, clockNs, timers, sync)));
  }

  private VideoTicker(
      ActorContext<Command> context,
      TickPolicy policy,
      LongSupplier clockNs,
      TimerScheduler<Command> timers,
      ActorRef<SyncSupervisor.Command> sync) {
    super(context);
    this.policy = policy;
    this.clockNs = clockNs;
    this.timers = timers;
    this.sync = sync;
    this.anchorNs = clockNs.getAsLong() + policy.releaseAheadNs();
    context.getSelf().tell(Wake.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Wake.class, w -> onWake())
        .onMessage(GetState.class, this::onGetState)
        .build();
  }

  private Behavior<Command> onGetState(GetState g) {
    g.replyTo().tell(new State(nextFrame, anchorNs, reanchors));
    return this;
  }

  private Behavior<Command> onWake() {
    long now = clockNs.getAsLong();
    TickPolicy.Decision d = policy.decide(now, anchorNs, nextFrame);
    if (d.reanchored()) {
      reanchors++;
      getContext().getLog().warn("frame clock woke {} ms late; re-anchored (#{}) so audio and video pause together",
          (now + policy.releaseAheadNs() - anchorNs - policy.fps().frameStartNs(nextFrame)) / 1_000_000, reanchors);
    }
    anchorNs = d.anchorNs();
    for (long f = d.fromFrame(); f < d.toFrameExclusive(); f++) {
      sync.tell(new SyncSupervisor.FrameTick(f, anchorNs + policy.fps().frameStartNs(f), reanchors));
    }
    nextFrame = d.toFrameExclusive();
    long delayNs = Math.max(0, d.nextWakeNs() - clockNs.getAsLong());
    timers.startSingleTimer(Wake.INSTANCE, Duration.ofNanos(delayNs));
    return this;
  }
}
