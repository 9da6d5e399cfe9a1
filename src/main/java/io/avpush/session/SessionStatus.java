package io.avpush.session;

import io.avpush.media.FrameRate;
import io.avpush.pacing.PushStats;
import io.avpush.playout.AudioRelease;
import io.avpush.playout.IdleLoop;
import io.avpush.playout.Playout;
import java.util.List;

/**
 * A session's state and live figures, as {@code GET /api/sessions/{id}} shows them.
 *
 * @param avDiffMs audio release position minus video release position after the last tick, in
 *     ms; always in (-10, 0]: audio is within one chunk of the video
 * @param chunksPerTickHistogram how many ticks released 0, 1, 2, ... 7+ audio chunks
 * @param reanchors how often the frame clock was re-anchored after a stall
 * @param idle the idle loop, or null when none is set
 * @param streamGapTicks ticks a streamed segment played without its media (held frame, silence)
 *     because the producer was behind real time
 */
public record SessionStatus(
        String sessionId,
        SessionState state,
        String fps,
        int width,
        int height,
        int viewersConnected,
        int viewers,
        String playing,
        List<String> queued,
        double queuedMs,
        long segmentsPlayed,
        long framesReleased,
        long chunksReleased,
        int chunksLastTick,
        long[] chunksPerTickHistogram,
        double avDiffMs,
        double avDiffMinMs,
        double avDiffMaxMs,
        long reanchors,
        PushStats.Snapshot pushed,
        IdleLoop.Info idle,
        long streamGapTicks,
        double streamGapMs) {

    /**
     * The status of the session {@code settings} describe, from its playout's figures and its
     * viewers' count; {@code reanchors} and {@code pushed} as the frame clock and the pacer count them.
     */
    static SessionStatus of(
            SyncSupervisor.Settings settings,
            Playout playout,
            int viewersConnected,
            int viewers,
            long reanchors,
            PushStats.Snapshot pushed) {
        FrameRate fps = settings.fps();
        AudioRelease release = playout.release();
        long gapTicks = playout.tickEvents().streamGapTicks();
        return new SessionStatus(
                settings.sessionId(),
                SessionState.of(viewersConnected, playout.queued(), playout.playing() != null),
                fps.toString(),
                settings.width(),
                settings.height(),
                viewersConnected,
                viewers,
                playout.playing(),
                playout.queuedIds(),
                fps.frameStartNs(playout.pendingTicks()) / 1e6,
                playout.tickEvents().segmentsPlayed(),
                playout.nextTick(),
                release.chunksReleased(),
                release.lastReleased(),
                release.histogram(),
                release.avDiffMs(),
                release.minMs(),
                release.maxMs(),
                reanchors,
                pushed,
                playout.idleInfo(),
                gapTicks,
                fps.frameStartNs(gapTicks) / 1e6);
    }
}
