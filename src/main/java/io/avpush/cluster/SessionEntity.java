package io.avpush.cluster;

import io.avpush.api.ApiError;
import io.avpush.session.Outcome;
import io.avpush.session.Session;
import io.avpush.session.SessionRegistry;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A session as a Cluster Sharding entity: it lives on the node that serves the session (the node
 * its id's tag names), creates the session's actor tree through that node's
 * {@link SessionRegistry} (which keeps the node's limits and stops every session at shutdown),
 * tells any node where the session's actor is, and ends with the session.
 *
 * <p>Sharding starts an entity for any message, so an entity that was never created answers "not
 * here" and passivates: a request for an ended session, or one of a node that is gone, gets a
 * 404/410 rather than a new session. Automatic passivation is off for this entity type (a live
 * peer connection cannot be restored); the stop message comes only when the node leaves the
 * cluster (hand-off), and then the session ends.
 */
public final class SessionEntity extends AbstractBehavior<SessionEntity.Command> {

    public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "session");

    public sealed interface Command extends CborSerializable {}

    /** Makes the session; null fields take the serving node's defaults. */
    public record Create(String fps, Integer width, Integer height, ActorRef<Outcome<SessionRegistry.Created>> replyTo)
            implements Command {}

    /** Where the session's actor is; {@code session} is null if there is no such session. */
    public record Locate(ActorRef<Located> replyTo) implements Command {}

    public record Located(ActorRef<Session.Command> session) implements CborSerializable {}

    /** Ends the session; replies whether there was one. */
    public record Delete(ActorRef<Boolean> replyTo) implements Command {}

    /** The stop message of the entity type: the shard hands off (node leaving) or passivates it. */
    public enum Stop implements Command {
        INSTANCE
    }

    private record WrappedSpawned(
            Outcome<SessionRegistry.Spawned> outcome,
            Throwable failure,
            ActorRef<Outcome<SessionRegistry.Created>> replyTo)
            implements Command {}

    private enum SessionEnded implements Command {
        INSTANCE
    }

    private final String sessionId;
    private final ActorRef<SessionRegistry.Command> registry;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final java.time.Duration timeout;
    private ActorRef<Session.Command> session;
    private boolean creating;

    public static Behavior<Command> create(
            String sessionId,
            ActorRef<SessionRegistry.Command> registry,
            ActorRef<ClusterSharding.ShardCommand> shard,
            java.time.Duration timeout) {
        return Behaviors.setup(ctx -> new SessionEntity(ctx, sessionId, registry, shard, timeout));
    }

    private SessionEntity(
            ActorContext<Command> context,
            String sessionId,
            ActorRef<SessionRegistry.Command> registry,
            ActorRef<ClusterSharding.ShardCommand> shard,
            java.time.Duration timeout) {
        super(context);
        this.sessionId = sessionId;
        this.registry = registry;
        this.shard = shard;
        this.timeout = timeout;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Create.class, this::onCreate)
                .onMessage(WrappedSpawned.class, this::onSpawned)
                .onMessage(Locate.class, this::onLocate)
                .onMessage(Delete.class, this::onDelete)
                .onMessageEquals(SessionEnded.INSTANCE, this::onSessionEnded)
                .onMessageEquals(Stop.INSTANCE, this::onStop)
                .build();
    }

    private Behavior<Command> onCreate(Create c) {
        if (session != null || creating) {
            c.replyTo().tell(Outcome.failed(ApiError.badRequest("session " + sessionId + " exists already")));
            return this;
        }
        creating = true;
        getContext()
                .<SessionRegistry.Command, Outcome<SessionRegistry.Spawned>>ask(
                        outcomeClass(),
                        registry,
                        timeout,
                        r -> new SessionRegistry.CreateWithId(sessionId, c.fps(), c.width(), c.height(), r),
                        (outcome, failure) -> new WrappedSpawned(outcome, failure, c.replyTo()));
        return this;
    }

    private Behavior<Command> onSpawned(WrappedSpawned w) {
        creating = false;
        if (w.outcome() instanceof Outcome.Ok<SessionRegistry.Spawned> ok) {
            session = ok.value().session();
            getContext().watchWith(session, SessionEnded.INSTANCE);
            w.replyTo().tell(Outcome.ok(ok.value().created()));
            return this;
        }
        w.replyTo()
                .tell(
                        w.outcome() instanceof Outcome.Failed<SessionRegistry.Spawned> failed
                                ? Outcome.failed(failed.error())
                                : Outcome.failed(ApiError.unavailable(
                                        "the node did not start session " + sessionId + ": " + w.failure())));
        return passivate();
    }

    private Behavior<Command> onLocate(Locate l) {
        l.replyTo().tell(new Located(session));
        return session == null && !creating ? passivate() : this;
    }

    private Behavior<Command> onDelete(Delete d) {
        if (session == null) {
            d.replyTo().tell(false);
            return creating ? this : passivate();
        }
        registry.tell(new SessionRegistry.Delete(sessionId, d.replyTo()));
        return this;
    }

    private Behavior<Command> onSessionEnded() {
        session = null;
        return passivate();
    }

    private Behavior<Command> onStop() {
        if (session != null) {
            getContext()
                    .getLog()
                    .info("session {} ends: its entity is stopped (this node is leaving the cluster)", sessionId);
            registry.tell(new SessionRegistry.Delete(
                    sessionId, getContext().getSystem().ignoreRef()));
        }
        return Behaviors.stopped();
    }

    /** Asks the shard to stop this entity; messages that arrive meanwhile go to the next incarnation. */
    private Behavior<Command> passivate() {
        shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
        return this;
    }

    @SuppressWarnings("unchecked")
    private static Class<Outcome<SessionRegistry.Spawned>> outcomeClass() {
        return (Class<Outcome<SessionRegistry.Spawned>>) (Class<?>) Outcome.class;
    }
}
