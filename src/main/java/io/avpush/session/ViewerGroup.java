package io.avpush.session;

import io.avpush.api.ApiError;
import io.avpush.api.Failures;
import io.avpush.metrics.Metrics;
import io.avpush.pacing.Pacer;
import io.avpush.pacing.PushStats;
import io.avpush.playout.SessionEvents;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The session's only door to the transport ({@link Transport}): answers viewers' offers, tracks
 * their state, and hands released frames and chunks to the pacer, which pushes each at its
 * deadline ({@link PushPath}). Its viewers' books (states, joined and left, their counts) are
 * a {@link ViewerRoster}. Stopping the actor frees every native resource of the session.
 */
public final class ViewerGroup extends AbstractBehavior<ViewerGroup.Command> {

    public sealed interface Command {}

    public record PushFrame(long frameIndex, byte[] i420, int width, int height, long deadlineNs) implements Command {}

    public record PushAudio(long chunkIndex, short[] pcm, int offset, long deadlineNs) implements Command {}

    /**
     * An interrupt: chunks before {@code chunkIndex} that the pacer has not pushed yet are pushed as
     * silence (they were released ahead of their deadlines; later ones are cut where they are made).
     */
    public record SilenceUnpushed(long chunkIndex) implements Command {}

    /** Publishes {@code events} at the push of frame {@code frameIndex} (sent just before its PushFrame). */
    public record PublishAtPush(long frameIndex, List<SessionEvents.Event> events) implements Command {}

    public record Connect(String offerSdp, ActorRef<Outcome<SessionReplies.Answer>> replyTo) implements Command {}

    public record Disconnect(String viewerId, ActorRef<Outcome<Boolean>> replyTo) implements Command {}

    private record WrappedAnswer(
            String viewerId, String sdp, Throwable failure, ActorRef<Outcome<SessionReplies.Answer>> replyTo)
            implements Command {}

    private record ViewerStateChanged(String viewerId, Transport.ViewerState state) implements Command {}

    private record DisconnectedTooLong(String viewerId) implements Command {}

    private record NotConnectedInTime(String viewerId) implements Command {}

    private final String sessionId;
    private final Transport output;
    private final PushPath pushes;
    private final ViewerRoster viewers;
    private final TimerScheduler<Command> timers;
    private final Duration disconnectedTimeout;
    private final Duration connectTimeout;

