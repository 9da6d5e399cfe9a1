package io.avpush.playout;

import io.avpush.media.FrameRate;
import io.avpush.playout.SessionEvents.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * What the node's log says of a session's playout, one line for each thing an operator follows: a
 * segment queued, started, finished or interrupted, a streamed segment's wait for media, an
 * interrupt, the idle loop set or cleared. The {@code SyncSupervisor} writes each line after
 * {@code "session <id>: "}. Pure.
 *
 * <p>Example at 30 fps: a 1 s segment of 30 frames is "segment a queued (1000 ms, 30 frames)";
 * started on tick 10 it is "segment a started at frame 10 (1000 ms)".
 */
public final class PlayoutLog {

    private PlayoutLog() {}

    /** A whole segment queued: its length, its frames, and how its frames fit its audio if they differ. */
    public static String queued(Segment s, FrameRate fps) {
        String note = s.lengthFit(fps).note();
        return "segment " + s.id() + " queued (" + Math.round(s.durationMs(fps)) + " ms, " + s.framesI420().length
                + " frames" + (note == null ? "" : "; " + note) + ")";
    }

    public static String streamQueued(LiveSegment live) {
        return "streamed segment " + live.id() + " queued (audio " + live.hasAudio() + ", video " + live.hasVideo()
                + ")";
    }

    public static String interrupted(Sequencer.Cut cut) {
        return "interrupted at frame " + cut.cutAtTick() + ": cut " + cut.cutId() + ", dropped " + cut.droppedIds();
    }

    public static String idleSet(Segment loop, FrameRate fps) {
        return "idle loop " + loop.id() + " set (" + Math.round(loop.durationMs(fps)) + " ms, "
                + loop.framesI420().length + " frames" + (loop.pcm48k().length > 0 ? ", with audio" : "") + ")";
    }

    public static String idleCleared(String loopId) {
        return "idle loop " + loopId + " cleared";
    }

    /** A tick's events as the log says them: a segment started, finished or interrupted, a gap's end. */
    public static List<String> tickLines(Sequencer.TickPlan plan, List<Event> events, FrameRate fps) {
        if (events.isEmpty()) {
            return List.of();
        }
        List<String> lines = new ArrayList<>(events.size());
        for (Event e : events) {
            String segment = "segment " + e.segmentId();
            switch (e.type()) {
                case "segment-finished" -> lines.add(segment + " finished at frame " + e.frame());
                case "segment-interrupted" -> lines.add(segment + " interrupted at frame " + e.frame());
                case "segment-started" ->
                    lines.add(
                            plan.started() == null
                                    ? "streamed " + segment + " started at frame " + e.frame()
                                    : segment + " started at frame " + e.frame() + " ("
                                            + Math.round(plan.started().durationMs(fps)) + " ms)");
                case "stream-gap" -> lines.add("streamed " + segment + " waited " + e.gapTicks() + " ticks for media");
                default -> {}
            }
        }
        return lines;
    }
}
