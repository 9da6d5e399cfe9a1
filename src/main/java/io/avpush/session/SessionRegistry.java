package io.avpush.session;

import io.avpush.api.ApiError;
import io.avpush.config.MediaSettings;
import io.avpush.media.FrameRate;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The sessions of this node: creates them (within the node's limit), finds them by id and ends
 * them. A session that stops for any reason is forgotten, so its id then answers 404.
 */
public final class SessionRegistry extends AbstractBehavior<SessionRegistry.Command> {

    public sealed interface Command {}

    /** A new session; null fields take the configured defaults. */
    public record Create(String fps, Integer width, Integer height, ActorRef<Outcome<Created>> replyTo)
            implements Command {}

    /**
     * A new session under an id the caller chose (a cluster sharding entity); the reply also holds
     * the session's actor, so the caller can watch it.
     */
    public record CreateWithId(
            String sessionId, String fps, Integer width, Integer height, ActorRef<Outcome<Spawned>> replyTo)
            implements Command {}

    public record Find(String sessionId, ActorRef<Optional<ActorRef<Session.Command>>> replyTo) implements Command {}

    public record Delete(String sessionId, ActorRef<Boolean> replyTo) implements Command {}

    public record ListSessions(ActorRef<List<String>> replyTo) implements Command {}

    /** Stops every session (node shutdown); replies once all have stopped and freed their natives. */
    public record StopAll(ActorRef<org.apache.pekko.Done> replyTo) implements Command {}

    private record Ended(String sessionId) implements Command {}

    /** The reply to a created session. */
    public record Created(String sessionId, String fps, int width, int height) {}

    /** The reply to {@link CreateWithId}. */
    public record Spawned(Created created, ActorRef<Session.Command> session) {}

    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    private final Session.Deps deps;
    private final Map<String, ActorRef<Session.Command>> sessions = new HashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final java.util.Set<String> stopping = new java.util.HashSet<>();
    private final List<ActorRef<org.apache.pekko.Done>> stopAllWaiters = new java.util.ArrayList<>();
    private boolean shuttingDown;

    public static Behavior<Command> create(Session.Deps deps) {
        return Behaviors.setup(ctx -> new SessionRegistry(ctx, deps));
    }

    private SessionRegistry(ActorContext<Command> context, Session.Deps deps) {
        super(context);
        this.deps = deps;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Create.class, this::onCreate)
                .onMessage(CreateWithId.class, this::onCreateWithId)
                .onMessage(Find.class, this::onFind)
                .onMessage(Delete.class, this::onDelete)
                .onMessage(ListSessions.class, this::onList)
                .onMessage(StopAll.class, this::onStopAll)
                .onMessage(Ended.class, this::onEnded)
                .build();
    }

    private Behavior<Command> onCreate(Create c) {
        Outcome<Spawned> spawned = create(newId(), c.fps(), c.width(), c.height());
        c.replyTo()
                .tell(
                        spawned instanceof Outcome.Ok<Spawned> ok
                                ? Outcome.ok(ok.value().created())
                                : Outcome.failed(((Outcome.Failed<Spawned>) spawned).error()));
        return this;
    }

    private Behavior<Command> onCreateWithId(CreateWithId c) {
        if (sessions.containsKey(c.sessionId()) || stopping.contains(c.sessionId())) {
            c.replyTo().tell(Outcome.failed(ApiError.badRequest("session " + c.sessionId() + " exists already")));
            return this;
        }
        c.replyTo().tell(create(c.sessionId(), c.fps(), c.width(), c.height()));
        return this;
    }

    private Outcome<Spawned> create(String id, String fpsText, Integer askedWidth, Integer askedHeight) {
        if (shuttingDown) {
            return Outcome.failed(
                    ApiError.unavailable("this node is shutting down; create the session on another node"));
        }
        int max = deps.limits().maxSessions();
        if (sessions.size() >= max) {
            return Outcome.failed(ApiError.unavailable(String.format(
                    "this node already serves %d sessions, its limit (avpush.limits.max-sessions = %d); "
                            + "delete a session or try another node",
                    sessions.size(), max)));
        }
        MediaSettings media = deps.media();
        FrameRate fps;
        try {
            fps = fpsText == null || fpsText.isBlank() ? media.defaultFps() : FrameRate.parse(fpsText, "'fps'");
        } catch (IllegalArgumentException e) {
            return Outcome.failed(ApiError.badRequest(
                    e.getMessage() + ", or leave 'fps' out for the default (" + media.defaultFps() + ")"));
        }
        int width = askedWidth == null ? media.defaultWidth() : askedWidth;
        int height = askedHeight == null ? media.defaultHeight() : askedHeight;
        if (width < 16
                || height < 16
                || width > deps.limits().maxWidth()
                || height > deps.limits().maxHeight()
                || width % 2 != 0
                || height % 2 != 0) {
            return Outcome.failed(ApiError.badRequest(String.format(
                    "a session's picture must be even-sized, from 16x16 up to %dx%d (avpush.limits.max-width/max-height); "
                            + "asked for %dx%d",
                    deps.limits().maxWidth(), deps.limits().maxHeight(), width, height)));
        }
        ActorRef<Session.Command> session =
                getContext().spawn(Session.create(new Session.Spec(id, fps, width, height), deps), "session-" + id);
        getContext().watchWith(session, new Ended(id));
        sessions.put(id, session);
        return Outcome.ok(new Spawned(new Created(id, fps.toString(), width, height), session));
    }

    private Behavior<Command> onFind(Find f) {
        f.replyTo().tell(Optional.ofNullable(sessions.get(f.sessionId())));
        return this;
    }

    private Behavior<Command> onDelete(Delete d) {
        ActorRef<Session.Command> session = sessions.remove(d.sessionId());
        if (session != null) {
            stopping.add(d.sessionId());
            session.tell(Session.Stop.INSTANCE);
        }
        d.replyTo().tell(session != null);
        return this;
    }

    private Behavior<Command> onList(ListSessions l) {
        l.replyTo().tell(List.copyOf(sessions.keySet()));
        return this;
    }

    private Behavior<Command> onStopAll(StopAll s) {
        shuttingDown = true;
        getContext().getLog().info("stopping {} sessions", sessions.size());
        sessions.forEach((id, ref) -> {
            stopping.add(id);
            ref.tell(Session.Stop.INSTANCE);
        });
        sessions.clear();
        stopAllWaiters.add(s.replyTo());
        replyIfAllStopped();
        return this;
    }

    private Behavior<Command> onEnded(Ended e) {
        if (sessions.remove(e.sessionId()) != null) {
            getContext().getLog().warn("session {} ended on its own", e.sessionId());
        }
        stopping.remove(e.sessionId());
        replyIfAllStopped();
        return this;
    }

    private void replyIfAllStopped() {
        if (stopping.isEmpty() && !stopAllWaiters.isEmpty()) {
            stopAllWaiters.forEach(w -> w.tell(org.apache.pekko.Done.getInstance()));
            stopAllWaiters.clear();
        }
    }

    private String newId() {
        StringBuilder b = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