    /**
     * @param disconnectedTimeout a viewer that stays DISCONNECTED this long (its tab closed, its
     *     network gone) is dropped and its peer connection freed
     * @param connectTimeout a viewer not connected this long after its answer (ICE never completes:
     *     its peer went away or no candidate pair works) is dropped and its peer connection freed
     * @param maxViewers viewers served at once; the next offer gets 503
     */
    public static Behavior<Command> create(
            String sessionId,
            Transport output,
            Pacer pacer,
            PushStats stats,
            ActorRef<SyncSupervisor.ViewersChanged> viewersListener,
            Duration disconnectedTimeout,
            Duration connectTimeout,
            int maxViewers,
            SessionEvents events) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ViewerGroup(
                ctx,
                timers,
                sessionId,
                output,
                new PushPath(output, pacer, stats, events),
                new ViewerRoster(sessionId, maxViewers, events, viewersListener),
                disconnectedTimeout,
                connectTimeout)));
    }

    private ViewerGroup(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            String sessionId,
            Transport output,
            PushPath pushes,
            ViewerRoster viewers,
            Duration disconnectedTimeout,
            Duration connectTimeout) {
        super(context);
        this.timers = timers;
        this.sessionId = sessionId;
        this.output = output;
        this.pushes = pushes;
        this.viewers = viewers;
        this.disconnectedTimeout = disconnectedTimeout;
        this.connectTimeout = connectTimeout;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(PushFrame.class, this::onPushFrame)
                .onMessage(PushAudio.class, this::onPushAudio)
                .onMessage(SilenceUnpushed.class, this::onSilenceUnpushed)
                .onMessage(PublishAtPush.class, this::onPublishAtPush)
                .onMessage(Connect.class, this::onConnect)
                .onMessage(WrappedAnswer.class, this::onAnswer)
                .onMessage(ViewerStateChanged.class, this::onViewerState)
                .onMessage(Disconnect.class, this::onDisconnect)
                .onMessage(DisconnectedTooLong.class, this::onDisconnectedTooLong)
                .onMessage(NotConnectedInTime.class, this::onNotConnectedInTime)
                .onSignal(PostStop.class, s -> onPostStop())
                .build();
    }

    private Behavior<Command> onPushFrame(PushFrame f) {
        pushes.frame(f);
        return this;
    }

    private Behavior<Command> onPublishAtPush(PublishAtPush p) {
        pushes.publishAtPush(p);
        return this;
    }

    private Behavior<Command> onPushAudio(PushAudio a) {
        pushes.audio(a);
        return this;
    }

    private Behavior<Command> onSilenceUnpushed(SilenceUnpushed s) {
        pushes.silenceBelow(s.chunkIndex());
        return this;
    }

    private Behavior<Command> onConnect(Connect c) {
        String notSdp = OfferCheck.notSdp(c.offerSdp());
        if (notSdp != null) {
            // Before the limit: a pending offer holds a viewer slot until it is answered, so garbage
            // sent in a burst filled the limit (ApiFuzzTest: 503 "already serves 16 viewers" for it).
            c.replyTo().tell(Outcome.failed(ApiError.badRequest(notSdp)));
            return this;
        }
        String full = viewers.full();
        if (full != null) {
            c.replyTo().tell(Outcome.failed(ApiError.unavailable(full)));
            return this;
        }
        String viewerId = viewers.add();
        ActorRef<Command> self = getContext().getSelf();
        getContext()
                .pipeToSelf(
                        output.connect(
                                viewerId, c.offerSdp(), (id, state) -> self.tell(new ViewerStateChanged(id, state))),
                        (sdp, failure) -> new WrappedAnswer(viewerId, sdp, failure, c.replyTo()));
        return this;
    }

    private Behavior<Command> onAnswer(WrappedAnswer a) {
        if (a.failure() == null) {
            getContext().getLog().info("session {}: viewer {} answered", sessionId, a.viewerId());
            if (viewers.state(a.viewerId()) != Transport.ViewerState.CONNECTED) {
                timers.startSingleTimer(
                        connectTimerKey(a.viewerId()), new NotConnectedInTime(a.viewerId()), connectTimeout);
            }
            a.replyTo().tell(Outcome.ok(new SessionReplies.Answer(a.viewerId(), a.sdp())));
            return this;
        }
        viewers.remove(a.viewerId());
        Throwable cause = Failures.cause(a.failure());
        if (cause instanceof OfferRejectedException) {
            a.replyTo().tell(Outcome.failed(ApiError.badRequest(cause.getMessage())));
        } else {
            getContext().getLog().error("session {}: answering viewer {} failed", sessionId, a.viewerId(), cause);
            a.replyTo()
                    .tell(Outcome.failed(new ApiError(500, "webrtc_failed", "could not answer the offer: " + cause)));
        }
        viewers.report();
        return this;
    }

    private Behavior<Command> onViewerState(ViewerStateChanged s) {
        if (!viewers.contains(s.viewerId())) {
            return this;
        }
        getContext().getLog().info("session {}: viewer {} is {}", sessionId, s.viewerId(), s.state());
        if (s.state() == Transport.ViewerState.CLOSED || s.state() == Transport.ViewerState.FAILED) {
            Metrics.VIEWERS_DROPPED
                    .labelValues(s.state().name().toLowerCase(java.util.Locale.ROOT))
                    .inc();
            viewers.remove(s.viewerId());
            viewers.left(s.viewerId());
            output.disconnect(s.viewerId());
        } else if (viewers.update(s.viewerId(), s.state())) {
            timers.cancel(connectTimerKey(s.viewerId())); // it has just connected
        }
        if (s.state() == Transport.ViewerState.DISCONNECTED) {
            timers.startSingleTimer(s.viewerId(), new DisconnectedTooLong(s.viewerId()), disconnectedTimeout);
        } else {
            timers.cancel(s.viewerId());
        }
        viewers.report();
        return this;
    }

    private Behavior<Command> onDisconnect(Disconnect d) {
        Transport.ViewerState was = viewers.remove(d.viewerId());
        boolean known = was != null;
        viewers.left(d.viewerId());
        if (known) {
            output.disconnect(d.viewerId());
            viewers.report();
        }
        d.replyTo().tell(Outcome.ok(known));
        return this;
    }

    private Behavior<Command> onDisconnectedTooLong(DisconnectedTooLong d) {
        if (viewers.state(d.viewerId()) == Transport.ViewerState.DISCONNECTED) {
            getContext()
                    .getLog()
                    .info(
                            "session {}: viewer {} disconnected for {} s; dropping it",
                            sessionId,
                            d.viewerId(),
                            disconnectedTimeout.toSeconds());
            Metrics.VIEWERS_DROPPED.labelValues("disconnected_timeout").inc();
            viewers.remove(d.viewerId());
            viewers.left(d.viewerId());
            output.disconnect(d.viewerId());
            viewers.report();
        }
        return this;
    }

    private Behavior<Command> onNotConnectedInTime(NotConnectedInTime n) {
        // The timer is cancelled when the viewer first connects: a viewer still here never did
        // (libwebrtc may have moved it from CONNECTING to DISCONNECTED meanwhile).
        if (viewers.contains(n.viewerId())) {
            getContext()
                    .getLog()
                    .info(
                            "session {}: viewer {} did not connect within {} ms of its answer "
                                    + "(avpush.limits.connect-timeout); dropping it",
                            sessionId,
                            n.viewerId(),
                            connectTimeout.toMillis());
            Metrics.VIEWERS_DROPPED.labelValues("connect_timeout").inc();
            viewers.remove(n.viewerId());
            output.disconnect(n.viewerId());
            viewers.report();
        }
        return this;
    }

    private static String connectTimerKey(String viewerId) {
        return "connect:" + viewerId;
    }

    private Behavior<Command> onPostStop() {
        viewers.close();
        output.close();
        return this;
    }
}
