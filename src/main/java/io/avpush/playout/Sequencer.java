package io.avpush.playout;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, tick by tick, what the session shows: the queue of segments, which one plays, and the
 * frame for each tick. A queued segment starts on the first tick released after it arrived;
 * between segments the last frame is held. A streamed segment ({@link LiveSegment}) starts once
 * its lead has arrived and plays tick by tick as its media arrives. Pure code, driven by
 * {@link Playout}.
 */
public final class Sequencer {

    /**
     * What one tick shows, and the segment that started or finished on it (or null).
     *
     * @param started a whole segment that starts on this tick (its audio is placed at startSample)
     * @param startedId the id of the segment (whole or streamed) that starts on this tick
     * @param livePcm audio of a streamed segment for this tick, placed at the tick's first sample
     * @param gap a streamed segment plays and its media for this tick has not arrived
     * @param finishedGapTicks the gap ticks of the streamed segment that finished, or −1
     * @param finishedCut the segment that finished was cut short (an interrupt, or a limit for a streamed one)
     */
    public record TickPlan(
            byte[] frame,
            Segment started,
            long startSample,
            String finishedId,
            String startedId,
            short[] livePcm,
            boolean gap,
            long finishedGapTicks,
            boolean finishedCut) {

        TickPlan(
                byte[] frame,
                Segment started,
                long startSample,
                String finishedId,
                String startedId,
                short[] livePcm,
                boolean gap) {
            this(frame, started, startSample, finishedId, startedId, livePcm, gap, -1, false);
        }
    }

    /**
     * What an interrupt dropped: the queued segments and the one cut short (or null), cut at
     * session tick {@code cutAtTick}, after {@code cutAfterTicks} of its own ticks had been released.
     */
    public record Cut(List<String> droppedIds, String cutId, long cutAtTick, long cutAfterTicks) {}

    private final FrameRate fps;
    private final ArrayDeque<Playable> queue = new ArrayDeque<>();
    private Segment current;
    private LiveSegment live;
    private long currentStartTick;
    private long currentEndTick;
    private boolean currentCut;
    private long liveStartTick;
    private byte[] lastFrame;

    public Sequencer(FrameRate fps, byte[] neutralFrame) {
        this.fps = fps;
        this.lastFrame = neutralFrame;
    }

    public void enqueue(Playable segment) {
        queue.addLast(segment);
    }

    public TickPlan onTick(long tick, boolean mayStart) {
        String finishedId = null;
        boolean finishedCut = false;
        if (current != null && tick >= currentEndTick) {
            finishedId = current.id();
            finishedCut = currentCut;
            current = null;
            currentCut = false;
        }
        LiveSegment.TickMedia liveMedia = null;
        long finishedGapTicks = -1;
        if (live != null) {
            liveMedia = live.tick(tickSamples(tick));
            if (liveMedia.ended()) {
                finishedId = live.id();
                finishedGapTicks = live.gapTicks();
                finishedCut = live.isCut();
                live = null;
                liveMedia = null;
            }
        }
        Segment started = null;
        String startedId = null;
        long startSample = -1;
        if (current == null && live == null && mayStart && !queue.isEmpty()) {
            Playable head = queue.peekFirst();
            if (head instanceof Segment s) {
                queue.pollFirst();
                current = s;
                currentStartTick = tick;
                currentEndTick = tick + current.frameTicks();
                started = current;
                startedId = s.id();
                startSample = fps.sampleIndexAtFrame(tick, AudioChunks.SAMPLE_RATE);
            } else if (head instanceof LiveSegment l && l.startable()) {
                queue.pollFirst();
                live = l;
                liveStartTick = tick;
                startedId = l.id();
                startSample = fps.sampleIndexAtFrame(tick, AudioChunks.SAMPLE_RATE);
                liveMedia = l.tick(tickSamples(tick));
            }
        }
        if (current != null) {
            byte[] frame = current.frameAt(tick - currentStartTick, fps);
            if (frame != null) {
                lastFrame = frame;
            }
        }
        if (liveMedia != null && liveMedia.frame() != null) {
            lastFrame = liveMedia.frame();
        }
        return new TickPlan(
                lastFrame,
                started,
                startSample,
                finishedId,
                startedId,
                liveMedia == null ? null : liveMedia.pcm48k(),
                liveMedia != null && liveMedia.gap(),
                finishedGapTicks,
                finishedCut);
    }

    /** Samples of tick {@code tick} on the session's 48 kHz timeline (1600 at 30 fps; 1601 or 1602 at 29.97). */
    private long tickSamples(long tick) {
        return fps.sampleIndexAtFrame(tick + 1, AudioChunks.SAMPLE_RATE)
                - fps.sampleIndexAtFrame(tick, AudioChunks.SAMPLE_RATE);
    }

    /** The picture on screen when no segment plays (the idle loop's): held if an audio-only segment follows. */
    public void hold(byte[] frame) {
        lastFrame = frame;
    }

    /** Drops the queue and ends the playing segment at {@code nextTick} (the next tick to release). */
    public Cut interrupt(long nextTick) {
        List<String> dropped = new ArrayList<>();
        for (Playable s : queue) {
            dropped.add(s.id());
            if (s instanceof LiveSegment l) {
                l.cut();
            }
        }
        queue.clear();
        String cutId = null;
        long cutAfterTicks = 0;
        if (current != null && currentEndTick > nextTick) {
            cutId = current.id();
            cutAfterTicks = nextTick - currentStartTick;
            currentEndTick = nextTick;
            currentCut = true;
        }
        if (live != null) {
            cutId = live.id();
            cutAfterTicks = nextTick - liveStartTick;
            live.cut();
        }
        return new Cut(dropped, cutId, nextTick, cutAfterTicks);
    }

    public Segment current() {
        return current;
    }

    /** Whether the segment playing (whole or streamed) has audio: the avatar speaks. */
    public boolean speaking() {
        return current != null ? current.pcm48k().length > 0 : live != null && live.hasAudio();
    }

    /** The id of the segment playing (whole or streamed), or null. */
    public String currentId() {
        return current != null ? current.id() : live != null ? live.id() : null;
    }

    public int queued() {
        return queue.size();
    }

    /** Audio samples still to play: the rest of the current segment and the whole queue. */
    public long pendingTicks(long nextTick) {
        long ticks = current == null ? 0 : Math.max(0, currentEndTick - nextTick);
        if (live != null) {
            ticks += live.frameTicks();
        }
        for (Playable s : queue) {
            ticks += s.frameTicks();
        }
        return ticks;
    }

    /** Memory of the queued segments (not the playing one). */
    public long queuedBytes() {
        long bytes = 0;
        for (Playable s : queue) {
            bytes += s.memoryBytes();
        }
        return bytes;
    }

    public List<String> queuedIds() {
        return queue.stream().map(Playable::id).toList();
    }
}
