package io.avpush.playout;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's event feed (Server-Sent Events, the viewers' data channels): what is queued, what
 * the viewer starts and stops seeing, viewers coming and going. Started/finished events are
 * published by the pacer thread at the push of the frame they concern, so their time is the
 * frame's capture time at the viewer. Listeners run on the publishing thread and must only hand
 * the event on (offer it to a queue); one that throws is logged and kept.
 */
public final class SessionEvents {

    private static final Logger log = LoggerFactory.getLogger(SessionEvents.class);

    /**
     * One event. Absent fields are left out of the JSON.
     *
     * @param seq 1, 2, 3... per session, in publishing order
     * @param timeMs wall-clock time of the event (for started/finished: the frame's push), ms since the epoch
     * @param pushNs the same instant on the monotonic clock ({@link System#nanoTime()}), not sent
     * @param frame the session frame index the event happened on (its first frame, or the first after it)
     * @param mediaMs that frame's media time on the session's clock, ms
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(
            String type,
            long seq,
            long timeMs,
            @JsonIgnore long pushNs,
            String segmentId,
            Long frame,
            Double mediaMs,
            Double durationMs,
            Integer queuePosition,
            Boolean speaking,
            String viewerId,
            Integer viewers,
            Double avDiffMs,
            Double avDiffMinMs,
            Double avDiffMaxMs,
            Long gapTicks,
            Double gapMs) {

        /** An event of {@code type} about {@code segmentId}, stamped when published. */
        public static Event segment(String type, String segmentId) {
            return new Event(
                    type, 0, 0, 0, segmentId, null, null, null, null, null, null, null, null, null, null, null, null);
        }

        public static Event viewer(String type, String viewerId, int viewers) {
            return new Event(
                    type, 0, 0, 0, null, null, null, null, null, null, viewerId, viewers, null, null, null, null, null);
        }

        public static Event speaking(boolean speaking) {
            return new Event(
                    "speaking",
                    0,
                    0,
                    0,
                    null,
                    null,
                    null,
                    null,
                    null,
                    speaking,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
        }

        public static Event avDiff(double lastMs, double minMs, double maxMs) {
            return new Event(
                    "av-diff", 0, 0, 0, null, null, null, null, null, null, null, null, lastMs, minMs, maxMs, null,
                    null);
        }

        public Event atFrame(long frameIndex, double frameMediaMs) {
            return new Event(
                    type,
                    seq,
                    timeMs,
                    pushNs,
                    segmentId,
                    frameIndex,
                    frameMediaMs,
                    durationMs,
                    queuePosition,
                    speaking,
                    viewerId,
                    viewers,
                    avDiffMs,
                    avDiffMinMs,
                    avDiffMaxMs,
                    gapTicks,
                    gapMs);
        }

        public Event withDuration(double ms) {
            return new Event(
                    type,
                    seq,
                    timeMs,
                    pushNs,
                    segmentId,
                    frame,
                    mediaMs,
                    ms,
                    queuePosition,
                    speaking,
                    viewerId,
                    viewers,
                    avDiffMs,
                    avDiffMinMs,
                    avDiffMaxMs,
                    gapTicks,
                    gapMs);
        }

        public Event withQueuePosition(int position) {
            return new Event(
                    type,
                    seq,
                    timeMs,
                    pushNs,
                    segmentId,
                    frame,
                    mediaMs,
                    durationMs,
                    position,
                    speaking,
                    viewerId,
                    viewers,
                    avDiffMs,
                    avDiffMinMs,
                    avDiffMaxMs,
                    gapTicks,
                    gapMs);
        }

        public Event withAvDiff(double ms) {
            return new Event(
                    type,
                    seq,
                    timeMs,
                    pushNs,
                    segmentId,
                    frame,
                    mediaMs,
                    durationMs,
                    queuePosition,
                    speaking,
                    viewerId,
                    viewers,
                    ms,
                    avDiffMinMs,
                    avDiffMaxMs,
                    gapTicks,
                    gapMs);
        }

        public Event withGaps(long ticks, double ms) {
            return new Event(
                    type,
                    seq,
                    timeMs,
                    pushNs,
                    segmentId,
                    frame,
                    mediaMs,
                    durationMs,
                    queuePosition,
                    speaking,
                    viewerId,
                    viewers,
                    avDiffMs,
                    avDiffMinMs,
                    avDiffMaxMs,
                    ticks,
                    ms);
        }

        Event stamped(long seq, long timeMs, long pushNs) {
            return new Event(
                    type,
                    seq,
                    timeMs,
                    pushNs,
                    segmentId,
                    frame,
                    mediaMs,
                    durationMs,
                    queuePosition,
                    speaking,
                    viewerId,
                    viewers,
                    avDiffMs,
                    avDiffMinMs,
                    avDiffMaxMs,
                    gapTicks,
                    gapMs);
        }
    }

    private final CopyOnWriteArrayList<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> endListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean ended;

    /** Calls {@code listener} with every event published from now on; the returned action stops it. */
    public Runnable subscribe(Consumer<Event> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * As {@link #subscribe(Consumer)}, and runs {@code onEnd} once when the session ends (at once if
     * it has ended).
     */
    public Runnable subscribe(Consumer<Event> listener, Runnable onEnd) {
        listeners.add(listener);
        endListeners.add(onEnd);
        if (ended && endListeners.remove(onEnd)) {
            onEnd.run();
        }
        return () -> {
            listeners.remove(listener);
            endListeners.remove(onEnd);
        };
    }

    /** The session ended: publishes "session-ended" and tells every end listener. */
    public void end() {
        publish(new Event(
                "session-ended",
                0,
                0,
                0,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null));
        ended = true;
        for (Runnable r : endListeners) {
            if (endListeners.remove(r)) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.warn("an event listener failed at the session's end", e);
                }
            }
        }
        listeners.clear();
    }

    /** Stamps the event with the next sequence number and now, and hands it to every listener. */
    public void publish(Event event) {
        publishAt(event, System.nanoTime());
    }

    /** As {@link #publish}, for an event that happened at {@code pushNs} (now, on the pacer thread). */
    public synchronized void publishAt(Event event, long pushNs) {
        Event stamped = event.stamped(seq.incrementAndGet(), System.currentTimeMillis(), pushNs);
        for (Consumer<Event> listener : listeners) {
            try {
                listener.accept(stamped);
            } catch (RuntimeException e) {
                log.warn("an event listener failed on {}", stamped.type(), e);
            }
        }
    }

    public int listenerCount() {
        return listeners.size();
    }
}
