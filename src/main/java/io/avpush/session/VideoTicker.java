package io.avpush.session;

import io.avpush.pacing.Pacer;
import io.avpush.playout.TickPolicy;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The session's frame clock. The node's pacer wakes it (see {@link Pacer#wakeAt}); the monotonic
 * clock and {@link TickPolicy} decide which frames are due, and each is sent to the
 * {@link SyncSupervisor} with the instant it must be pushed. Sleeps never accumulate: every
 * deadline is anchor + exact frame time.
 *
 * <p>Not a Pekko timer: the scheduler wakes timers only on its tick (10 ms by default, 33 ms as
 * avpush runs it), so a timer-driven clock woke 0–30 ms late (measured at a 10 ms tick: frames
 * reached the pacer ~25 ms after their release instant, p99 31 ms), which ate the whole
 * {@code release-ahead}, and the first audio chunk of a tick, due up to a chunk before its
 * frame, was pushed late by up to ~12 ms.
 */
public final class VideoTicker extends AbstractBehavior<VideoTicker.Command> {

    public sealed interface Command {}

    /** Where the clock stands: the next frame to release, its anchor, how often it re-anchored. */
    public record GetState(ActorRef<State> replyTo) implements Command {}

    public record State(long nextFrame, long anchorNs, long reanchors) {}

    private enum Wake implements Command {
        INSTANCE
    }

    private final TickPolicy policy;
    private final LongSupplier clockNs;
    private final Pacer pacer;
    private final ActorRef<SyncSupervisor.Command> sync;
    private long anchorNs;
    private long nextFrame;
    private long reanchors;
    // Read by the pacer thread: a wake that comes after the stop is not sent (no dead letter).
    private volatile boolean stopped;
    private final Runnable wake; // one instance for every wake-up, not one per frame tick

    /** @param pacer wakes the clock at its next release instant (the node's pacer, in the clock's time domain) */
    public static Behavior<Command> create(
            TickPolicy policy, LongSupplier clockNs, Pacer pacer, ActorRef<SyncSupervisor.Command> sync) {
        return Behaviors.setup(ctx -> new VideoTicker(ctx, policy, clockNs, pacer, sync));
    }

    private VideoTicker(
            ActorContext<Command> context,
            TickPolicy policy,
            LongSupplier clockNs,
            Pacer pacer,
            ActorRef<SyncSupervisor.Command> sync) {
        super(context);
        this.policy = policy;
        this.clockNs = clockNs;
        this.pacer = pacer;
        this.sync = sync;
        ActorRef<Command> self = context.getSelf();
        this.wake = () -> {
            if (!stopped) {
                self.tell(Wake.INSTANCE);
            }
        };
        this.anchorNs = clockNs.getAsLong() + policy.releaseAheadNs();
        context.getSelf().tell(Wake.INSTANCE);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wake.class, w -> onWake())
                .onMessage(GetState.class, this::onGetState)
                .onSignal(PostStop.class, s -> onPostStop())
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
            getContext()
                    .getLog()
                    .warn(
                            "frame clock woke {} ms late; re-anchored (#{}) so audio and video pause together",
                            (now
                                            + policy.releaseAheadNs()
                                            - anchorNs
                                            - policy.fps().frameStartNs(nextFrame))
                                    / 1_000_000,
                            reanchors);
        }
        anchorNs = d.anchorNs();
        for (long f = d.fromFrame(); f < d.toFrameExclusive(); f++) {
            sync.tell(new SyncSupervisor.FrameTick(f, anchorNs + policy.fps().frameStartNs(f), reanchors));
        }
        nextFrame = d.toFrameExclusive();
        pacer.wakeAt(d.nextWakeNs(), wake);
        return this;
    }

    private Behavior<Command> onPostStop() {
        stopped = true;
        return this;
    }
}
