package io.avpush.session;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.avpush.config.StreamSettings;
import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.metrics.Metrics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * Streamed segments ({@link LiveSegment}) follow the same rule: each tick releases its frame and
 * the audio that ends by the frame's end, taken from what has arrived. Publishes the session's
 * events; those about what the viewer sees are handed to the {@link PeerConnection} to publish
 * at the push of their frame.
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

  /**
   * The reply to an accepted upload.
   *
   * @param framesHeldTicks the segment's last ticks that hold its last frame, as its frames end before its audio
   * @param framesDropped frames that start after the audio's end, dropped
   * @param note what was held or dropped, in a sentence; absent when audio and frames fit
   */
  public record SegmentAccepted(
      String segmentId, double durationMs, int frames, long frameTicks, int queuePosition, long framesHeldTicks,
      int framesDropped, @JsonInclude(JsonInclude.Include.NON_NULL) String note) {}

  /**
   * The reply to an interrupt: the queued segments dropped and the one cut short (or null).
   *
   * @param cutAtMs when the cut takes effect on the session's clock (ms of media since the session
   *     started), not a position in the cut segment
   * @param cutAfterMs how much of the cut segment had been released when it was cut; null when none was cut
   */
  public record Interrupted(List<String> dropped, String cut, double cutAtMs, Double cutAfterMs) {}

  /** The reply to an accepted idle loop; {@code note} as in {@link SegmentAccepted}. */
  public record IdleAccepted(
      String loopId, double durationMs, int frames, long frameTicks, boolean audio,
      @JsonInclude(JsonInclude.Include.NON_NULL) String note) {}
  /** The reply to an opened stream. */
  public record StreamOpened(String segmentId, int queuePosition, double leadMs, double bufferMs) {}

  /** How much of a streamed segment waits to play; {@code slowDown} when over the buffer limit. */
  public record StreamCredit(String segmentId, double bufferedMs, double bufferMs, boolean slowDown) {}

  /** The reply to a closed stream: media received, and gap ticks so far. */
  public record StreamClosed(String segmentId, double receivedMs, long gapTicks) {}

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
  private final SessionEvents events;
  private final Set<String> cutIds = new HashSet<>();
  private final LiveStreams streams;
  private long streamSeq;
  private long playingStartTick;
  private boolean speaking;
  private long gapRunStartTick = -1;
  private String gapSegmentId;
  private long streamGapTicks;
  private double windowAvMinMs;
  private double windowAvMaxMs;
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
      PushStats pushStats,
      SessionEvents events,
      StreamSettings stream,
      java.time.Duration maxSegmentDuration) {
    return Behaviors.setup(ctx -> new SyncSupervisor(
        ctx, sessionId, fps, width, height, maxQueuedTicks, maxQueuedBytes, neutralFrame, chunker, peer, pushStats,
        events, stream, maxSegmentDuration));
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
      PushStats pushStats,
      SessionEvents events,
      StreamSettings stream,
      java.time.Duration maxSegmentDuration) {
    super(context);
    this.events = events;
    this.streams = new LiveStreams(
        stream, fps.sampleIndexAtFrame(1, AudioChunks.SAMPLE_RATE), maxSegmentDuration, maxQueuedBytes, cutIds);
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
        .onMessage(OpenStream.class, this::onOpenStream)
        .onMessage(StreamAppend.class, this::onStreamAppend)
        .onMessage(AwaitRoom.class, this::onAwaitRoom)
        .onMessage(CloseStream.class, this::onCloseStream)
        .build();
  }

  private Behavior<Command> onFrameTick(FrameTick tick) {
    long n = tick.frameIndex();
    if (tick.reanchors() > reanchors) {
      Metrics.REANCHORS.inc(tick.reanchors() - reanchors);
    }
    reanchors = tick.reanchors();
    Sequencer.TickPlan plan = sequencer.onTick(n, viewersConnected > 0);
    List<SessionEvents.Event> atPush = new ArrayList<>(0);
    double mediaMs = fps.frameStartNs(n) / 1e6;
    if (plan.finishedId() != null) {
      segmentsPlayed++;
      boolean wasCut = cutIds.remove(plan.finishedId());
      SessionEvents.Event ended = SessionEvents.Event.segment(
              wasCut ? "segment-interrupted" : "segment-finished", plan.finishedId())
          .atFrame(n, mediaMs)
          .withDuration(fps.frameStartNs(n - playingStartTick) / 1e6);
      LiveSegment live = streams.remove(plan.finishedId(), "has ended");
      if (live != null) {
        ended = ended.withGaps(live.gapTicks(), fps.frameStartNs(live.gapTicks()) / 1e6);
      }
      atPush.add(ended.withAvDiff(avDiffMs));
      getContext().getLog().info("session {}: segment {} {} at frame {}",
          sessionId, plan.finishedId(), wasCut ? "interrupted" : "finished", n);
    }
    if (plan.started() != null) {
      Segment s = plan.started();
      chunker.tell(new AudioChunker.Place(s.id(), plan.startSample(), s.pcm48k()));
      getContext().getLog().info("session {}: segment {} started at frame {} ({} ms)",
          sessionId, s.id(), n, Math.round(s.durationMs(fps)));
    }
    if (plan.startedId() != null) {
      playingStartTick = n;
      atPush.add(SessionEvents.Event.segment("segment-started", plan.startedId()).atFrame(n, mediaMs));
      if (plan.started() == null) {
        getContext().getLog().info("session {}: streamed segment {} started at frame {}", sessionId, plan.startedId(), n);
      }
    }
    if (plan.livePcm() != null && plan.livePcm().length > 0) {
      chunker.tell(new AudioChunker.Place(sequencer.currentId(), fps.sampleIndexAtFrame(n, AudioChunks.SAMPLE_RATE), plan.livePcm()));
    }
    trackGaps(plan.gap(), n, mediaMs, atPush);
    boolean speakingNow = speakingSegmentPlaying();
    if (speakingNow != speaking) {
      speaking = speakingNow;
      atPush.add(SessionEvents.Event.speaking(speakingNow).atFrame(n, mediaMs));
    }
    // The idle loop plays on ticks without a segment; currentId (not current) so it never plays over a streamed segment.
    byte[] frame = sequencer.currentId() == null ? playIdleLoop(n, plan.frame()) : plan.frame();
    state = sequencer.currentId() != null ? "playing" : "idle";
    if (!atPush.isEmpty()) {
      peer.tell(new PeerConnection.PublishAtPush(n, atPush));
    }
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
    windowAvMinMs = Math.min(windowAvMinMs, avDiffMs);
    windowAvMaxMs = Math.max(windowAvMaxMs, avDiffMs);
    if (n > 0 && n % Math.max(1, Math.round(fps.fps())) == 0) {
      events.publish(SessionEvents.Event.avDiff(avDiffMs, windowAvMinMs, windowAvMaxMs));
      windowAvMinMs = avDiffMs;
      windowAvMaxMs = avDiffMs;
    }
    nextTick = n + 1;
    streams.releaseWaiters();
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

  /** A streamed segment's run of gap ticks is reported when it ends (at the push of the first frame after it). */
  private void trackGaps(boolean gap, long n, double mediaMs, List<SessionEvents.Event> atPush) {
    if (gap) {
      streamGapTicks++;
      if (gapRunStartTick < 0) {
        gapRunStartTick = n;
        gapSegmentId = sequencer.currentId();
      }
    } else if (gapRunStartTick >= 0) {
      long ticks = n - gapRunStartTick;
      String id = gapSegmentId;
      atPush.add(SessionEvents.Event.segment("stream-gap", id).atFrame(n, mediaMs)
          .withGaps(ticks, fps.frameStartNs(ticks) / 1e6));
      getContext().getLog().info("session {}: streamed segment {} waited {} ticks for media", sessionId, id, ticks);
      gapRunStartTick = -1;
    }
  }

  private boolean speakingSegmentPlaying() {
    Segment current = sequencer.current();
    if (current != null) {
      return current.pcm48k().length > 0;
    }
    String id = sequencer.currentId();
    LiveSegment live = id == null ? null : streams.get(id);
    return live != null && live.hasAudio();
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
    Segment.LengthFit fit = s.lengthFit(fps);
    getContext().getLog().info("session {}: segment {} queued ({} ms, {} frames{})",
        sessionId, s.id(), Math.round(s.durationMs(fps)), s.framesI420().length, fit.note() == null ? "" : "; " + fit.note());
    e.replyTo().tell(Outcome.ok(new SegmentAccepted(s.id(), s.durationMs(fps), s.framesI420().length, s.frameTicks(),
        sequencer.queued(), fit.heldTicks(), fit.droppedFrames(), fit.note())));
    events.publish(SessionEvents.Event.segment("segment-queued", s.id())
        .withDuration(s.durationMs(fps)).withQueuePosition(sequencer.queued()));
    return this;
  }

  private Behavior<Command> onInterrupt(Interrupt i) {
    Sequencer.Cut cut = sequencer.interrupt(nextTick);
    if (cut.cutId() != null) {
      cutIds.add(cut.cutId());
    }
    for (String dropped : cut.droppedIds()) {
      streams.remove(dropped, "was dropped by an interrupt");
      events.publish(SessionEvents.Event.segment("segment-dropped", dropped));
    }
    long cutSample = fps.sampleIndexAtFrame(nextTick, AudioChunks.SAMPLE_RATE);
    chunker.tell(new AudioChunker.CutAt(cutSample));
    if (cut.cutId() != null) {
      // The cut segment's audio already released to the pacer (up to release-ahead plus a tick)
      // falls silent now instead of playing on.
      peer.tell(new PeerConnection.SilenceUnpushed(chunksReleased));
    }
    Metrics.SEGMENTS_DROPPED.inc(cut.droppedIds().size() + (cut.cutId() != null ? 1 : 0));
    getContext().getLog().info("session {}: interrupted at frame {}: cut {}, dropped {}",
        sessionId, nextTick, cut.cutId(), cut.droppedIds());
    i.replyTo().tell(Outcome.ok(new Interrupted(cut.droppedIds(), cut.cutId(), fps.frameStartNs(nextTick) / 1e6,
        cut.cutId() == null ? null : fps.frameStartNs(cut.cutAfterTicks()) / 1e6)));
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
    set.replyTo().tell(Outcome.ok(new IdleAccepted(loop.id(), loop.durationMs(fps), loop.framesI420().length,
        loop.frameTicks(), loop.pcm48k().length > 0, loop.lengthFit(fps).note())));
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
    g.replyTo().tell(new SessionStatus(
        sessionId,
        viewersConnected > 0 ? state : (sequencer.queued() > 0 ? "waiting-for-viewer" : state),
        fps.toString(),
        width,
        height,
        viewersConnected,
        viewersTotal,
        sequencer.currentId(),
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
        idleLoop.info(nextTick),
        streamGapTicks,
        fps.frameStartNs(streamGapTicks) / 1e6));
    return this;
  }

  private Behavior<Command> onOpenStream(OpenStream o) {
    if (!o.audio() && !o.video()) {
      o.replyTo().tell(Outcome.failed(ApiError.badRequest("a streamed segment carries audio, video or both; this one declares neither")));
      return this;
    }
    String id = sessionId + "-w" + (++streamSeq);
    sequencer.enqueue(streams.open(id, o.audio(), o.video()));
    getContext().getLog().info("session {}: streamed segment {} queued (audio {}, video {})", sessionId, id, o.audio(), o.video());
    o.replyTo().tell(Outcome.ok(streams.opened(id, sequencer.queued())));
    events.publish(SessionEvents.Event.segment("segment-queued", id).withQueuePosition(sequencer.queued()));
    return this;
  }

  private Behavior<Command> onStreamAppend(StreamAppend a) {
    a.replyTo().tell(streams.append(a));
    return this;
  }

  private Behavior<Command> onAwaitRoom(AwaitRoom w) {
    streams.awaitRoom(w.segmentId(), w.replyTo());
    return this;
  }

  private Behavior<Command> onCloseStream(CloseStream c) {
    c.replyTo().tell(streams.close(c.segmentId()));
    return this;
  }
}
