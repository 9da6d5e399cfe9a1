package io.avpush.session;

import io.avpush.config.LimitSettings;
import io.avpush.config.MediaSettings;
import io.avpush.config.StreamSettings;
import io.avpush.media.FrameRate;
import io.avpush.metrics.Metrics;
import io.avpush.pacing.Pacer;
import io.avpush.playout.SessionEvents;
import io.avpush.playout.UploadedMedia;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One stream: owns its actor tree (loader, chunker, frame clock, sync supervisor, stream intake,
 * viewers; spawned and wired by {@link SessionChildren}) and its lifecycle, and routes the API's
 * commands to the child that handles them. Stopping it stops the tree, and the viewers free every
 * native resource.
 */
public final class Session extends AbstractBehavior<Session.Command> {

    public sealed interface Command {}

    public record Offer(String sdp, ActorRef<Outcome<SessionReplies.Answer>> replyTo) implements Command {}

    public record Upload(UploadedMedia upload, ActorRef<Outcome<SessionReplies.SegmentAccepted>> replyTo)
            implements Command {}

    public record PlayDemo(double seconds, ActorRef<Outcome<SessionReplies.SegmentAccepted>> replyTo)
            implements Command {}

    public record Interrupt(ActorRef<Outcome<SessionReplies.Interrupted>> replyTo) implements Command {}

    public record GetStatus(ActorRef<SessionStatus> replyTo) implements Command {}

    /** {@code PUT /api/sessions/{id}/idle}: decodes the upload and makes it the idle loop. */
    public record SetIdle(UploadedMedia upload, ActorRef<Outcome<SessionReplies.IdleAccepted>> replyTo)
            implements Command {}

