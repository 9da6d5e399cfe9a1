package io.avpush.session;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.avpush.api.ApiError;
import io.avpush.media.FrameRate;
import io.avpush.playout.Segment;
import io.avpush.playout.Sequencer;
import java.util.List;

/**
 * What a session answers about its media, as the API returns it: an accepted upload, an
 * interrupt, an idle loop, and a streamed segment's opening, credit and close. Errors come as
 * {@link Outcome#failed} with an {@link ApiError}.
 */
public final class SessionReplies {

    private SessionReplies() {}

    /**
     * The reply to an accepted upload.
     *
     * @param framesHeldTicks the segment's last ticks that hold its last frame, as its frames end before its audio
     * @param framesDropped frames that start after the audio's end, dropped
     * @param note what was held or dropped, in a sentence; absent when audio and frames fit
     */
    public record SegmentAccepted(
            String segmentId,
            double durationMs,
            int frames,
            long frameTicks,
            int queuePosition,
            long framesHeldTicks,
            int framesDropped,
            @JsonInclude(JsonInclude.Include.NON_NULL) String note) {

        /** The reply for {@code s}, queued at {@code queuePosition} of a session at {@code fps}. */
        static SegmentAccepted of(Segment s, FrameRate fps, int queuePosition) {
            Segment.LengthFit fit = s.lengthFit(fps);
            return new SegmentAccepted(
                    s.id(),
                    s.durationMs(fps),
                    s.framesI420().length,
                    s.frameTicks(),
                    queuePosition,
                    fit.heldTicks(),
                    fit.droppedFrames(),
                    fit.note());
        }
    }

    /**
     * The reply to an interrupt: the queued segments dropped and the one cut short (or null).
     *
     * @param cutAtMs when the cut takes effect on the session's clock (ms of media since the session
     *     started), not a position in the cut segment
     * @param cutAfterMs how much of the cut segment had been released when it was cut; null when none was cut
     */
    public record Interrupted(List<String> dropped, String cut, double cutAtMs, Double cutAfterMs) {

        /** The reply for {@code cut}, its ticks turned into ms at {@code fps}. */
        static Interrupted of(Sequencer.Cut cut, FrameRate fps) {
            Double cutAfterMs = cut.cutId() == null ? null : fps.frameStartNs(cut.cutAfterTicks()) / 1e6;
            return new Interrupted(cut.droppedIds(), cut.cutId(), fps.frameStartNs(cut.cutAtTick()) / 1e6, cutAfterMs);
        }
    }

    /** The reply to an accepted idle loop; {@code note} as in {@link SegmentAccepted}. */
    public record IdleAccepted(
            String loopId,
            double durationMs,
            int frames,
            long frameTicks,
            boolean audio,
            @JsonInclude(JsonInclude.Include.NON_NULL) String note) {

        /** The reply for {@code loop}, taken by a session at {@code fps}. */
        static IdleAccepted of(Segment loop, FrameRate fps) {
            return new IdleAccepted(
                    loop.id(),
                    loop.durationMs(fps),
                    loop.framesI420().length,
                    loop.frameTicks(),
                    loop.pcm48k().length > 0,
                    loop.lengthFit(fps).note());
        }
    }

    /** The reply to an opened stream. */
    public record StreamOpened(String segmentId, int queuePosition, double leadMs, double bufferMs) {}

    /** How much of a streamed segment waits to play; {@code slowDown} when over the buffer limit. */
    public record StreamCredit(String segmentId, double bufferedMs, double bufferMs, boolean slowDown) {}

    /** The reply to a closed stream: media received, and gap ticks so far. */
    public record StreamClosed(String segmentId, double receivedMs, long gapTicks) {}

    /** The answer to a viewer's offer. */
    public record Answer(String viewerId, String sdp) {}
}
