package io.avpush.session;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.metrics.Metrics;
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

  /** The reply to an accepted upload. */
  public record SegmentAccepted(String segmentId, double durationMs, int frames, long frameTicks, int queuePosition) {}

  /** The reply to an interrupt: the queued segments dropped and the one cut short (or null). */
  public record Interrupted(List<String> dropped, String cut, double cutAtMs) {}

  /** The reply to an accepted idle loop. */
  public record IdleAccepted(String loopId, double durationMs, int frames, long frameTicks, boolean audio) {}

  private final String sessionId;
  private final FrameRate fps;
  private final int width;
  private final int height;
  private final long maxQueuedTicks;
  private final long maxQueuedBytes;
  private final Sequencer sequencer;
  private final IdleLoop idleLoop;
  private final ActorRef<AudioChunker.Command> chunker;
  private final ActorRef<PeerConnection.Command> peer;
  private final PushStats pushStats;
  private long nextTick;
  private long chunksReleased;
  private int viewersConnected;
  private int viewersTotal;
  private long reanchors;
  private int lastChunksPerTick;
  private final long[] chunksPerTickCounts = new long[8];
  private double avDiffMs;
  private double avDiffMinMs;
  private double avDiffMaxMs;
  private long segmentsPlayed;
  private String state = "idle";

  public static Behavior<Command> create(
      String sessionId,
      FrameRate fps,
      int width,
      int height,
      long maxQueuedTicks,
      long maxQueuedBytes,
      byte[] neutralFrame,
      ActorRef<AudioChunker.Command> chunker,
      ActorRef<PeerConnection.Command> peer,
      PushStats pushStats) {
    return Behaviors.setup(ctx -> new SyncSupervisor(
        ctx, sessionId, fps, width, height, maxQueuedTicks, maxQueuedBytes, neutralFrame, chunker, peer, pushStats));
  }

  private SyncSupervisor(
      ActorContext<Command> context,
      String sessionId,
      FrameRate fps,
      int width,
      int height,
      long maxQueuedTicks,
      long maxQueuedBytes,
      byte[] neutralFrame,
      ActorRef<AudioChunker.Command> chunker,
      ActorRef<PeerConnection.Command> peer,
      PushStats pushStats) {
    super(context);
    this.sessionId = sessionId;
    this.fps = fps;
    this.width = width;
    this.height = height;
    this.maxQueuedTicks = maxQueuedTicks;
    this.maxQueuedBytes = maxQueuedBytes;
    this.sequencer = new Sequencer(fps, neutralFrame);
    this.idleLoop = new IdleLoop(fps);
    this.chunker = chunker;
    this.peer = peer;
    this.pushStats = pushStats;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(FrameTick.class, this::onFrameTick)
        .onMessage(Enqueue.class, this::onEnqueue)
        .onMessage(Interrupt.class, this::onInterrupt)
        .onMessage(ViewersChanged.class, this::onViewersChanged)
        .onMessage(GetStatus.class, this::onGetStatus)
        .onMessage(SetIdle.class, this::onSetIdle)
        .onMessage(ClearIdle.class, this::onClearIdle)
        .build();
  }

  private Behavior<Command> onFrameTick(FrameTick tick) {
    long n = tick.frameIndex();
    if (tick.reanchors() > reanchors) {
      Metrics.REANCHORS.inc(tick.reanchors() - reanchors);
    }
    reanchors = tick.reanchors();
    Sequencer.TickPlan plan = sequencer.onTick(n, viewersConnected > 0);
    if (plan.finishedId() != null) {
      segmentsPlayed++;
      getContext().getLog().info("session {}: segment {} finished at frame {}", sessionId, plan.finishedId(), n);
    }
    if (plan.started() != null) {
      Segment s = plan.started();
      chunker.tell(new AudioChunker.Place(s.id(), plan.startSample(), s.pcm48k()));
      getContext().getLog().info("session {}: segment {} started at frame {} ({} ms)",
          sessionId, s.id(), n, Math.round(s.durationMs(fps)));
    }
    byte[] frame = sequencer.current() == null ? playIdleLoop(n, plan.frame()) : plan.frame();
    state = sequencer.current() != null ? "playing" : "idle";
    peer.tell(new PeerConnection.PushFrame(n, frame, width, height, tick.dueNs()));

    long videoEndSample = fps.sampleIndexAtFrame(n + 1, AudioChunks.SAMPLE_RATE);
    long upTo = chunksReleasedAfterFrame(fps, n);
    int released = (int) Math.max(0, upTo - chunksReleased);
    if (released > 0) {
      chunker.tell(new AudioChunker.Release(upTo, fps.frameStartNs(n), tick.dueNs()));
      chunksReleased = upTo;
    }
    lastChunksPerTick = released;
    chunksPerTickCounts[Math.min(released, chunksPerTickCounts.length - 1)]++;
    avDiffMs = (chunksReleased * AudioChunks.CHUNK_SAMPLES - videoEndSample) * 1000.0 / AudioChunks.SAMPLE_RATE;
    avDiffMinMs = Math.min(avDiffMinMs, avDiffMs);
    avDiffMaxMs = Math.max(avDiffMaxMs, avDiffMs);
    Metrics.AV_RELEASE_DIFFERENCE.observe(avDiffMs / 1e3);
    nextTick = n + 1;
    return this;
  }

  /** Tick {@code n}'s frame of the idle loop, its audio placed; {@code held} when no loop is set. */
  private byte[] playIdleLoop(long n, byte[] held) {
    IdleLoop.Step step = idleLoop.onTick(n);
    if (step == null) {
      return held;
    }
    if (step.pcm().length > 0) {
      chunker.tell(new AudioChunker.Place(idleLoop.clip().id(), step.startSample(), step.pcm()));
    }
    sequencer.hold(step.frame());
    return step.frame();
  }

  /**
   * How many 10 ms chunks are out once frame {@code n} is released: every chunk that ends at or
   * before the frame's end, so audio trails video by less than one chunk.
   * Example: 30 fps at 48 kHz, frame 0 ends at sample 1600: 3 chunks (1440 samples) are out,
   * audio trails by 160 samples (3.33 ms); after frame 2 (4800 samples) 10 chunks, no gap.
   */
  static long chunksReleasedAfterFrame(FrameRate fps, long n) {
    return Math.floorDiv(fps.sampleIndexAtFrame(n + 1, AudioChunks.SAMPLE_RATE), AudioChunks.CHUNK_SAMPLES);
  }

  private Behavior<Command> onEnqueue(Enqueue e) {
    long pending = sequencer.pendingTicks(nextTick);
    if (pending + e.segment().frameTicks() > maxQueuedTicks) {
      e.replyTo().tell(Outcome.failed(ApiError.tooMany(String.format(
          "session %s already holds %.1f s of media; with this segment (%.1f s) it would exceed the limit of %.1f s "
              + "(avpush.limits.max-queued-duration). Wait for queued segments to play or interrupt.",
          sessionId, fps.frameStartNs(pending) / 1e9, e.segment().durationMs(fps) / 1e3,
          fps.frameStartNs(maxQueuedTicks) / 1e9))));
      return this;
    }
    long queuedBytes = sequencer.queuedBytes();
    if (queuedBytes + e.segment().memoryBytes() > maxQueuedBytes) {
      e.replyTo().tell(Outcome.failed(ApiError.tooMany(String.format(
          "session %s already holds %d MB of queued media; with this segment (%d MB) it would exceed the limit of "
              + "%d MB (avpush.limits.max-queued-bytes). Wait for queued segments to play or interrupt.",
          sessionId, queuedBytes >> 20, e.segment().memoryBytes() >> 20, maxQueuedBytes >> 20))));
      return this;
    }
    sequencer.enqueue(e.segment());
    Metrics.SEGMENTS_QUEUED.inc();
    Segment s = e.segment();
    getContext().getLog().info("session {}: segment {} queued ({} ms, {} frames)",
        sessionId, s.id(), Math.round(s.durationMs(fps)), s.framesI420().length);
    e.replyTo().tell(Outcome.ok(new SegmentAccepted(
        s.id(), s.durationMs(fps), s.framesI420().length, s.frameTicks(), sequencer.queued())));
    return this;
  }

  private Behavior<Command> onInterrupt(Interrupt i) {
    Sequencer.Cut cut = sequencer.interrupt(nextTick);
    long cutSample = fps.sampleIndexAtFrame(nextTick, AudioChunks.SAMPLE_RATE);
    chunker.tell(new AudioChunker.CutAt(cutSample));
    Metrics.SEGMENTS_DROPPED.inc(cut.droppedIds().size() + (cut.cutId() != null ? 1 : 0));
    getContext().getLog().info("session {}: interrupted at frame {}: cut {}, dropped {}",
        sessionId, nextTick, cut.cutId(), cut.droppedIds());
    i.replyTo().tell(Outcome.ok(new Interrupted(cut.droppedIds(), cut.cutId(), fps.frameStartNs(nextTick) / 1e6)));
    return this;
  }

  private Behavior<Command> onSetIdle(SetIdle set) {
    Segment loop = set.loop();
    if (loop.memoryBytes() > maxQueuedBytes) {
      set.replyTo().tell(Outcome.failed(ApiError.tooLarge(String.format(
          "the idle loop takes %d MB decoded; the limit is %d MB (avpush.limits.max-queued-bytes). Send a shorter loop.",
          loop.memoryBytes() >> 20, maxQueuedBytes >> 20))));
      return this;
    }
    idleLoop.set(loop);
    getContext().getLog().info("session {}: idle loop {} set ({} ms, {} frames{})", sessionId, loop.id(),
        Math.round(loop.durationMs(fps)), loop.framesI420().length, loop.pcm48k().length > 0 ? ", with audio" : "");
    set.replyTo().tell(Outcome.ok(new IdleAccepted(
        loop.id(), loop.durationMs(fps), loop.framesI420().length, loop.frameTicks(), loop.pcm48k().length > 0)));
    return this;
  }

  private Behavior<Command> onClearIdle(ClearIdle clear) {
    String cleared = idleLoop.clear();
    if (cleared != null) {
      getContext().getLog().info("session {}: idle loop {} cleared", sessionId, cleared);
    }
    clear.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<Command> onViewersChanged(ViewersChanged v) {
    viewersConnected = v.connected();
    viewersTotal = v.total();
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus g) {
    Segment current = sequencer.current();
    g.replyTo().tell(new SessionStatus(
        sessionId,
        viewersConnected > 0 ? state : (sequencer.queued() > 0 ? "waiting-for-viewer" : state),
        fps.toString(),
        width,
        height,
        viewersConnected,
        viewersTotal,
        current == null ? null : current.id(),
        sequencer.queuedIds(),
        fps.frameStartNs(sequencer.pendingTicks(nextTick)) / 1e6,
        segmentsPlayed,
        nextTick,
        chunksReleased,
        lastChunksPerTick,
        chunksPerTickCounts.clone(),
        avDiffMs,
        avDiffMinMs,
        avDiffMaxMs,
        reanchors,
        pushStats.snapshot(),
        idleLoop.info(nextTick)));
    return this;
  }
}
