package io.avpush.session;

import io.avpush.config.LimitSettings;
import io.avpush.config.MediaSettings;
import io.avpush.media.FrameRate;
import io.avpush.media.I420;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One stream: owns its actor tree (loader, chunker, frame clock, sync supervisor, peer
 * connection) and its lifecycle, and routes the API's commands to the child that handles them.
 * Stopping it stops the tree, and the peer connection frees every native resource.
 */
public final class Session extends AbstractBehavior<Session.Command> {

  public sealed interface Command {}

  public record Offer(String sdp, ActorRef<Outcome<PeerConnection.Answer>> replyTo) implements Command {}

  public record Upload(UploadedMedia upload, ActorRef<Outcome<SyncSupervisor.SegmentAccepted>> replyTo)
      implements Command {}

  public record PlayDemo(double seconds, ActorRef<Outcome<SyncSupervisor.SegmentAccepted>> replyTo)
      implements Command {}

  public record Interrupt(ActorRef<Outcome<SyncSupervisor.Interrupted>> replyTo) implements Command {}

  public record GetStatus(ActorRef<SessionStatus> replyTo) implements Command {}

  public record DisconnectViewer(String viewerId, ActorRef<Outcome<Boolean>> replyTo) implements Command {}

  public enum Stop implements Command { INSTANCE }

  private record ViewersRelay(SyncSupervisor.ViewersChanged change) implements Command {}

  private enum IdleCheck implements Command { INSTANCE }

  /** What a session is: its id, frame rate and picture size. */
  public record Spec(String id, FrameRate fps, int width, int height) {}

  /** What a session is built from; tests put fakes in. */
  public record Deps(
      Output.Factory outputs,
      Pacer pacer,
      LongSupplier clockNs,
      Executor decodeExecutor,
      MediaSettings media,
      LimitSettings limits) {}

  private final Spec spec;
  private final ActorRef<SegmentLoader.Command> loader;
  private final ActorRef<SyncSupervisor.Command> sync;
  private final ActorRef<PeerConnection.Command> peer;
  private final LongSupplier clockNs;
  private final long idleTimeoutNs;
  private long lastActivityNs;
  private int viewersConnected;

  public static Behavior<Command> create(Spec spec, Deps deps) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      java.time.Duration idle = deps.limits().idleTimeout();
      java.time.Duration every = idle.dividedBy(4).compareTo(java.time.Duration.ofSeconds(10)) < 0
          ? idle.dividedBy(4)
          : java.time.Duration.ofSeconds(10);
      timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, every);
      return new Session(ctx, spec, deps);
    }));
  }

  private Session(ActorContext<Command> context, Spec spec, Deps deps) {
    super(context);
    this.spec = spec;
    this.clockNs = deps.clockNs();
    this.idleTimeoutNs = deps.limits().idleTimeout().toNanos();
    this.lastActivityNs = clockNs.getAsLong();
    PushStats pushStats = new PushStats();
    Output output = deps.outputs().create(spec.id());
    ActorRef<SyncSupervisor.ViewersChanged> viewers =
        context.messageAdapter(SyncSupervisor.ViewersChanged.class, ViewersRelay::new);
    peer = context.spawn(PeerConnection.create(
        spec.id(), output, deps.pacer(), pushStats, viewers, deps.limits().disconnectedTimeout(),
        deps.media().videoDelay()), "peer");
    ActorRef<AudioChunker.Command> chunker = context.spawn(AudioChunker.create(peer), "chunker");
    long maxQueuedTicks = spec.fps().frameIndexAtNs(deps.limits().maxQueuedDuration().toNanos());
    byte[] neutral = I420.solid(spec.width(), spec.height(), 16, 16, 16);
    sync = context.spawn(SyncSupervisor.create(
        spec.id(), spec.fps(), spec.width(), spec.height(), maxQueuedTicks, deps.limits().maxQueuedBytes(), neutral, chunker, peer, pushStats), "sync");
    loader = context.spawn(SegmentLoader.create(spec.id(), spec.fps(), spec.width(), spec.height(),
        deps.limits().maxSegmentDuration().toNanos(), deps.decodeExecutor(), deps.outputs().frameConverter(), sync),
        "loader");
    TickPolicy policy = new TickPolicy(
        spec.fps(), deps.media().releaseAhead().toNanos(), deps.media().maxCatchUp().toNanos());
    ActorRef<VideoTicker.Command> ticker = context.spawn(VideoTicker.create(policy, deps.clockNs(), sync), "ticker");
    context.watch(peer);
    context.watch(chunker);
    context.watch(sync);
    context.watch(loader);
    context.watch(ticker);
    context.getLog().info("session {} started: {}x{} at {} fps", spec.id(), spec.width(), spec.height(), spec.fps());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Offer.class, o -> active(peer, new PeerConnection.Connect(o.sdp(), o.replyTo())))
        .onMessage(Upload.class, u -> active(loader, new SegmentLoader.Load(u.upload(), u.replyTo())))
        .onMessage(PlayDemo.class, d -> active(loader, new SegmentLoader.LoadDemo(d.seconds(), d.replyTo())))
        .onMessage(Interrupt.class, i -> active(sync, new SyncSupervisor.Interrupt(i.replyTo())))
        .onMessage(GetStatus.class, g -> active(sync, new SyncSupervisor.GetStatus(g.replyTo())))
        .onMessage(DisconnectViewer.class, d -> active(peer, new PeerConnection.Disconnect(d.viewerId(), d.replyTo())))
        .onMessage(ViewersRelay.class, this::onViewersChanged)
        .onMessageEquals(IdleCheck.INSTANCE, this::onIdleCheck)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .build();
  }

  /** Forwards an API call to the child that handles it; any call keeps the session alive. */
  private <T> Behavior<Command> active(ActorRef<T> child, T message) {
    lastActivityNs = clockNs.getAsLong();
    child.tell(message);
    return this;
  }

  private Behavior<Command> onViewersChanged(ViewersRelay v) {
    viewersConnected = v.change().connected();
    lastActivityNs = clockNs.getAsLong();
    sync.tell(v.change());
    return this;
  }

  private Behavior<Command> onIdleCheck() {
    long idleNs = clockNs.getAsLong() - lastActivityNs;
    if (viewersConnected == 0 && idleNs >= idleTimeoutNs) {
      getContext().getLog().info("session {} ends: no viewer and no API call for {} s (avpush.limits.idle-timeout)",
          spec.id(), idleNs / 1_000_000_000L);
      return Behaviors.stopped();
    }
    return this;
  }

  private Behavior<Command> onStop() {
    getContext().getLog().info("session {} stopped", spec.id());
    return Behaviors.stopped();
  }
}
