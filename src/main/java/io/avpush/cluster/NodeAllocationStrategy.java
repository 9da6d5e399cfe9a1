package io.avpush.cluster;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Puts each shard on the node its id names: a shard id is a {@link NodeTag}, and the receiving
 * node chose that node for the session (the least loaded one). A shard whose node is gone or
 * leaving goes to the node that asked, where its entities answer that the session is lost.
 * Never rebalances: a live peer connection cannot move, so a joining node takes new sessions only.
 */
final class NodeAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {

    private final Cluster cluster;

    NodeAllocationStrategy(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public Future<ActorRef> allocateShard(
            ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        Optional<Address> node = StreamSupport.stream(
                        cluster.state().getMembers().spliterator(), false)
                .filter(m -> servesSessions(m) && NodeTag.of(m.uniqueAddress()).equals(shardId))
                .map(Member::address)
                .findFirst();
        ActorRef region = node.flatMap(address -> currentShardAllocations.keySet().stream()
                        .filter(r -> addressOf(r).equals(address))
                        .findFirst())
                .orElse(requester);
        return Futures.successful(region);
    }

    @Override
    public Future<Set<String>> rebalance(
            Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
        return Futures.successful(Collections.emptySet());
    }

    private Address addressOf(ActorRef region) {
        Address a = region.path().address();
        return a.hasLocalScope() ? cluster.selfAddress() : a;
    }

    private static boolean servesSessions(Member m) {
        MemberStatus s = m.status();
        return s == MemberStatus.up() || s == MemberStatus.weaklyUp() || s == MemberStatus.joining();
    }
}
