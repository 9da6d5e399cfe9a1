package io.avpush.session;

import io.avpush.pacing.PushStats;
import io.avpush.playout.AudioRelease;
import io.avpush.playout.IdleLoop;
import io.avpush.playout.LiveSegment;
import io.avpush.playout.QueueAdmission;
import io.avpush.playout.Segment;
import io.avpush.playout.Sequencer;
import io.avpush.playout.SessionEvents;
import io.avpush.playout.TickEvents;
import io.avpush.api.ApiError;
import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.metrics.Metrics;
import io.avpush.session.SessionReplies.IdleAccepted;
import io.avpush.session.SessionReplies.Interrupted;
import io.avpush.session.SessionReplies.SegmentAccepted;
import io.avpush.session.SessionReplies.StreamOpened;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Decides on every frame tick which frame is released and how many 10 ms audio chunks go with
 * it: chunks are released while they end at or before the end of the released frame, so the
 * audio position is always within one chunk behind the video position, whatever the ticks' timing.
 * Owns the queue (through {@link Sequencer}); starts queued segments only while a viewer is connected.
 * When no segment plays, the {@link IdleLoop} (if one is set) plays.
 * Streamed segments ({@link LiveSegment}, taken in by the {@link StreamIntake}) follow the same
 * rule: each tick releases its frame and the audio that ends by the frame's end, taken from what
 * has arrived. Publishes the session's events; those about what the viewer sees
 * ({@link TickEvents}) are handed to the {@link ViewerGroup} to publish at the push of their
 * frame. The rules are pure classes: {@link Sequencer} (what plays), {@link AudioRelease} (the
 * audio with each frame), {@link TickEvents}, {@link QueueAdmission} (the limits).
 */
public final class SyncSupervisor extends AbstractBehavior<SyncSupervisor.Command> {

  public sealed interface Command {}

  /** Frame {@code frameIndex} is due to be pushed at {@code dueNs}. */
  public record FrameTick(long frameIndex, long dueNs, long reanchors) implements Command {}

  public record Enqueue(Segment segment, ActorRef<Outcome<SegmentAccepted>> replyTo) implements Command {}

  public record Interrupt(ActorRef<Outcome<Interrupted>> replyTo) implements Command {}

  public record ViewersChanged(int connected, int total) implements Command {}

  public record GetStatus(ActorRef<SessionStatus> replyTo) implements Command {}

  /** Sets (or replaces) the idle loop, played whenever no segment plays. */
  public record SetIdle(Segment loop, ActorRef<Outcome<IdleAccepted>> replyTo) implements Command {}

  /** Clears the idle loop: between segments the last frame is held again, in silence. */
  public record ClearIdle(ActorRef<Done> replyTo) implements Command {}

  /** Queues a streamed segment opened by the {@link StreamIntake}; the reply is {@code opened} with its place. */
  record QueueStream(LiveSegment live, StreamOpened opened, ActorRef<Outcome<StreamOpened>> replyTo) implements Command {}

  /** What it is made with: the queue's limits (frame ticks, bytes), the I420 picture before the first segment. */
  public record Settings(
      String sessionId, FrameRate fps, int width, int height, long maxQueuedTicks, long maxQueuedBytes,
      byte[] neutralFrame) {}

  private final Settings settings;
  private final Sequencer sequencer;
  private final IdleLoop idleLoop;
  private final AudioRelease release;
  private final TickEvents tickEvents;
  private final QueueAdmission admission;
  private final ActorRef<AudioChunker.Command> chunker;
  private final ActorRef<ViewerGroup.Command> peer;
  private final PushStats pushStats;
  private final SessionEvents events;
  private long nextTick;
  private int viewersConnected;
  private int viewersTotal;
  private long reanchors;

  public static Behavior<Command> create(
      Settings settings, ActorRef<AudioChunker.Command> chunker, ActorRef<ViewerGroup.Command> peer,
      PushStats pushStats, SessionEvents events) {
    return Behaviors.setup(ctx -> new SyncSupervisor(ctx, settings, chunker, peer, pushStats, events));
  }

