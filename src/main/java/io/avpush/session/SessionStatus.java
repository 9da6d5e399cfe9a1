package io.avpush.session;

import io.avpush.pacing.PushStats;
import io.avpush.playout.IdleLoop;
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
    double streamGapMs) {}
