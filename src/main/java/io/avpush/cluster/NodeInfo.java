package io.avpush.cluster;

import io.avpush.session.SessionRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.pattern.Patterns;

/**
 * Tells other nodes about this one: its tag, address, HTTP URL and live sessions (its load, for
 * placing new sessions). Registered with the receptionist, so every node finds every other, but
 * only once this node's session shard region is registered with the shard coordinator: a node
 * placed on before that would have its shard allocated elsewhere, for good (no rebalance).
 */
public final class NodeInfo {

    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "avpush-node");

    public sealed interface Command extends CborSerializable {}

    public record GetReport(ActorRef<Report> replyTo) implements Command {}

    /** A node as others see it; {@code sessions} are the ids of its live sessions. */
    public record Report(String tag, String address, String httpUrl, List<String> sessions)
            implements CborSerializable {}

    private enum CheckRegion implements Command {
        INSTANCE
    }

    /** Whether the local region has a coordinator (the region only learns it when registered). */
    private record RegionRegistered(boolean registered) implements Command {}

    private static final Duration CHECK_EVERY = Duration.ofMillis(500);

    private NodeInfo() {}

    /** @param region this node's classic shard region of {@link SessionEntity} */
    public static Behavior<Command> create(
            String tag,
            String address,
            String httpUrl,
            ActorRef<SessionRegistry.Command> registry,
            org.apache.pekko.actor.ActorRef region,
            Duration timeout) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(CheckRegion.INSTANCE, CHECK_EVERY);
            return Behaviors.receive(Command.class)
                    .onMessage(GetReport.class, g -> report(ctx, g, tag, address, httpUrl, registry, timeout))
                    .onMessageEquals(CheckRegion.INSTANCE, () -> {
                        ctx.pipeToSelf(
                                Patterns.ask(region, ShardRegion.getCurrentRegionsInstance(), CHECK_EVERY),
                                (reply, failure) ->
                                        new RegionRegistered(reply instanceof ShardRegion.CurrentRegions regions
                                                && !regions.getRegions().isEmpty()));
                        return Behaviors.same();
                    })
                    .onMessage(RegionRegistered.class, r -> {
                        if (!r.registered()) {
                            return Behaviors.same();
                        }
                        timers.cancel(CheckRegion.INSTANCE);
                        ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
                        ctx.getLog().info("node {} takes sessions: its shard region is registered", tag);
                        return Behaviors.receive(Command.class)
                                .onMessage(
                                        GetReport.class, g -> report(ctx, g, tag, address, httpUrl, registry, timeout))
                                .build();
                    })
                    .build();
        }));
    }

    private static Behavior<Command> report(
            ActorContext<Command> ctx,
            GetReport g,
            String tag,
            String address,
            String httpUrl,
            ActorRef<SessionRegistry.Command> registry,
            Duration timeout) {
        AskPattern.<SessionRegistry.Command, List<String>>ask(
                        registry,
                        SessionRegistry.ListSessions::new,
                        timeout,
                        ctx.getSystem().scheduler())
                .thenAccept(ids -> g.replyTo().tell(new Report(tag, address, httpUrl, ids)));
        return Behaviors.same();
    }
}
