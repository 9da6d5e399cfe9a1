package io.avpush.app;

import io.avpush.cluster.ClusterNode;
import io.avpush.config.AvpushSettings;
import io.avpush.config.ClusterSettings;
import io.avpush.http.ApiRoutes;
import io.avpush.http.JsonParsingErrorHandler;
import io.avpush.http.NodeRoutes;
import io.avpush.pacing.Pacer;
import io.avpush.session.Session;
import io.avpush.session.SessionRegistry;
import io.avpush.session.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;

/**
 * Composition root: the session registry (in cluster mode, session sharding and the cluster-wide
 * registry over it), the routes, the HTTP binding.
 */
public final class Guardian {

    private Guardian() {}

    /** A node whose native resources are freed by the caller. */
    public static Behavior<Void> create(AvpushSettings settings, Transport.Factory outputs, Pacer pacer) {
        return create(settings, outputs, pacer, () -> {});
    }

    /**
     * @param closeNatives frees the node's native resources (WebRTC engine, pacer); run by
     *     CoordinatedShutdown after every session has stopped, before the actor system terminates
     */
    public static Behavior<Void> create(
            AvpushSettings settings, Transport.Factory outputs, Pacer pacer, Runnable closeNatives) {
        return Behaviors.setup(ctx -> {
            Executor decode =
                    ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("avpush-blocking-dispatcher"));
            Session.Deps deps = new Session.Deps(
                    outputs, pacer, System::nanoTime, decode, settings.media(), settings.limits(), settings.stream());
            ActorRef<SessionRegistry.Command> registry = ctx.spawn(SessionRegistry.create(deps), "sessions");
            ClusterSettings clusterSettings =
                    ClusterSettings.from(ctx.getSystem().settings().config());
            Optional<ClusterNode> cluster = clusterSettings.enabled()
                    ? Optional.of(ClusterNode.start(
                            ctx, registry, clusterSettings, settings.http().askTimeout()))
                    : Optional.empty();
            ApiRoutes routes = new ApiRoutes(
                    ctx.getSystem(),
                    cluster.map(ClusterNode::sessions).orElse(registry),
                    settings,
                    outputs.frameConverter());
            CoordinatedShutdown.get(ctx.getSystem())
                    .addTask(
                            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
                            "stop-sessions-and-free-natives",
                            () -> AskPattern.<SessionRegistry.Command, Done>ask(
                                            registry,
                                            SessionRegistry.StopAll::new,
                                            Duration.ofSeconds(10),
                                            ctx.getSystem().scheduler())
                                    .handle((done, failure) -> {
                                        closeNatives.run();
                                        return Done.getInstance();
                                    }));
            Http.get(ctx.getSystem())
                    .newServerAt(settings.http().host(), settings.http().port())
                    // Set here, not in reference.conf: the shaded jar appends Pekko's reference.conf after ours.
                    .adaptSettings(s -> s.withParsingErrorHandler(JsonParsingErrorHandler.class.getName()))
                    .bind(new NodeRoutes(ctx.getSystem(), cluster, routes.auth()).around(routes.routes()))
                    .whenComplete((binding, failure) -> {
                        if (failure != null) {
                            ctx.getSystem()
                                    .log()
                                    .error(
                                            "cannot listen on {}:{}: {}",
                                            settings.http().host(),
                                            settings.http().port(),
                                            failure.toString());
                            ctx.getSystem().terminate();
                        } else {
                            binding.addToCoordinatedShutdown(Duration.ofSeconds(5), ctx.getSystem());
                            ctx.getSystem()
                                    .log()
                                    .info(
                                            "avpush listening on http://{}:{}/ (demo page at /)",
                                            binding.localAddress().getHostString(),
                                            binding.localAddress().getPort());
                            List<String> addresses = NetworkHint.mediaAddresses();
                            String hint = NetworkHint.describe(
                                            addresses,
                                            settings.webrtc()
                                                    .iceServersAt(java.time.Instant.now())
                                                    .size())
                                    .replace(
                                            ":PORT/",
                                            ":" + binding.localAddress().getPort() + "/");
                            if (addresses.isEmpty()) {
                                ctx.getSystem().log().warn(hint);
                            } else {
                                ctx.getSystem().log().info(hint);
                            }
                        }
                    });
            return Behaviors.empty();
        });
    }
}
