package io.avpush.cluster;

import io.avpush.config.ClusterSettings;
import io.avpush.session.SessionRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This node in cluster mode: starts session sharding, this node's {@link NodeInfo} and the
 * directory of the others, and the cluster-wide session registry the HTTP routes talk to. Also
 * answers the routes' questions about the cluster: where a session is, whether this node is ready,
 * the members.
 */
public final class ClusterNode {

    /** Where a session lives, as far as this node can tell from its id and the membership. */
    public enum Where {
        /** This node serves it (or it ended here). */
        HERE,
        /** Another member that is up and reachable serves it. */
        ELSEWHERE,
        /** Its node is a member but unreachable: it may come back, or be downed and its sessions lost. */
        UNREACHABLE,
        /** Its node left the cluster or was downed: the session is lost. */
        GONE,
        /** Not a cluster session id (no node tag): no node has it. */
        UNTAGGED
    }

    /** {@code GET /api/cluster}. */
    public record View(String self, String selfTag, String leader, List<MemberView> members) {}

    /** A member; {@code sessions} and {@code httpUrl} are null if it did not report in time. */
    public record MemberView(
            String address, String tag, String status, boolean reachable, String httpUrl, Integer sessions) {}

    private final ActorSystem<?> system;
    private final Cluster cluster;
    private final String selfTag;
    private final Duration loadTimeout;
    private final AtomicReference<Set<ActorRef<NodeInfo.Command>>> nodes = new AtomicReference<>(Set.of());
    /** Node tag to its HTTP URL, from every report seen (a node's URL never changes). */
    private final Map<String, String> httpUrls = new ConcurrentHashMap<>();

    private final Duration askTimeout;
    private ActorRef<SessionRegistry.Command> sessions;

    private ClusterNode(ActorSystem<?> system, Duration loadTimeout, Duration askTimeout) {
        this.system = system;
        this.askTimeout = askTimeout;
        this.cluster = Cluster.get(system);
        this.selfTag = NodeTag.of(cluster.selfMember().uniqueAddress());
        this.loadTimeout = loadTimeout;
    }

