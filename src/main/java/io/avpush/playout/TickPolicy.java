package io.avpush.playout;

import io.avpush.media.FrameRate;

/**
 * When frames are released to the pacer, and what happens when the frame clock wakes late.
 * Frame n is due at {@code anchorNs + fps.frameStartNs(n)} and released {@code releaseAheadNs}
 * before that. A wake-up that is late by at most {@code maxCatchUpNs} releases every overdue
 * frame (the pacer pushes them at once, audio and video together), so both keep their timeline;
 * later than that (a suspended host) the clock is re-anchored so that the next frame is due now:
 * nothing is dropped and audio and video pause together. A pause is not free in a browser: the
 * picture's capture times include it, while the audio's RTP clock counts samples and the browser
 * absorbs the pause in its audio jitter buffer, so the two move apart by up to the pause; hence
 * the catch-up bound is large (1 s by default) and re-anchoring is the exception.
 *
 * <p>Example at 30 fps, ahead 25 ms, anchor 0: a wake at 8.4 ms releases frame 0 (due 0) and
 * frame 1 (due 33.33 ms, released from 8.33 ms); the next wake is at 41.67 ms.
 */
public record TickPolicy(FrameRate fps, long releaseAheadNs, long maxCatchUpNs) {

    /** The frames {@code [fromFrame, toFrameExclusive)} to release, the anchor to use from now on, and when to wake next. */
    public record Decision(long fromFrame, long toFrameExclusive, long anchorNs, long nextWakeNs, boolean reanchored) {}

    public Decision decide(long nowNs, long anchorNs, long nextFrame) {
        long lateNs = nowNs + releaseAheadNs - (anchorNs + fps.frameStartNs(nextFrame));
        if (lateNs < 0) {
            return new Decision(nextFrame, nextFrame, anchorNs, nowNs - lateNs, false);
        }
        boolean reanchored = false;
        long anchor = anchorNs;
        if (lateNs > maxCatchUpNs) {
            anchor = nowNs + releaseAheadNs - fps.frameStartNs(nextFrame);
            reanchored = true;
        }
        long dueFrame = fps.frameIndexAtNs(nowNs + releaseAheadNs - anchor);
        long to = Math.max(nextFrame + 1, dueFrame + 1);
        long nextWake = anchor + fps.frameStartNs(to) - releaseAheadNs;
        return new Decision(nextFrame, to, anchor, nextWake, reanchored);
    }
}