    public record ClearIdle(ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

    public record DisconnectViewer(String viewerId, ActorRef<Outcome<Boolean>> replyTo) implements Command {}

    /** Queues a streamed segment carrying audio and/or video; its media follows in {@link StreamAppend}. */
    public record OpenStream(boolean audio, boolean video, ActorRef<Outcome<SessionReplies.StreamOpened>> replyTo)
            implements Command, StreamIntake.Command {}

    /**
     * Media of a streamed segment: 48 kHz audio (or null) and/or an I420 frame (or null) at
     * {@code frameTsSamples} of the segment.
     */
    public record StreamAppend(
            String segmentId,
            short[] pcm48k,
            byte[] frameI420,
            long frameTsSamples,
            ActorRef<Outcome<SessionReplies.StreamCredit>> replyTo)
            implements Command, StreamIntake.Command {}

    /** Replies once the streamed segment holds no more than the buffer limit unplayed. */
    public record AwaitRoom(String segmentId, ActorRef<Outcome<SessionReplies.StreamCredit>> replyTo)
            implements Command, StreamIntake.Command {}

    /** No more media for the streamed segment: it plays to the end of what arrived. */
    public record CloseStream(String segmentId, ActorRef<Outcome<SessionReplies.StreamClosed>> replyTo)
            implements Command, StreamIntake.Command {}

    /** The session's event feed, to subscribe to. */
    public record GetEvents(ActorRef<SessionEvents> replyTo) implements Command {}

    public enum Stop implements Command {
        INSTANCE
    }

    private record ViewersRelay(SyncSupervisor.ViewersChanged change) implements Command {}

    private enum IdleCheck implements Command {
        INSTANCE
    }

    /** What a session is: its id, frame rate and picture size. */
    public record Spec(String id, FrameRate fps, int width, int height) {}

    /** What a session is built from; tests put fakes in. */
    public record Deps(
            Transport.Factory outputs,
            Pacer pacer,
            LongSupplier clockNs,
            Executor decodeExecutor,
            MediaSettings media,
            LimitSettings limits,
            StreamSettings stream) {
        public Deps(
                Transport.Factory outputs,
                Pacer pacer,
                LongSupplier clockNs,
                Executor decodeExecutor,
                MediaSettings media,
                LimitSettings limits) {
            this(outputs, pacer, clockNs, decodeExecutor, media, limits, StreamSettings.DEFAULTS);
        }
    }

    private final Spec spec;
    private final ActorRef<SegmentLoader.Command> loader;
    private final ActorRef<SyncSupervisor.Command> sync;
    private final ActorRef<StreamIntake.Command> intake;
    private final ActorRef<ViewerGroup.Command> peer;
    private final LongSupplier clockNs;
    private final SessionEvents events = new SessionEvents();
    private final long idleTimeoutNs;
    private long lastActivityNs;
    private int viewersConnected;

    public static Behavior<Command> create(Spec spec, Deps deps) {
        return tagged(
                Command.class,
                spec.id(),
                Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
                    Duration idle = deps.limits().idleTimeout();
                    Duration every = idle.dividedBy(4).compareTo(Duration.ofSeconds(10)) < 0
                            ? idle.dividedBy(4)
                            : Duration.ofSeconds(10);
                    timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, every);
                    return new Session(ctx, spec, deps);
                })));
    }

    /** The actors that release media to the pacer run on avpush-media-dispatcher (see reference.conf). */
    public static final DispatcherSelector MEDIA = DispatcherSelector.fromConfig("avpush-media-dispatcher");

    /**
     * Every log line of a session's actors carries its id as the MDC key {@code sessionId}
     * (logback.xml prints it), whatever the message says.
     */
    static <T> Behavior<T> tagged(Class<T> protocol, String sessionId, Behavior<T> behavior) {
        return Behaviors.withMdc(protocol, Map.of("sessionId", sessionId), behavior);
    }

    private Session(ActorContext<Command> context, Spec spec, Deps deps) {
        super(context);
        this.spec = spec;
        this.clockNs = deps.clockNs();
        this.idleTimeoutNs = deps.limits().idleTimeout().toNanos();
        this.lastActivityNs = clockNs.getAsLong();
        ActorRef<SyncSupervisor.ViewersChanged> viewers =
                context.messageAdapter(SyncSupervisor.ViewersChanged.class, ViewersRelay::new);
        SessionChildren children = SessionChildren.spawn(context, spec, deps, events, viewers);
        this.peer = children.peer();
        this.loader = children.loader();
        this.sync = children.sync();
        this.intake = children.intake();
        Metrics.SESSIONS.inc();
        context.getLog()
                .info("session {} started: {}x{} at {} fps", spec.id(), spec.width(), spec.height(), spec.fps());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Offer.class, o -> active(peer, new ViewerGroup.Connect(o.sdp(), o.replyTo())))
                .onMessage(Upload.class, u -> active(loader, new SegmentLoader.Load(u.upload(), u.replyTo())))
                .onMessage(PlayDemo.class, d -> active(loader, new SegmentLoader.LoadDemo(d.seconds(), d.replyTo())))
                .onMessage(Interrupt.class, i -> active(sync, new SyncSupervisor.Interrupt(i.replyTo())))
                .onMessage(GetStatus.class, g -> active(sync, new SyncSupervisor.GetStatus(g.replyTo())))
                .onMessage(SetIdle.class, i -> active(loader, new SegmentLoader.LoadIdle(i.upload(), i.replyTo())))
                .onMessage(ClearIdle.class, c -> active(sync, new SyncSupervisor.ClearIdle(c.replyTo())))
                .onMessage(
                        DisconnectViewer.class,
                        d -> active(peer, new ViewerGroup.Disconnect(d.viewerId(), d.replyTo())))
                .onMessage(OpenStream.class, o -> active(intake, o))
                .onMessage(StreamAppend.class, a -> active(intake, a))
                .onMessage(AwaitRoom.class, w -> active(intake, w))
                .onMessage(CloseStream.class, c -> active(intake, c))
                .onMessage(GetEvents.class, g -> active(g.replyTo(), events))
                .onMessage(ViewersRelay.class, this::onViewersChanged)
                .onMessageEquals(IdleCheck.INSTANCE, this::onIdleCheck)
                .onMessageEquals(Stop.INSTANCE, this::onStop)
                .onSignal(PostStop.class, s -> onPostStop())
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
            getContext()
                    .getLog()
                    .info(
                            "session {} ends: no viewer and no API call for {} s (avpush.limits.idle-timeout)",
                            spec.id(),
                            idleNs / 1_000_000_000L);
            return Behaviors.stopped();
        }
        return this;
    }

    /** Ends the event feed (SSE streams complete with "session-ended") and counts the session out. */
    private Behavior<Command> onPostStop() {
        Metrics.SESSIONS.dec();
        events.end();
        return this;
    }

    private Behavior<Command> onStop() {
        getContext().getLog().info("session {} stopped", spec.id());
        return Behaviors.stopped();
    }
}
