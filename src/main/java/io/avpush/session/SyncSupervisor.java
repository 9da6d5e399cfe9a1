package io.avpush.session;

import io.avpush.api.ApiError;
import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.metrics.Metrics;
import io.avpush.pacing.PushStats;
import io.avpush.playout.AudioRelease;
import io.avpush.playout.IdleLoop;
import io.avpush.playout.LiveSegment;
import io.avpush.playout.Playout;
import io.avpush.playout.PlayoutLog;
import io.avpush.playout.QueueAdmission;
import io.avpush.playout.Segment;
import io.avpush.playout.Sequencer;
import io.avpush.playout.SessionEvents;
import io.avpush.playout.TickEvents;
import io.avpush.session.SessionReplies.IdleAccepted;
import io.avpush.session.SessionReplies.Interrupted;
import io.avpush.session.SessionReplies.SegmentAccepted;
import io.avpush.session.SessionReplies.StreamOpened;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The session's playout as an actor: on every frame tick it releases one frame and the 10 ms audio
 * chunks that end by the end of that frame, so the audio position is always within one chunk
 * behind the video position, whatever the ticks' timing. It takes segments into the queue (within
 * the {@link QueueAdmission} limits; streamed ones, {@link LiveSegment}s, come from the
 * {@link StreamIntake}), sets the idle loop, interrupts, and reports the session's status. Segments
 * start only while a viewer is connected. What each tick plays, places and releases is decided by
 * the pure {@link Playout} (over {@link Sequencer}, {@link IdleLoop}, {@link AudioRelease} and
 * {@link TickEvents}); this actor sends it on: audio to the {@link AudioChunker}, the frame and the
 * events about what the viewer sees to the {@link ViewerGroup} (published at the push of their
 * frame), the session's other events to its {@link SessionEvents}.
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
    record QueueStream(LiveSegment live, StreamOpened opened, ActorRef<Outcome<StreamOpened>> replyTo)
            implements Command {}

    /** What it is made with: the queue's limits (frame ticks, bytes), the I420 picture before the first segment. */
    public record Settings(
            String sessionId,
            FrameRate fps,
            int width,
            int height,
            long maxQueuedTicks,
            long maxQueuedBytes,
            byte[] neutralFrame) {}

    private final Settings settings;
    private final Playout playout;
    private final QueueAdmission admission;
    private final ActorRef<AudioChunker.Command> chunker;
    private final ActorRef<ViewerGroup.Command> peer;
    private final PushStats pushStats;
    private final SessionEvents events;
    private int viewersConnected;
    private int viewersTotal;
    private long reanchors;

    public static Behavior<Command> create(
            Settings settings,
            ActorRef<AudioChunker.Command> chunker,
            ActorRef<ViewerGroup.Command> peer,
            PushStats pushStats,
            SessionEvents events) {
        return Behaviors.setup(ctx -> new SyncSupervisor(ctx, settings, chunker, peer, pushStats, events));
    }

    private SyncSupervisor(
            ActorContext<Command> context,
            Settings settings,
            ActorRef<AudioChunker.Command> chunker,
            ActorRef<ViewerGroup.Command> peer,
            PushStats pushStats,
            SessionEvents events) {
        super(context);
        FrameRate fps = settings.fps();
        this.settings = settings;
        this.playout = new Playout(fps, settings.neutralFrame());
        this.admission =
                new QueueAdmission(settings.sessionId(), fps, settings.maxQueuedTicks(), settings.maxQueuedBytes());
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
        if (tick.reanchors() > reanchors) {
            Metrics.REANCHORS.inc(tick.reanchors() - reanchors);
        }
        reanchors = tick.reanchors();
        Playout.Tick played = playout.onTick(n, viewersConnected > 0);
        for (Playout.Placement p : played.placed()) {
            chunker.tell(new AudioChunker.Place(p.segmentId(), p.startSample(), p.pcm48k(), p.from(), p.to()));
        }
        played.logLines().forEach(this::log);
        if (!played.atPush().isEmpty()) {
            peer.tell(new ViewerGroup.PublishAtPush(n, played.atPush()));
        }
        peer.tell(new ViewerGroup.PushFrame(n, played.frame(), settings.width(), settings.height(), tick.dueNs()));
        AudioRelease.Step step = played.release();
        if (step.released() > 0) {
            chunker.tell(new AudioChunker.Release(step.upTo(), settings.fps().frameStartNs(n), tick.dueNs()));
        }
        Metrics.AV_RELEASE_DIFFERENCE.observe(step.avDiffMs() / 1e3);
        if (step.window() != null) {
            events.publish(SessionEvents.Event.avDiff(
                    step.window().lastMs(), step.window().minMs(), step.window().maxMs()));
        }
        return this;
    }

    private Behavior<Command> onEnqueue(Enqueue e) {
        Segment s = e.segment();
        ApiError refused = admission.refuseSegment(s, playout.pendingTicks(), playout.queuedBytes());
        if (refused != null) {
            return reply(e.replyTo(), Outcome.failed(refused));
        }
        playout.enqueue(s);
        Metrics.SEGMENTS_QUEUED.inc();
        log(PlayoutLog.queued(s, settings.fps()));
        SegmentAccepted accepted = SegmentAccepted.of(s, settings.fps(), playout.queued());
        events.publish(SessionEvents.Event.segment("segment-queued", s.id())
                .withDuration(accepted.durationMs())
                .withQueuePosition(accepted.queuePosition()));
        return reply(e.replyTo(), Outcome.ok(accepted));
    }

    private Behavior<Command> onInterrupt(Interrupt i) {
        Sequencer.Cut cut = playout.interrupt();
        cut.droppedIds().forEach(id -> events.publish(SessionEvents.Event.segment("segment-dropped", id)));
        chunker.tell(
                new AudioChunker.CutAt(settings.fps().sampleIndexAtFrame(cut.cutAtTick(), AudioChunks.SAMPLE_RATE)));
        if (cut.cutId() != null) {
            // The cut segment's audio already released to the pacer (up to release-ahead plus a tick)
            // falls silent now instead of playing on.
            peer.tell(new ViewerGroup.SilenceUnpushed(playout.release().chunksReleased()));
        }
        Metrics.SEGMENTS_DROPPED.inc(cut.droppedIds().size() + (cut.cutId() != null ? 1 : 0));
        log(PlayoutLog.interrupted(cut));
        return reply(i.replyTo(), Outcome.ok(Interrupted.of(cut, settings.fps())));
    }

    private Behavior<Command> onSetIdle(SetIdle set) {
        Segment loop = set.loop();
        ApiError refused = admission.refuseIdleLoop(loop);
        if (refused != null) {
            return reply(set.replyTo(), Outcome.failed(refused));
        }
        playout.setIdle(loop);
        log(PlayoutLog.idleSet(loop, settings.fps()));
        return reply(set.replyTo(), Outcome.ok(IdleAccepted.of(loop, settings.fps())));
    }

    private Behavior<Command> onClearIdle(ClearIdle clear) {
        String cleared = playout.clearIdle();
        if (cleared != null) {
            log(PlayoutLog.idleCleared(cleared));
        }
        return reply(clear.replyTo(), Done.getInstance());
    }

    private Behavior<Command> onGetStatus(GetStatus g) {
        return reply(
                g.replyTo(),
                SessionStatus.of(settings, playout, viewersConnected, viewersTotal, reanchors, pushStats.snapshot()));
    }

    private Behavior<Command> onQueueStream(QueueStream q) {
        playout.enqueue(q.live());
        log(PlayoutLog.streamQueued(q.live()));
        StreamOpened o = q.opened();
        events.publish(
                SessionEvents.Event.segment("segment-queued", o.segmentId()).withQueuePosition(playout.queued()));
        return reply(
                q.replyTo(), Outcome.ok(new StreamOpened(o.segmentId(), playout.queued(), o.leadMs(), o.bufferMs())));
    }

    /** Logs one of {@link PlayoutLog}'s lines about this session. */
    private void log(String line) {
        getContext().getLog().info("session {}: {}", settings.sessionId(), line);
    }

    private <T> Behavior<Command> reply(ActorRef<T> to, T message) {
        to.tell(message);
        return this;
    }
}
