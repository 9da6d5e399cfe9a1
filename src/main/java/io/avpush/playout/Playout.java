package io.avpush.playout;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import io.avpush.playout.SessionEvents.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * A session's playout, one frame tick at a time: puts its rules together so that a tick gives
 * everything the session releases with its frame. The {@link Sequencer} says what plays (the
 * {@link IdleLoop} plays when no segment does), {@link AudioRelease} which 10 ms chunks go out with
 * the frame, {@link TickEvents} what the viewer sees happen at the frame's push. Pure: the
 * {@code SyncSupervisor}'s actor feeds it ticks and commands and sends what a tick returns to the
 * audio chunker and the viewers.
 *
 * <p>Example at 30 fps, a 1 s segment queued and the first viewer connected before tick 1: tick 1
 * pushes the segment's first frame, places its 48,000 samples at sample 1600 (the tick's first),
 * releases the chunks before chunk 6 (those that end by sample 3200, the end of frame 1) and gives
 * segment-started and speaking at the frame's push.
 */
public final class Playout {

    /** Audio to place on the session's 48 kHz timeline: {@code pcm48k[from ..< to]} at {@code startSample}. */
    public record Placement(String segmentId, long startSample, short[] pcm48k, int from, int to) {

        /** All of {@code pcm48k}. */
        static Placement whole(String segmentId, long startSample, short[] pcm48k) {
            return new Placement(segmentId, startSample, pcm48k, 0, pcm48k.length);
        }
    }

    /**
     * What one tick releases.
     *
     * @param frame the I420 picture pushed at the tick
     * @param placed audio to place on the timeline before the tick's chunks are released: a segment
     *     that starts, a streamed segment's tick, the idle loop's tick
     * @param atPush events published at the push of the tick's frame, in the order a viewer sees them
     * @param logLines what the node's log says of the tick's events ({@link PlayoutLog})
     * @param release the chunks released with the frame, and the audio−video difference after them
     */
    public record Tick(
            byte[] frame,
            List<Placement> placed,
            List<Event> atPush,
            List<String> logLines,
            AudioRelease.Step release) {}

    private final FrameRate fps;
    private final Sequencer sequencer;
    private final IdleLoop idleLoop;
    private final AudioRelease release;
    private final TickEvents tickEvents;
    private long nextTick;

    /** @param neutralFrame the I420 picture shown before the first segment */
    public Playout(FrameRate fps, byte[] neutralFrame) {
        this.fps = fps;
        this.sequencer = new Sequencer(fps, neutralFrame);
        this.idleLoop = new IdleLoop(fps);
        this.release = new AudioRelease(fps);
        this.tickEvents = new TickEvents(fps);
    }

    /** Plays tick {@code n}; a queued segment may start only when {@code mayStart} (a viewer is connected). */
    public Tick onTick(long n, boolean mayStart) {
        Sequencer.TickPlan plan = sequencer.onTick(n, mayStart);
        List<Placement> placed = new ArrayList<>(1);
        if (plan.started() != null) {
            placed.add(Placement.whole(
                    plan.started().id(), plan.startSample(), plan.started().pcm48k()));
        }
        if (plan.livePcm() != null && plan.livePcm().length > 0) {
            long at = fps.sampleIndexAtFrame(n, AudioChunks.SAMPLE_RATE);
            placed.add(Placement.whole(sequencer.currentId(), at, plan.livePcm()));
        }
        // The events take the audio−video difference before this tick's release.
        List<Event> atPush =
                tickEvents.onTick(n, plan, sequencer.currentId(), sequencer.speaking(), release.avDiffMs());
        // The idle loop plays on ticks without a segment; currentId (not current) so it never plays over a streamed
        // segment.
        byte[] frame = sequencer.currentId() == null ? playIdleLoop(n, plan.frame(), placed) : plan.frame();
        AudioRelease.Step step = release.onFrame(n);
        nextTick = n + 1;
        return new Tick(frame, placed, atPush, PlayoutLog.tickLines(plan, atPush, fps), step);
    }

    /** Tick {@code n}'s frame of the idle loop, its audio added to {@code placed}; {@code held} when no loop is set. */
    private byte[] playIdleLoop(long n, byte[] held, List<Placement> placed) {
        IdleLoop.Step step = idleLoop.onTick(n);
        if (step == null) {
            return held;
        }
        if (step.to() > step.from()) {
            placed.add(new Placement(idleLoop.clip().id(), step.startSample(), step.clipPcm(), step.from(), step.to()));
        }
        sequencer.hold(step.frame());
        return step.frame();
    }

    /** Queues a segment (whole or streamed) after those queued. */
    public void enqueue(Playable segment) {
        sequencer.enqueue(segment);
    }

    /** Drops the queue and cuts the playing segment at the next tick to play. */
    public Sequencer.Cut interrupt() {
        return sequencer.interrupt(nextTick);
    }

    /** Sets (or replaces) the idle loop. */
    public void setIdle(Segment loop) {
        idleLoop.set(loop);
    }

    /** Clears the idle loop; returns its id, or null when none was set. */
    public String clearIdle() {
        return idleLoop.clear();
    }

    /** The tick after the last one played: the frames released so far, as the clock starts at tick 0. */
    public long nextTick() {
        return nextTick;
    }

    /** Ticks still to play: the rest of the playing segment and the whole queue. */
    public long pendingTicks() {
        return sequencer.pendingTicks(nextTick);
    }

    /** The id of the segment playing (whole or streamed), or null. */
    public String playing() {
        return sequencer.currentId();
    }

    public int queued() {
        return sequencer.queued();
    }

    public List<String> queuedIds() {
        return sequencer.queuedIds();
    }

    /** Memory of the queued segments (not the playing one). */
    public long queuedBytes() {
        return sequencer.queuedBytes();
    }

    /** The audio released so far, to read its figures: chunks, the last tick's, the audio−video difference. */
    public AudioRelease release() {
        return release;
    }

    /** The tick events so far, to read their figures: segments played, stream gap ticks. */
    public TickEvents tickEvents() {
        return tickEvents;
    }

    /** The idle loop's figures, or null when none is set. */
    public IdleLoop.Info idleInfo() {
        return idleLoop.info(nextTick);
    }
}
