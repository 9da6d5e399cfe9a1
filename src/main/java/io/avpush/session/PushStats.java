package io.avpush.session;

import io.avpush.metrics.Metrics;
import java.util.Arrays;

/**
 * What the pacer really pushed for one session and how late, written by the pacer thread and
 * read by status requests (and counted for the node in {@link Metrics}). Lateness is kept for
 * the last {@value #WINDOW} pushes of each kind.
 */
public final class PushStats {

  static final int WINDOW = 1024;

  private final long[] frameLatenessNs = new long[WINDOW];
  private final long[] audioLatenessNs = new long[WINDOW];
  private long framesPushed;
  private long chunksPushed;
  private long lastFrameLatenessNs;
  private long lastAudioLatenessNs;

  synchronized void framePushed(long latenessNs) {
    frameLatenessNs[(int) (framesPushed % WINDOW)] = latenessNs;
    framesPushed++;
    lastFrameLatenessNs = latenessNs;
    Metrics.FRAMES_PUSHED.inc();
    Metrics.FRAME_LATENESS.observe(latenessNs / 1e9);
  }

  synchronized void chunkPushed(long latenessNs) {
    audioLatenessNs[(int) (chunksPushed % WINDOW)] = latenessNs;
    chunksPushed++;
    lastAudioLatenessNs = latenessNs;
    Metrics.CHUNKS_PUSHED.inc();
    Metrics.AUDIO_LATENESS.observe(latenessNs / 1e9);
  }

  /** A consistent copy of the figures. */
  public synchronized Snapshot snapshot() {
    return new Snapshot(
        framesPushed,
        chunksPushed,
        percentileMs(frameLatenessNs, framesPushed, 50),
        percentileMs(frameLatenessNs, framesPushed, 99),
        percentileMs(frameLatenessNs, framesPushed, 100),
        percentileMs(audioLatenessNs, chunksPushed, 50),
        percentileMs(audioLatenessNs, chunksPushed, 99),
        percentileMs(audioLatenessNs, chunksPushed, 100),
        (lastAudioLatenessNs - lastFrameLatenessNs) / 1e6);
  }

  private static double percentileMs(long[] ring, long count, int percentile) {
    int n = (int) Math.min(count, WINDOW);
    if (n == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(ring, n);
    Arrays.sort(sorted);
    int index = Math.min(n - 1, (int) Math.ceil(percentile / 100.0 * n) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }

  /**
   * Push figures of a session. {@code pushSkewMs} is how much later the last audio chunk was
   * pushed against its deadline than the last frame against its own (positive: audio late).
   */
  public record Snapshot(
      long framesPushed,
      long chunksPushed,
      double frameLatenessP50Ms,
      double frameLatenessP99Ms,
      double frameLatenessMaxMs,
      double audioLatenessP50Ms,
      double audioLatenessP99Ms,
      double audioLatenessMaxMs,
      double pushSkewMs) {}
}
