package io.avpush.session;

import io.avpush.api.ApiError;
import io.avpush.api.Failures;
import io.avpush.media.FrameConverter;
import io.avpush.media.FrameRate;
import io.avpush.playout.Segment;
import io.avpush.playout.SegmentDecoder;
import io.avpush.playout.SegmentRejectedException;
import io.avpush.playout.UploadedMedia;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Decodes uploads into segments off the actor threads (resampling and pixel conversion take
 * milliseconds per second of media) and hands good ones to the {@link SyncSupervisor}'s queue;
 * idle loops go to the supervisor the same way. A bad upload is answered with what is wrong and
 * touches nothing else.
 */
public final class SegmentLoader extends AbstractBehavior<SegmentLoader.Command> {

    public sealed interface Command {}

    public record Load(UploadedMedia upload, ActorRef<Outcome<SessionReplies.SegmentAccepted>> replyTo)
            implements Command {}

    public record LoadDemo(double seconds, ActorRef<Outcome<SessionReplies.SegmentAccepted>> replyTo)
            implements Command {}

    /** Decodes an idle loop (the same parts as a segment; frames required) for the {@link SyncSupervisor}. */
    public record LoadIdle(UploadedMedia upload, ActorRef<Outcome<SessionReplies.IdleAccepted>> replyTo)
            implements Command {}

    /** A decoded upload: {@code toSync} makes the supervisor's command of it, {@code reject} answers a failure. */
    private record WrappedDecoded(
            Segment segment,
            Throwable failure,
            Function<Segment, SyncSupervisor.Command> toSync,
            Consumer<ApiError> reject)
            implements Command {}

    private final String sessionId;
    private final FrameRate fps;
    private final int width;
    private final int height;
    private final long maxDurationNs;
    private final int backgroundRgb;
    private final Executor decodeExecutor;
    private final FrameConverter converter;
    private final ActorRef<SyncSupervisor.Command> sync;
    private long segmentSeq;
    private long loopSeq;

    public static Behavior<Command> create(
            String sessionId,
            FrameRate fps,
            int width,
            int height,
            long maxDurationNs,
            int backgroundRgb,
            Executor decodeExecutor,
            FrameConverter converter,
            ActorRef<SyncSupervisor.Command> sync) {
        return Behaviors.setup(ctx -> new SegmentLoader(
                ctx, sessionId, fps, width, height, maxDurationNs, backgroundRgb, decodeExecutor, converter, sync));
    }

    private SegmentLoader(
            ActorContext<Command> context,
            String sessionId,
            FrameRate fps,
            int width,
            int height,
            long maxDurationNs,
            int backgroundRgb,
            Executor decodeExecutor,
            FrameConverter converter,
            ActorRef<SyncSupervisor.Command> sync) {
        super(context);
        this.sessionId = sessionId;
        this.fps = fps;
        this.width = width;
        this.height = height;
        this.maxDurationNs = maxDurationNs;
        this.backgroundRgb = backgroundRgb;
        this.decodeExecutor = decodeExecutor;
        this.converter = converter;
        this.sync = sync;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Load.class, this::onLoad)
                .onMessage(LoadDemo.class, this::onLoadDemo)
                .onMessage(LoadIdle.class, this::onLoadIdle)
                .onMessage(WrappedDecoded.class, this::onDecoded)
                .build();
    }

    private String nextSegmentId() {
        return sessionId + "-s" + (++segmentSeq);
    }

    private Behavior<Command> onLoad(Load load) {
        decode(
                nextSegmentId(),
                load.upload(),
                false,
                s -> new SyncSupervisor.Enqueue(s, load.replyTo()),
                e -> load.replyTo().tell(Outcome.failed(e)));
        return this;
    }

    private Behavior<Command> onLoadIdle(LoadIdle load) {
        decode(
                sessionId + "-idle" + (++loopSeq),
                load.upload(),
                true,
                s -> new SyncSupervisor.SetIdle(s, load.replyTo()),
                e -> load.replyTo().tell(Outcome.failed(e)));
        return this;
    }

    private void decode(
            String id,
            UploadedMedia upload,
            boolean needsFrames,
            Function<Segment, SyncSupervisor.Command> toSync,
            Consumer<ApiError> reject) {
        CompletableFuture<Segment> decoded = new CompletableFuture<>();
        decodeExecutor.execute(() -> {
            try {
                Segment segment =
                        SegmentDecoder.decode(id, upload, fps, width, height, maxDurationNs, backgroundRgb, converter);
                if (needsFrames && segment.framesI420().length == 0) {
                    throw new SegmentRejectedException(
                            ApiError.badRequest(
                                    "an idle loop needs frames: a part 'video' (raw "
                                            + "frames) or parts 'frame' (PNG or JPEG images), with an optional part 'audio'; this upload has audio only"));
                }
                decoded.complete(segment);
            } catch (Throwable t) {
                decoded.completeExceptionally(t);
            }
        });
        getContext().pipeToSelf(decoded, (segment, failure) -> new WrappedDecoded(segment, failure, toSync, reject));
    }

    private Behavior<Command> onLoadDemo(LoadDemo demo) {
        String segmentId = nextSegmentId();
        CompletableFuture<Segment> made = CompletableFuture.supplyAsync(
                () -> SegmentDecoder.demo(segmentId, fps, width, height, demo.seconds()), decodeExecutor);
        getContext()
                .pipeToSelf(
                        made,
                        (segment, failure) -> new WrappedDecoded(
                                segment,
                                failure,
                                s -> new SyncSupervisor.Enqueue(s, demo.replyTo()),
                                e -> demo.replyTo().tell(Outcome.failed(e))));
        return this;
    }

    private Behavior<Command> onDecoded(WrappedDecoded d) {
        if (d.failure() == null) {
            sync.tell(d.toSync().apply(d.segment()));
            return this;
        }
        Throwable cause = Failures.cause(d.failure());
        if (cause instanceof SegmentRejectedException rejected) {
            getContext().getLog().info("session {}: upload rejected: {}", sessionId, rejected.getMessage());
            d.reject().accept(rejected.error());
        } else {
            getContext().getLog().error("session {}: decoding an upload failed", sessionId, cause);
            d.reject().accept(new ApiError(500, "decode_failed", "decoding the upload failed: " + cause));
        }
        return this;
    }
}
