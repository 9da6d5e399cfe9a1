package io.avpush.session;

import io.avpush.metrics.Metrics;
import io.avpush.playout.SessionEvents;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The {@link ViewerGroup}'s viewers and who is told about them: each viewer's state as its
 * transport last reported it (a viewer holds a slot from its offer on, up to the session's limit),
 * a viewer-joined event when one first connects and viewer-left when it goes, and the counts, when
 * they change, to the supervisor and the node's gauge. The group decides when viewers come and go
 * (offers, timers, the transport's reports); this class keeps the books. Used by the actor only.
 */
final class ViewerRoster {

    private final String sessionId;
    private final int maxViewers;
    private final SessionEvents events;
    private final ActorRef<SyncSupervisor.ViewersChanged> listener;
    private final Map<String, Transport.ViewerState> viewers = new HashMap<>();
    /** Viewers that have been connected (had a viewer-joined event) and not left. */
    private final Set<String> joined = new HashSet<>();

    private long viewerSeq;
    private int connectedReported = -1;
    private int totalReported = -1;

    /**
     * @param maxViewers viewers served at once
     * @param listener told the counts of connected and of all viewers whenever they change
     */
    ViewerRoster(
            String sessionId, int maxViewers, SessionEvents events, ActorRef<SyncSupervisor.ViewersChanged> listener) {
        this.sessionId = sessionId;
        this.maxViewers = maxViewers;
        this.events = events;
        this.listener = listener;
    }

    /** Null while the session has a free viewer slot, else why the next offer is refused. */
    String full() {
        if (viewers.size() < maxViewers) {
            return null;
        }
        return String.format(
                "session %s already serves %d viewers, its limit (avpush.limits.max-viewers-per-session = %d); "
                        + "end a viewer or watch another session",
                sessionId, viewers.size(), maxViewers);
    }

    /** A new viewer, NEW until its transport reports: it holds a slot from now on. Returns its id. */
    String add() {
        String viewerId = sessionId + "-v" + (++viewerSeq);
        viewers.put(viewerId, Transport.ViewerState.NEW);
        return viewerId;
    }

    boolean contains(String viewerId) {
        return viewers.containsKey(viewerId);
    }

    /** The viewer's state, null when it is not (or no longer) a viewer. */
    Transport.ViewerState state(String viewerId) {
        return viewers.get(viewerId);
    }

    /**
     * Records a viewer's new state (one it stays a viewer in). Returns true when the viewer has just
     * connected: it joins, and viewer-joined is published.
     */
    boolean update(String viewerId, Transport.ViewerState state) {
        Transport.ViewerState before = viewers.put(viewerId, state);
        if (state == Transport.ViewerState.CONNECTED && before != Transport.ViewerState.CONNECTED) {
            joined.add(viewerId);
            events.publish(SessionEvents.Event.viewer("viewer-joined", viewerId, connectedCount()));
            return true;
        }
        return false;
    }

    /** Frees the viewer's slot; returns the state it had, null when it was not a viewer. */
    Transport.ViewerState remove(String viewerId) {
        return viewers.remove(viewerId);
    }

    /** A viewer has left: a viewer-left event if it had joined (was connected once). */
    void left(String viewerId) {
        if (joined.remove(viewerId)) {
            events.publish(SessionEvents.Event.viewer("viewer-left", viewerId, connectedCount()));
        }
    }

    /** Tells the listener and the node's gauge the counts if they changed since they were last told. */
    void report() {
        int connected = connectedCount();
        if (connected != connectedReported || viewers.size() != totalReported) {
            Metrics.VIEWERS.inc(connected - Math.max(0, connectedReported));
            connectedReported = connected;
            totalReported = viewers.size();
            listener.tell(new SyncSupervisor.ViewersChanged(connected, viewers.size()));
        }
    }

    /** Takes this session's viewers off the node's gauge: the group has stopped. */
    void close() {
        Metrics.VIEWERS.dec(Math.max(0, connectedReported));
    }

    private int connectedCount() {
        return (int) viewers.values().stream()
                .filter(v -> v == Transport.ViewerState.CONNECTED)
                .count();
    }
}
