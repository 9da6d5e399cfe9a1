package io.avpush.playout;

import io.avpush.api.ApiError;
import io.avpush.media.FrameRate;

/**
 * Whether a session takes more media: a segment while the queue stays within its limits of
 * duration ({@code avpush.limits.max-queued-duration}) and memory
 * ({@code avpush.limits.max-queued-bytes}), an idle loop within the memory limit, a streamed
 * segment that carries something. Each refusal says what was over which limit and what to do.
 * Pure.
 *
 * <p>Example at 30 fps with a limit of 60 s (1800 ticks): with 55 s queued (1650 ticks), a 10 s
 * segment (300 ticks) is refused with 429, "already holds 55.0 s of media; with this segment
 * (10.0 s) it would exceed the limit of 60.0 s"; a 5 s one is taken.
 */
public final class QueueAdmission {

    private final String sessionId;
    private final FrameRate fps;
    private final long maxQueuedTicks;
    private final long maxQueuedBytes;

    public QueueAdmission(String sessionId, FrameRate fps, long maxQueuedTicks, long maxQueuedBytes) {
        this.sessionId = sessionId;
        this.fps = fps;
        this.maxQueuedTicks = maxQueuedTicks;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    /**
     * Why {@code segment} is refused, or null when it is taken.
     *
     * @param pendingTicks ticks still to play: the rest of the playing segment and the queue
     * @param queuedBytes memory of the queued segments
     */
    public ApiError refuseSegment(Segment segment, long pendingTicks, long queuedBytes) {
        if (pendingTicks + segment.frameTicks() > maxQueuedTicks) {
            return ApiError.tooMany(String.format(
                    "session %s already holds %.1f s of media; with this segment (%.1f s) it would exceed the limit of %.1f s "
                            + "(avpush.limits.max-queued-duration). Wait for queued segments to play or interrupt.",
                    sessionId, seconds(pendingTicks), segment.durationMs(fps) / 1e3, seconds(maxQueuedTicks)));
        }
        if (queuedBytes + segment.memoryBytes() > maxQueuedBytes) {
            return ApiError.tooMany(String.format(
                    "session %s already holds %d MB of queued media; with this segment (%d MB) it would exceed the limit of "
                            + "%d MB (avpush.limits.max-queued-bytes). Wait for queued segments to play or interrupt.",
                    sessionId, queuedBytes >> 20, segment.memoryBytes() >> 20, maxQueuedBytes >> 20));
        }
        return null;
    }

    /** Why the idle loop is refused (over the memory limit), or null when it is taken. */
    public ApiError refuseIdleLoop(Segment loop) {
        if (loop.memoryBytes() > maxQueuedBytes) {
            return ApiError.tooLarge(String.format(
                    "the idle loop takes %d MB decoded; the limit is %d MB (avpush.limits.max-queued-bytes). Send a shorter loop.",
                    loop.memoryBytes() >> 20, maxQueuedBytes >> 20));
        }
        return null;
    }

    /** Why a streamed segment is refused (it declares neither audio nor video), or null. */
    public static ApiError refuseStream(boolean audio, boolean video) {
        if (!audio && !video) {
            return ApiError.badRequest("a streamed segment carries audio, video or both; this one declares neither");
        }
        return null;
    }

    private double seconds(long ticks) {
        return fps.frameStartNs(ticks) / 1e9;
    }
}
