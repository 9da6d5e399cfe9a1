package io.avpush.session;

import io.avpush.config.LimitSettings;
import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.media.I420;
import io.avpush.pacing.PushStats;
import io.avpush.playout.SessionEvents;
import io.avpush.playout.TickPolicy;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The children a {@link Session} is made of, and how they are wired: the viewers ({@link ViewerGroup},
 * named "peer"), the {@link AudioChunker} that feeds them, the {@link SyncSupervisor} that drives both,
 * the {@link StreamIntake} and the {@link SegmentLoader} that feed the supervisor, and the frame clock
 * ({@link VideoTicker}) that wakes it. Each is made with its settings, derived here from the session's
 * {@link Session.Spec} and {@link Session.Deps}; each is watched by the session, and its log lines
 * carry the session's id. The session routes its commands to the four it keeps.
 */
record SessionChildren(
        ActorRef<ViewerGroup.Command> peer,
        ActorRef<SegmentLoader.Command> loader,
        ActorRef<SyncSupervisor.Command> sync,
        ActorRef<StreamIntake.Command> intake) {

    /**
     * Spawns the children of the session {@code spec} describes in {@code context} (the session's).
     *
     * @param events the session's event feed: the supervisor and the viewers publish to it, the transport sends it
     * @param viewers where the viewers report their count (the session, which tells the supervisor)
     */
    static SessionChildren spawn(
            ActorContext<?> context,
            Session.Spec spec,
            Session.Deps deps,
            SessionEvents events,
            ActorRef<SyncSupervisor.ViewersChanged> viewers) {
        String id = spec.id();
        FrameRate fps = spec.fps();
        LimitSettings limits = deps.limits();
        Spawner spawner = new Spawner(context, id);
        PushStats pushStats = new PushStats();
        Transport output = deps.outputs().create(id);
        ActorRef<ViewerGroup.Command> peer = spawner.spawn(
                "peer",
                ViewerGroup.Command.class,
                Session.MEDIA,
                ViewerGroup.create(
                        id,
                        output,
                        deps.pacer(),
                        pushStats,
                        viewers,
                        limits.disconnectedTimeout(),
                        limits.connectTimeout(),
                        limits.maxViewersPerSession(),
                        events));
        events.subscribe(output::sendEvent);
        ActorRef<AudioChunker.Command> chunker =
                spawner.spawn("chunker", AudioChunker.Command.class, Session.MEDIA, AudioChunker.create(peer));
        long maxQueuedTicks = fps.frameIndexAtNs(limits.maxQueuedDuration().toNanos());
        byte[] neutral = I420.solid(spec.width(), spec.height(), 16, 16, 16);
        SyncSupervisor.Settings settings = new SyncSupervisor.Settings(
                id, fps, spec.width(), spec.height(), maxQueuedTicks, limits.maxQueuedBytes(), neutral);
        ActorRef<SyncSupervisor.Command> sync = spawner.spawn(
                "sync",
                SyncSupervisor.Command.class,
                Session.MEDIA,
                SyncSupervisor.create(settings, chunker, peer, pushStats, events));
        LiveStreams streams = new LiveStreams(
                deps.stream(),
                fps.sampleIndexAtFrame(1, AudioChunks.SAMPLE_RATE),
                limits.maxSegmentDuration(),
                limits.maxQueuedBytes());
        ActorRef<StreamIntake.Command> intake = spawner.spawn(
                "intake",
                StreamIntake.Command.class,
                Session.MEDIA,
                StreamIntake.create(id, streams, sync, Duration.ofNanos(fps.frameStartNs(1))));
        ActorRef<SegmentLoader.Command> loader = spawner.spawn(
                "loader",
                SegmentLoader.Command.class,
                Props.empty(),
                SegmentLoader.create(
                        id,
                        fps,
                        spec.width(),
                        spec.height(),
                        limits.maxSegmentDuration().toNanos(),
                        deps.media().backgroundRgb(),
                        deps.decodeExecutor(),
                        deps.outputs().frameConverter(),
                        sync));
        TickPolicy policy = new TickPolicy(
                fps,
                deps.media().releaseAhead().toNanos(),
                deps.media().maxCatchUp().toNanos());
        spawner.spawn(
                "ticker",
                VideoTicker.Command.class,
                Session.MEDIA,
                VideoTicker.create(policy, deps.clockNs(), deps.pacer(), sync));
        return new SessionChildren(peer, loader, sync, intake);
    }

    /** Spawns a session's children in its context: each watched, its log lines tagged with the session's id. */
    private record Spawner(ActorContext<?> context, String sessionId) {

        <T> ActorRef<T> spawn(String name, Class<T> protocol, Props props, Behavior<T> behavior) {
            ActorRef<T> child = context.spawn(Session.tagged(protocol, sessionId, behavior), name, props);
            context.watch(child);
            return child;
        }
    }
}
