package io.avpush.playout;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameFit;
import io.avpush.media.FrameRate;
import java.util.Arrays;

/**
 * The session's idle loop: a clip played over and over on every tick on which no segment plays,
 * so that a viewer sees a living picture (an avatar breathing, blinking) between utterances
 * instead of a frozen one. Pure code; {@link Playout} asks it what to play when the queue has
 * nothing to play.
 *
 * <p>A pass lasts {@code clip.frameTicks()} ticks: its audio's length if it has audio (audio is
 * the master, padded with silence to the end of its last tick, as a segment is, counted from the
 * pass's first tick: see {@link FrameFit}), else its frames'.
 * Passes follow each other tick after tick. A tick the loop did not play (a segment played, or
 * the loop was just set) makes the next pass start from the clip's first frame: after a segment
 * or an interrupt the loop resumes from its start, not where it was left, so every return to idle
 * looks the same.
 *
 * <p>Audio is handed out one tick at a time, the samples of that tick's span, so the same release
 * rule as a segment's holds (frame n goes out with the chunks that end by its end) and a segment
 * that takes over on the next tick needs no cut. Example at 30 fps with 1 s of audio: pass ticks
 * 0..29; tick 3 of a pass that started at tick 100 places clip samples 4800..6400 at session
 * sample 164800.
 */
public final class IdleLoop {

    /**
     * What one tick of the loop plays: its frame and its audio, {@code clipPcm[from ..< to]} (may be
     * empty), at {@code startSample}. A view on the clip's audio, not a copy.
     */
    public record Step(byte[] frame, long startSample, short[] clipPcm, int from, int to) {
        /** The tick's samples (a copy). */
        short[] pcm() {
            return Arrays.copyOfRange(clipPcm, from, to);
        }
    }

    /** The loop as {@code GET /api/sessions/{id}} shows it. */
    public record Info(
            String loopId,
            double durationMs,
            int frames,
            long frameTicks,
            boolean audio,
            boolean playing,
            long passes) {}

    private final FrameRate fps;
    private Segment clip;
    private long passStartTick;
    private long passTicks;
    private long lastTick = Long.MIN_VALUE;
    private long passes;

    public IdleLoop(FrameRate fps) {
        this.fps = fps;
    }

    /** Sets (or replaces) the loop; it starts from its first frame on the next tick nothing else plays. */
    public void set(Segment loop) {
        clip = loop;
        lastTick = Long.MIN_VALUE;
        passes = 0;
    }

    /** Clears the loop; returns its id, or null when none was set. */
    public String clear() {
        String id = clip == null ? null : clip.id();
        clip = null;
        return id;
    }

    public Segment clip() {
        return clip;
    }

    /** What tick {@code tick} plays when no segment does, or null when no loop is set. */
    public Step onTick(long tick) {
        if (clip == null) {
            return null;
        }
        if (tick != lastTick + 1 || tick - passStartTick >= passTicks) {
            passStartTick = tick;
            passTicks =
                    clip.pcm48k().length > 0 ? FrameFit.frameTicks(clip.pcm48k().length, fps, tick) : clip.frameTicks();
            passes++;
        }
        lastTick = tick;
        long passStartSample = fps.sampleIndexAtFrame(passStartTick, AudioChunks.SAMPLE_RATE);
        long fromSample = fps.sampleIndexAtFrame(tick, AudioChunks.SAMPLE_RATE);
        long toSample = fps.sampleIndexAtFrame(tick + 1, AudioChunks.SAMPLE_RATE);
        short[] pcm = clip.pcm48k();
        int from = (int) Math.min(pcm.length, fromSample - passStartSample);
        int to = (int) Math.min(pcm.length, toSample - passStartSample);
        return new Step(clip.frameAt(tick - passStartTick, fps), fromSample, pcm, from, to);
    }

    /** The loop's figures; {@code playing} when it played the tick before {@code nextTick}. Null when no loop is set. */
    public Info info(long nextTick) {
        if (clip == null) {
            return null;
        }
        return new Info(
                clip.id(),
                clip.durationMs(fps),
                clip.framesI420().length,
                clip.frameTicks(),
                clip.pcm48k().length > 0,
                lastTick == nextTick - 1,
                passes);
    }
}
