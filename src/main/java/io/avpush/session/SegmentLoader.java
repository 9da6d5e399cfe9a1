package io.avpush.session;

import io.avpush.media.FrameConverter;
import io.avpush.media.FrameRate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Decodes uploads into segments off the actor threads (resampling and pixel conversion take
 * milliseconds per second of media) and hands good ones to the {@link SyncSupervisor}'s queue;
 * a bad upload is answered with what is wrong and touches nothing else.
 */
public final class SegmentLoader extends AbstractBehavior<SegmentLoader.Command> {

  public sealed interface Command {}

  public record Load(UploadedMedia upload, ActorRef<Outcome<SyncSupervisor.SegmentAccepted>> replyTo)
      implements Command {}

  public record LoadDemo(double seconds, ActorRef<Outcome<SyncSupervisor.SegmentAccepted>> replyTo)
      implements Command {}

  private record WrappedDecoded(
      Segment segment, Throwable failure, ActorRef<Outcome<SyncSupervisor.SegmentAccepted>> replyTo)
      implements Command {}

  private final String sessionId;
  private final FrameRate fps;
  private final int width;
  private final int height;
  private final long maxDurationNs;
  private final Executor decodeExecutor;
  private final FrameConverter converter;
  private final ActorRef<SyncSupervisor.Command> sync;
  private long segmentSeq;

  public static Behavior<Command> create(
      String sessionId,
      FrameRate fps,
      int width,
      int height,
      long maxDurationNs,
      Executor decodeExecutor,
      FrameConverter converter,
      ActorRef<SyncSupervisor.Command> sync) {
    return Behaviors.setup(ctx ->
        new SegmentLoader(ctx, sessionId, fps, width, height, maxDurationNs, decodeExecutor, converter, sync));
  }

  private SegmentLoader(
      ActorContext<Command> context,
      String sessionId,
      FrameRate fps,
      int width,
      int height,
      long maxDurationNs,
      Executor decodeExecutor,
      FrameConverter converter,
      ActorRef<SyncSupervisor.Command> sync) {
    super(context);
    this.sessionId = sessionId;
    this.fps = fps;
    this.width = width;
    this.height = height;
    this.maxDurationNs = maxDurationNs;
    this.decodeExecutor = decodeExecutor;
    this.converter = converter;
    this.sync = sync;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Load.class, this::onLoad)
        .onMessage(LoadDemo.class, this::onLoadDemo)
        .onMessage(WrappedDecoded.class, this::onDecoded)
        .build();
  }

  private String nextSegmentId() {
    return sessionId + "-s" + (++segmentSeq);
  }

  private Behavior<Command> onLoad(Load load) {
    String segmentId = nextSegmentId();
    CompletableFuture<Segment> decoded = new CompletableFuture<>();
    decodeExecutor.execute(() -> {
      try {
        decoded.complete(SegmentDecoder.decode(
            segmentId, load.upload(), fps, width, height, maxDurationNs, converter));
      } catch (Throwable t) {
        decoded.completeExceptionally(t);
      }
    });
    getContext().pipeToSelf(decoded, (segment, failure) -> new WrappedDecoded(segment, failure, load.replyTo()));
    return this;
  }

  private Behavior<Command> onLoadDemo(LoadDemo demo) {
    String segmentId = nextSegmentId();
    CompletableFuture<Segment> made = CompletableFuture.supplyAsync(
        () -> SegmentDecoder.demo(segmentId, fps, width, height, demo.seconds()), decodeExecutor);
    getContext().pipeToSelf(made, (segment, failure) -> new WrappedDecoded(segment, failure, demo.replyTo()));
    return this;
  }

  private Behavior<Command> onDecoded(WrappedDecoded d) {
    if (d.failure() == null) {
      sync.tell(new SyncSupervisor.Enqueue(d.segment(), d.replyTo()));
      return this;
    }
    Throwable cause = Failures.cause(d.failure());
    if (cause instanceof SegmentRejectedException rejected) {
      getContext().getLog().info("session {}: upload rejected: {}", sessionId, rejected.getMessage());
      d.replyTo().tell(Outcome.failed(rejected.error()));
    } else {
      getContext().getLog().error("session {}: decoding an upload failed", sessionId, cause);
      d.replyTo().tell(Outcome.failed(new ApiError(500, "decode_failed", "decoding the upload failed: " + cause)));
    }
    return this;
  }
}