    public static ClusterNode start(
            ActorContext<?> ctx,
            ActorRef<SessionRegistry.Command> registry,
            ClusterSettings settings,
            Duration askTimeout) {
        ClusterNode node = new ClusterNode(ctx.getSystem(), settings.loadTimeout(), askTimeout);
        ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
        sharding.init(Entity.of(
                        SessionEntity.KEY,
                        entity -> SessionEntity.create(entity.getEntityId(), registry, entity.getShard(), askTimeout))
                .withStopMessage(SessionEntity.Stop.INSTANCE)
                .withMessageExtractor(new ByNodeTag())
                .withAllocationStrategy(new NodeAllocationStrategy(
                        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(ctx.getSystem()))))
                .withSettings(ClusterShardingSettings.create(ctx.getSystem()).withNoPassivationStrategy()));
        ctx.spawn(
                NodeInfo.create(
                        node.selfTag,
                        node.cluster.selfMember().address().toString(),
                        settings.httpUrl(),
                        registry,
                        org.apache.pekko.cluster.sharding.ClusterSharding.get(Adapter.toClassic(ctx.getSystem()))
                                .shardRegion(SessionEntity.KEY.name()),
                        askTimeout),
                "node-info");
        ctx.spawn(
                Behaviors.<Receptionist.Listing>setup(directory -> {
                    directory
                            .getSystem()
                            .receptionist()
                            .tell(Receptionist.subscribe(NodeInfo.KEY, directory.getSelf()));
                    return Behaviors.receive(Receptionist.Listing.class)
                            .onAnyMessage(listing -> {
                                node.nodes.set(listing.getServiceInstances(NodeInfo.KEY));
                                return Behaviors.same();
                            })
                            .build();
                }),
                "node-directory");
        node.sessions = ctx.spawn(ClusterSessions.create(node, registry, sharding, askTimeout), "cluster-sessions");
        explainRefusedJoin(ctx.getSystem());
        ctx.getLog()
                .info(
                        "cluster node {} (tag {}), seed nodes {}",
                        node.cluster.selfMember().address(),
                        node.selfTag,
                        settings.seedNodes());
        return node;
    }

    /**
     * A node refused at join (by {@link TokenSecretCheck} or Pekko's own checks) shuts down with
     * Pekko's line about an incompatible configuration "to deploy this new version", which does not
     * say what to fix; this says it where the operator of the refused node looks.
     */
    private static void explainRefusedJoin(ActorSystem<?> system) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "explain-refused-join", () -> {
            if (shutdown.getShutdownReason()
                    .filter(CoordinatedShutdown.incompatibleConfigurationDetectedReason()::equals)
                    .isPresent()) {
                system.log()
                        .error(
                                "this node did not join the cluster: its configuration is incompatible with the cluster's "
                                        + "(the seed node's log, or a line above, names the setting). Every node must have the same viewer-token "
                                        + "secret (AVPUSH_TOKEN_SECRET, avpush.auth.token-secret); set it and start this node again");
            }
            return CompletableFuture.completedFuture(Done.getInstance());
        });
    }

    /** The session registry of the whole cluster: the SessionRegistry protocol, answered across nodes. */
    public ActorRef<SessionRegistry.Command> sessions() {
        return sessions;
    }

    public String selfTag() {
        return selfTag;
    }

    public Where whereIs(String sessionId) {
        Optional<String> tag = NodeTag.ofSessionId(sessionId);
        if (tag.isEmpty()) {
            return Where.UNTAGGED;
        }
        if (tag.get().equals(selfTag)) {
            return Where.HERE;
        }
        ClusterEvent.CurrentClusterState state = cluster.state();
        Optional<Member> member = StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(m -> NodeTag.of(m.uniqueAddress()).equals(tag.get()))
                .filter(m -> m.status() == MemberStatus.up()
                        || m.status() == MemberStatus.weaklyUp()
                        || m.status() == MemberStatus.joining())
                .findFirst();
        if (member.isEmpty()) {
            return Where.GONE;
        }
        return state.getUnreachable().contains(member.get()) ? Where.UNREACHABLE : Where.ELSEWHERE;
    }

    /** The HTTP URL the node that serves this session advertises: known, or asked (within the ask timeout). */
    public CompletionStage<Optional<String>> httpUrlOf(String sessionId) {
        String tag = NodeTag.ofSessionId(sessionId).orElse("");
        String known = httpUrls.get(tag);
        if (known != null) {
            return CompletableFuture.completedFuture(Optional.of(known));
        }
        return reports(askTimeout).thenApply(rs -> Optional.ofNullable(httpUrls.get(tag)));
    }

    /** Ready to take API calls: this node is an Up member. */
    public boolean ready() {
        return cluster.selfMember().status() == MemberStatus.up();
    }

    public String selfStatus() {
        return cluster.selfMember().status().toString();
    }

    /** Every reachable node's report; a node that does not answer within the load timeout is left out. */
    public CompletionStage<List<NodeInfo.Report>> reports() {
        return reports(loadTimeout);
    }

    private CompletionStage<List<NodeInfo.Report>> reports(Duration timeout) {
        Set<Address> unreachable =
                cluster.state().getUnreachable().stream().map(Member::address).collect(Collectors.toSet());
        List<CompletableFuture<Optional<NodeInfo.Report>>> asks = new ArrayList<>();
        for (ActorRef<NodeInfo.Command> ref : nodes.get()) {
            if (unreachable.contains(ref.path().address())) {
                continue;
            }
            asks.add(AskPattern.<NodeInfo.Command, NodeInfo.Report>ask(
                            ref, NodeInfo.GetReport::new, timeout, system.scheduler())
                    .toCompletableFuture()
                    .thenApply(r -> {
                        httpUrls.put(r.tag(), r.httpUrl());
                        return Optional.of(r);
                    })
                    .exceptionally(failure -> Optional.empty()));
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                .thenApply(done -> asks.stream().flatMap(a -> a.join().stream()).toList());
    }

    public CompletionStage<View> view() {
        ClusterEvent.CurrentClusterState state = cluster.state();
        return reports().thenApply(reports -> {
            Map<String, NodeInfo.Report> byTag =
                    reports.stream().collect(Collectors.toMap(NodeInfo.Report::tag, Function.identity(), (a, b) -> a));
            List<MemberView> members = new ArrayList<>();
            for (Member m : state.getMembers()) {
                String tag = NodeTag.of(m.uniqueAddress());
                NodeInfo.Report r = byTag.get(tag);
                members.add(new MemberView(
                        m.address().toString(),
                        tag,
                        m.status().toString(),
                        !state.getUnreachable().contains(m),
                        r == null ? null : r.httpUrl(),
                        r == null ? null : r.sessions().size()));
            }
            Address leader = state.getLeader();
            return new View(
                    cluster.selfMember().address().toString(),
                    selfTag,
                    leader == null ? null : leader.toString(),
                    members);
        });
    }

    /** Shard id = the node tag at the start of the session id (entity id). */
    private static final class ByNodeTag
            extends ShardingMessageExtractor<ShardingEnvelope<SessionEntity.Command>, SessionEntity.Command> {
        @Override
        public String entityId(ShardingEnvelope<SessionEntity.Command> envelope) {
            return envelope.entityId();
        }

        @Override
        public String shardId(String entityId) {
            return NodeTag.ofSessionId(entityId).orElse("untagged");
        }

        @Override
        public SessionEntity.Command unwrapMessage(ShardingEnvelope<SessionEntity.Command> envelope) {
            return envelope.message();
        }
    }
}
