package io.avpush.playout;

import io.avpush.media.FrameRate;
import io.avpush.playout.SessionEvents.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * The events a frame tick produces about what the viewer sees, published at the push of that
 * tick's frame: a segment finished (or interrupted: cut by an interrupt or a limit), a segment
 * started, a streamed segment's run of gap ticks ended, speaking started or stopped. Also counts the
 * segments played and the gap ticks. Pure, one of the rules {@link Playout} puts together.
 *
 * <p>Example at 30 fps: a 2 s segment starts on tick 10 and is interrupted at tick 40. Tick 10
 * gives segment-started (frame 10, 333.3 ms) and speaking true; tick 40 gives segment-interrupted
 * (frame 40, 1333.3 ms, duration 1000 ms) and speaking false.
 */
public final class TickEvents {

    private final FrameRate fps;
    private long playingStartTick;
    private boolean speaking;
    private long gapRunStartTick = -1;
    private String gapSegmentId;
    private long streamGapTicks;
    private long segmentsPlayed;

    public TickEvents(FrameRate fps) {
        this.fps = fps;
    }

    /**
     * Tick {@code n}'s events, in the order a viewer sees them.
     *
     * @param playingId the segment playing after this tick (whole or streamed), or null
     * @param speakingNow whether what plays after this tick has audio
     * @param avDiffMs the audio−video release difference before this tick's release, ms
     */
    public List<Event> onTick(long n, Sequencer.TickPlan plan, String playingId, boolean speakingNow, double avDiffMs) {
        List<Event> events = new ArrayList<>(0);
        double mediaMs = fps.frameStartNs(n) / 1e6;
        if (plan.finishedId() != null) {
            segmentsPlayed++;
            boolean wasCut = plan.finishedCut();
            Event ended = Event.segment(wasCut ? "segment-interrupted" : "segment-finished", plan.finishedId())
                    .atFrame(n, mediaMs)
                    .withDuration(ms(n - playingStartTick));
            if (plan.finishedGapTicks() >= 0) {
                ended = ended.withGaps(plan.finishedGapTicks(), ms(plan.finishedGapTicks()));
            }
            events.add(ended.withAvDiff(avDiffMs));
        }
        if (plan.startedId() != null) {
            playingStartTick = n;
            events.add(Event.segment("segment-started", plan.startedId()).atFrame(n, mediaMs));
        }
        if (plan.gap()) {
            streamGapTicks++;
            if (gapRunStartTick < 0) {
                gapRunStartTick = n;
                gapSegmentId = playingId;
            }
        } else if (gapRunStartTick >= 0) {
            long ticks = n - gapRunStartTick;
            events.add(Event.segment("stream-gap", gapSegmentId)
                    .atFrame(n, mediaMs)
                    .withGaps(ticks, ms(ticks)));
            gapRunStartTick = -1;
        }
        if (speakingNow != speaking) {
            speaking = speakingNow;
            events.add(Event.speaking(speakingNow).atFrame(n, mediaMs));
        }
        return events;
    }

    public long segmentsPlayed() {
        return segmentsPlayed;
    }

    public long streamGapTicks() {
        return streamGapTicks;
    }

    private double ms(long ticks) {
        return fps.frameStartNs(ticks) / 1e6;
    }
}
