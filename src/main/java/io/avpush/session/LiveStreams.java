package io.avpush.session;

import io.avpush.api.ApiError;
import io.avpush.config.StreamSettings;
import io.avpush.media.AudioChunks;
import io.avpush.playout.LiveSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The session's streamed segments that still take media or play: their media in, their limits
 * (lead, buffer, longest segment, memory), and the producers held back until a segment has
 * played down to its buffer. Owned by the {@link StreamIntake} actor; pure otherwise.
 */
public final class LiveStreams {

    private final long leadSamples;
    private final long bufferSamples;
    private final long tickSamples;
    private final double maxSegmentMs;
    private final long maxBytes;
    private final Map<String, LiveSegment> streams = new HashMap<>();
    private final Map<String, List<ActorRef<Outcome<SessionReplies.StreamCredit>>>> waiters = new HashMap<>();

    LiveStreams(StreamSettings settings, long tickSamples, Duration maxSegment, long maxBytes) {
        this.leadSamples = settings.lead().toNanos() * AudioChunks.SAMPLE_RATE / 1_000_000_000L;
        this.bufferSamples = settings.buffer().toNanos() * AudioChunks.SAMPLE_RATE / 1_000_000_000L;
        this.tickSamples = tickSamples;
        this.maxSegmentMs = maxSegment.toNanos() / 1e6;
        this.maxBytes = maxBytes;
    }

    LiveSegment open(String id, boolean audio, boolean video) {
        LiveSegment live = new LiveSegment(id, audio, video, leadSamples, tickSamples);
        streams.put(id, live);
        return live;
    }

    SessionReplies.StreamOpened opened(String id, int queuePosition) {
        return new SessionReplies.StreamOpened(id, queuePosition, ms(leadSamples), ms(bufferSamples));
    }

    LiveSegment get(String id) {
        return streams.get(id);
    }

    /** Takes the media, or refuses it (ended, closed, or over a limit: then the segment is cut). */
    Outcome<SessionReplies.StreamCredit> append(Session.StreamAppend a) {
        LiveSegment live = streams.get(a.segmentId());
        ApiError refused = refusal(live, a.segmentId());
        if (refused != null) {
            return Outcome.failed(refused);
        }
        if (live.memoryBytes() > maxBytes) {
            return cut(
                    live,
                    ApiError.tooMany(String.format(
                            "streamed segment %s holds %d MB of media not yet played, over the limit of %d MB "
                                    + "(avpush.limits.max-queued-bytes); it is cut. Send audio and frames together, near real time.",
                            live.id(), live.memoryBytes() >> 20, maxBytes >> 20)));
        }
        if (ms(live.receivedSamples()) > maxSegmentMs) {
            return cut(
                    live,
                    ApiError.tooLarge(String.format(
                            "streamed segment %s has received %.1f s of media; the longest segment accepted is %.1f s "
                                    + "(avpush.limits.max-segment-duration); it is cut. Stream long speech as several segments.",
                            live.id(), ms(live.receivedSamples()) / 1e3, maxSegmentMs / 1e3)));
        }
        if (a.pcm48k() != null) {
            live.appendAudio(a.pcm48k());
        }
        if (a.frameI420() != null) {
            live.appendFrame(a.frameTsSamples(), a.frameI420());
        }
        return Outcome.ok(credit(live));
    }

    /** Replies now if the segment is within its buffer, else once it has played down to it. */
    void awaitRoom(String id, ActorRef<Outcome<SessionReplies.StreamCredit>> replyTo) {
        LiveSegment live = streams.get(id);
        if (live == null) {
            replyTo.tell(Outcome.failed(refusal(null, id)));
        } else if (live.unplayedSamples() <= bufferSamples) {
            replyTo.tell(Outcome.ok(credit(live)));
        } else {
            waiters.computeIfAbsent(id, k -> new ArrayList<>()).add(replyTo);
        }
    }

    Outcome<SessionReplies.StreamClosed> close(String id) {
        LiveSegment live = streams.get(id);
        ApiError refused = refusal(live, id);
        if (refused != null) {
            return Outcome.failed(refused);
        }
        live.close();
        return Outcome.ok(new SessionReplies.StreamClosed(id, ms(live.receivedSamples()), live.gapTicks()));
    }

    /** The segment ended or was dropped: forgets it and tells its held producer {@code why}. */
    LiveSegment remove(String id, String why) {
        LiveSegment live = streams.remove(id);
        List<ActorRef<Outcome<SessionReplies.StreamCredit>>> waiting = waiters.remove(id);
        if (waiting != null) {
            ApiError error = new ApiError(
                    409,
                    "segment_ended",
                    "streamed segment " + id + " " + why + "; open a new segment with {\"type\":\"open\"}");
            waiting.forEach(r -> r.tell(Outcome.failed(error)));
        }
        return live;
    }

    /**
     * Forgets the segments that have played their last tick, were dropped by an interrupt or cut at
     * a limit, and tells their held producers so.
     */
    void forgetEnded() {
        for (LiveSegment live : List.copyOf(streams.values())) {
            if (live.isEnded()) {
                remove(live.id(), "has ended");
            } else if (live.isCut()) {
                remove(live.id(), "was interrupted");
            }
        }
    }

    boolean isEmpty() {
        return streams.isEmpty();
    }

    /** Lets go of the producers whose segment has played down to its buffer (once a frame period). */
    void releaseWaiters() {
        if (waiters.isEmpty()) {
            return;
        }
        waiters.entrySet().removeIf(e -> {
            LiveSegment live = streams.get(e.getKey());
            if (live == null || live.unplayedSamples() > bufferSamples) {
                return false;
            }
            SessionReplies.StreamCredit credit = credit(live);
            e.getValue().forEach(r -> r.tell(Outcome.ok(credit)));
            return true;
        });
    }

    private Outcome<SessionReplies.StreamCredit> cut(LiveSegment live, ApiError why) {
        live.cut();
        return Outcome.failed(why);
    }

    /** Why media for the streamed segment is refused, or null when it is welcome. */
    private static ApiError refusal(LiveSegment live, String segmentId) {
        if (live == null || live.isCut()) {
            return new ApiError(
                    409,
                    "segment_ended",
                    "streamed segment " + segmentId
                            + " was interrupted or has ended; open a new segment with {\"type\":\"open\"}");
        }
        if (live.isClosed()) {
            return new ApiError(
                    409,
                    "segment_closed",
                    "streamed segment " + segmentId
                            + " is closed and takes no more media; open a new segment with {\"type\":\"open\"}");
        }
        return null;
    }

    private SessionReplies.StreamCredit credit(LiveSegment live) {
        long unplayed = live.unplayedSamples();
        return new SessionReplies.StreamCredit(live.id(), ms(unplayed), ms(bufferSamples), unplayed > bufferSamples);
    }

    static double ms(long samples) {
        return samples * 1000.0 / AudioChunks.SAMPLE_RATE;
    }
}