  private SyncSupervisor(
      ActorContext<Command> context, Settings settings, ActorRef<AudioChunker.Command> chunker,
      ActorRef<ViewerGroup.Command> peer, PushStats pushStats, SessionEvents events) {
    super(context);
    FrameRate fps = settings.fps();
    this.settings = settings;
    this.sequencer = new Sequencer(fps, settings.neutralFrame());
    this.idleLoop = new IdleLoop(fps);
    this.release = new AudioRelease(fps);
    this.tickEvents = new TickEvents(fps);
    this.admission = new QueueAdmission(settings.sessionId(), fps, settings.maxQueuedTicks(), settings.maxQueuedBytes());
    this.chunker = chunker;
    this.peer = peer;
    this.pushStats = pushStats;
    this.events = events;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FrameTick.class, this::onFrameTick)
        .onMessage(Enqueue.class, this::onEnqueue)
        .onMessage(Interrupt.class, this::onInterrupt)
        .onMessage(ViewersChanged.class, v -> {
          viewersConnected = v.connected();
          viewersTotal = v.total();
          return this;
        })
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(SetIdle.class, this::onSetIdle)
        .onMessage(ClearIdle.class, this::onClearIdle)
        .onMessage(QueueStream.class, this::onQueueStream)
        .build();
  }

  private Behavior<Command> onFrameTick(FrameTick tick) {
    long n = tick.frameIndex();
    FrameRate fps = settings.fps();
    if (tick.reanchors() > reanchors) {
      Metrics.REANCHORS.inc(tick.reanchors() - reanchors);
    }
    reanchors = tick.reanchors();
    Sequencer.TickPlan plan = sequencer.onTick(n, viewersConnected > 0);
    if (plan.started() != null) {
      chunker.tell(new AudioChunker.Place(plan.started().id(), plan.startSample(), plan.started().pcm48k()));
    }
    if (plan.livePcm() != null && plan.livePcm().length > 0) {
      long at = fps.sampleIndexAtFrame(n, AudioChunks.SAMPLE_RATE);
      chunker.tell(new AudioChunker.Place(sequencer.currentId(), at, plan.livePcm()));
    }
    List<SessionEvents.Event> atPush =
        tickEvents.onTick(n, plan, sequencer.currentId(), sequencer.speaking(), release.avDiffMs());
    TickEvents.logLines(plan, atPush, fps).forEach(l -> getContext().getLog().info("session {}: {}", settings.sessionId(), l));
    // The idle loop plays on ticks without a segment; currentId (not current) so it never plays over a streamed segment.
    byte[] frame = sequencer.currentId() == null ? playIdleLoop(n, plan.frame()) : plan.frame();
    if (!atPush.isEmpty()) {
      peer.tell(new ViewerGroup.PublishAtPush(n, atPush));
    }
    peer.tell(new ViewerGroup.PushFrame(n, frame, settings.width(), settings.height(), tick.dueNs()));
    AudioRelease.Step step = release.onFrame(n);
    if (step.released() > 0) {
      chunker.tell(new AudioChunker.Release(step.upTo(), fps.frameStartNs(n), tick.dueNs()));
    }
    Metrics.AV_RELEASE_DIFFERENCE.observe(step.avDiffMs() / 1e3);
    if (step.window() != null) {
      events.publish(SessionEvents.Event.avDiff(step.window().lastMs(), step.window().minMs(), step.window().maxMs()));
    }
    nextTick = n + 1;
    return this;
  }

  /** Tick {@code n}'s frame of the idle loop, its audio placed; {@code held} when no loop is set. */
  private byte[] playIdleLoop(long n, byte[] held) {
    IdleLoop.Step step = idleLoop.onTick(n);
    if (step == null) {
      return held;
    }
    if (step.to() > step.from()) {
      chunker.tell(new AudioChunker.Place(idleLoop.clip().id(), step.startSample(), step.clipPcm(), step.from(), step.to()));
    }
    sequencer.hold(step.frame());
    return step.frame();
  }

  private Behavior<Command> onEnqueue(Enqueue e) {
    Segment s = e.segment();
    ApiError refused = admission.refuseSegment(s, sequencer.pendingTicks(nextTick), sequencer.queuedBytes());
    if (refused != null) {
      return reply(e.replyTo(), Outcome.failed(refused));
    }
    sequencer.enqueue(s);
    Metrics.SEGMENTS_QUEUED.inc();
    FrameRate fps = settings.fps();
    Segment.LengthFit fit = s.lengthFit(fps);
    getContext().getLog().info("session {}: segment {} queued ({} ms, {} frames{})", settings.sessionId(), s.id(),
        Math.round(s.durationMs(fps)), s.framesI420().length, fit.note() == null ? "" : "; " + fit.note());
    events.publish(SessionEvents.Event.segment("segment-queued", s.id())
        .withDuration(s.durationMs(fps)).withQueuePosition(sequencer.queued()));
    return reply(e.replyTo(), Outcome.ok(new SegmentAccepted(s.id(), s.durationMs(fps), s.framesI420().length,
        s.frameTicks(), sequencer.queued(), fit.heldTicks(), fit.droppedFrames(), fit.note())));
  }

  private Behavior<Command> onInterrupt(Interrupt i) {
    Sequencer.Cut cut = sequencer.interrupt(nextTick);
    cut.droppedIds().forEach(id -> events.publish(SessionEvents.Event.segment("segment-dropped", id)));
    FrameRate fps = settings.fps();
    chunker.tell(new AudioChunker.CutAt(fps.sampleIndexAtFrame(nextTick, AudioChunks.SAMPLE_RATE)));
    if (cut.cutId() != null) {
      // The cut segment's audio already released to the pacer (up to release-ahead plus a tick)
      // falls silent now instead of playing on.
      peer.tell(new ViewerGroup.SilenceUnpushed(release.chunksReleased()));
    }
    Metrics.SEGMENTS_DROPPED.inc(cut.droppedIds().size() + (cut.cutId() != null ? 1 : 0));
    getContext().getLog().info("session {}: interrupted at frame {}: cut {}, dropped {}",
        settings.sessionId(), nextTick, cut.cutId(), cut.droppedIds());
    return reply(i.replyTo(), Outcome.ok(new Interrupted(cut.droppedIds(), cut.cutId(), fps.frameStartNs(nextTick) / 1e6,
        cut.cutId() == null ? null : fps.frameStartNs(cut.cutAfterTicks()) / 1e6)));
  }

  private Behavior<Command> onSetIdle(SetIdle set) {
    Segment loop = set.loop();
    ApiError refused = admission.refuseIdleLoop(loop);
    if (refused != null) {
      return reply(set.replyTo(), Outcome.failed(refused));
    }
    idleLoop.set(loop);
    FrameRate fps = settings.fps();
    boolean audio = loop.pcm48k().length > 0;
    getContext().getLog().info("session {}: idle loop {} set ({} ms, {} frames{})", settings.sessionId(), loop.id(),
        Math.round(loop.durationMs(fps)), loop.framesI420().length, audio ? ", with audio" : "");
    return reply(set.replyTo(), Outcome.ok(new IdleAccepted(loop.id(), loop.durationMs(fps), loop.framesI420().length,
        loop.frameTicks(), audio, loop.lengthFit(fps).note())));
  }

  private Behavior<Command> onClearIdle(ClearIdle clear) {
    String cleared = idleLoop.clear();
    if (cleared != null) {
      getContext().getLog().info("session {}: idle loop {} cleared", settings.sessionId(), cleared);
    }
    return reply(clear.replyTo(), Done.getInstance());
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    SessionState state = viewersConnected == 0 && sequencer.queued() > 0 ? SessionState.WAITING_FOR_VIEWER
        : sequencer.currentId() != null ? SessionState.PLAYING : SessionState.IDLE;
    FrameRate fps = settings.fps();
    return reply(g.replyTo(), new SessionStatus(settings.sessionId(), state, fps.toString(), settings.width(),
        settings.height(), viewersConnected, viewersTotal, sequencer.currentId(), sequencer.queuedIds(),
        fps.frameStartNs(sequencer.pendingTicks(nextTick)) / 1e6, tickEvents.segmentsPlayed(), nextTick,
        release.chunksReleased(), release.lastReleased(), release.histogram(), release.avDiffMs(), release.minMs(),
        release.maxMs(), reanchors, pushStats.snapshot(), idleLoop.info(nextTick), tickEvents.streamGapTicks(),
        fps.frameStartNs(tickEvents.streamGapTicks()) / 1e6));
  }

  private Behavior<Command> onQueueStream(QueueStream q) {
    sequencer.enqueue(q.live());
    getContext().getLog().info("session {}: streamed segment {} queued (audio {}, video {})",
        settings.sessionId(), q.live().id(), q.live().hasAudio(), q.live().hasVideo());
    StreamOpened o = q.opened();
    events.publish(SessionEvents.Event.segment("segment-queued", o.segmentId()).withQueuePosition(sequencer.queued()));
    return reply(q.replyTo(), Outcome.ok(new StreamOpened(o.segmentId(), sequencer.queued(), o.leadMs(), o.bufferMs())));
  }

  private <T> Behavior<Command> reply(ActorRef<T> to, T message) {
    to.tell(message);
    return this;
  }
}
