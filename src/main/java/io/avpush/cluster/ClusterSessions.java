package io.avpush.cluster;

import io.avpush.api.ApiError;
import io.avpush.session.Outcome;
import io.avpush.session.SessionRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The session registry's protocol, answered for the whole cluster, so the HTTP routes work
 * unchanged in cluster mode. {@code Create} places the session on the node with the fewest live
 * sessions and starts its entity there; {@code Find} returns the session's actor on whichever
 * node serves it (the routes then ask it directly); {@code Delete} and {@code ListSessions} go
 * through the entities and every node. Holds no state of its own beyond placements in flight.
 */
final class ClusterSessions {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ClusterSessions() {}

    static Behavior<SessionRegistry.Command> create(
            ClusterNode node, ActorRef<SessionRegistry.Command> registry, ClusterSharding sharding, Duration timeout) {
        // Sessions being created, per node tag: counted as load until the node's own report has them.
        Map<String, Integer> placing = new ConcurrentHashMap<>();
        return Behaviors.setup(ctx -> Behaviors.receive(SessionRegistry.Command.class)
                .onMessage(SessionRegistry.Create.class, c -> {
                    long startNs = System.nanoTime();
                    node.reports()
                            .thenCompose(reports -> place(c, reports, node.selfTag(), placing, sharding, timeout))
                            .whenComplete((outcome, failure) -> {
                                c.replyTo()
                                        .tell(
                                                failure == null
                                                        ? outcome
                                                        : Outcome.failed(ApiError.unavailable(
                                                                "the session could not be started on the node chosen for it: "
                                                                        + failure.getMessage() + "; try again")));
                                if (outcome instanceof Outcome.Ok<SessionRegistry.Created> ok) {
                                    ctx.getLog()
                                            .info(
                                                    "session {} placed in {} ms",
                                                    ok.value().sessionId(),
                                                    (System.nanoTime() - startNs) / 1_000_000);
                                }
                            });
                    return Behaviors.same();
                })
                .onMessage(SessionRegistry.Find.class, f -> {
                    Optional<String> tag = NodeTag.ofSessionId(f.sessionId());
                    if (tag.isEmpty()) {
                        f.replyTo().tell(Optional.empty());
                    } else {
                        entity(sharding, f.sessionId())
                                .<SessionEntity.Located>ask(SessionEntity.Locate::new, timeout)
                                .thenAccept(l -> f.replyTo().tell(Optional.ofNullable(l.session())));
                    }
                    return Behaviors.same();
                })
                .onMessage(SessionRegistry.Delete.class, d -> {
                    if (NodeTag.ofSessionId(d.sessionId()).isEmpty()) {
                        d.replyTo().tell(false);
                    } else {
                        entity(sharding, d.sessionId())
                                .<Boolean>ask(SessionEntity.Delete::new, timeout)
                                .thenAccept(found -> d.replyTo().tell(found));
                    }
                    return Behaviors.same();
                })
                .onMessage(SessionRegistry.ListSessions.class, l -> {
                    node.reports()
                            .thenAccept(reports -> l.replyTo()
                                    .tell(reports.stream()
                                            .flatMap(r -> r.sessions().stream())
                                            .sorted()
                                            .toList()));
                    return Behaviors.same();
                })
                .onMessage(SessionRegistry.CreateWithId.class, c -> {
                    registry.tell(c);
                    return Behaviors.same();
                })
                .onMessage(SessionRegistry.StopAll.class, s -> {
                    registry.tell(s);
                    return Behaviors.same();
                })
                .build());
    }

    /**
     * The least loaded node (fewest live sessions plus sessions being placed there; ties go to this
     * node, then to the lowest address) gets the session.
     */
    private static CompletionStage<Outcome<SessionRegistry.Created>> place(
            SessionRegistry.Create c,
            List<NodeInfo.Report> reports,
            String selfTag,
            Map<String, Integer> placing,
            ClusterSharding sharding,
            Duration timeout) {
        if (reports.isEmpty()) {
            return CompletableFuture.completedFuture(Outcome.failed(
                    ApiError.unavailable("no node of the cluster reported its load in time; try again")));
        }
        NodeInfo.Report target = reports.stream()
                .min(Comparator.<NodeInfo.Report>comparingInt(
                                r -> r.sessions().size() + placing.getOrDefault(r.tag(), 0))
                        .thenComparing(r -> !r.tag().equals(selfTag))
                        .thenComparing(NodeInfo.Report::address))
                .orElseThrow();
        placing.merge(target.tag(), 1, Integer::sum);
        String id = target.tag() + "-" + randomId();
        return entity(sharding, id)
                .<Outcome<SessionRegistry.Created>>ask(
                        r -> new SessionEntity.Create(c.fps(), c.width(), c.height(), r), timeout)
                .whenComplete((outcome, failure) -> placing.merge(target.tag(), -1, Integer::sum));
    }

    private static EntityRef<SessionEntity.Command> entity(ClusterSharding sharding, String sessionId) {
        return sharding.entityRefFor(SessionEntity.KEY, sessionId);
    }

    private static String randomId() {
        StringBuilder b = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            b.append(NodeTag.ALPHABET.charAt(RANDOM.nextInt(NodeTag.ALPHABET.length())));
        }
        return b.toString();
    }
}
