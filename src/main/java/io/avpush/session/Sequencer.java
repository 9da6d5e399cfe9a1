package io.avpush.session;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameRate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, tick by tick, what the session shows: the queue of segments, which one plays, and the
 * frame for each tick. A queued segment starts on the first tick released after it arrived;
 * between segments the last frame is held. Pure code, driven by {@link SyncSupervisor}.
 */
final class Sequencer {

  /** What one tick shows, and the segment that started or finished on it (or null). */
  record TickPlan(byte[] frame, Segment started, long startSample, String finishedId) {}

  /** What an interrupt dropped: the queued segments and the one cut short (or null). */
  record Cut(List<String> droppedIds, String cutId, long cutAtTick) {}

  private final FrameRate fps;
  private final ArrayDeque<Segment> queue = new ArrayDeque<>();
  private Segment current;
  private long currentStartTick;
  private long currentEndTick;
  private byte[] lastFrame;

  Sequencer(FrameRate fps, byte[] neutralFrame) {
    this.fps = fps;
    this.lastFrame = neutralFrame;
  }

  void enqueue(Segment segment) {
    queue.addLast(segment);
  }

  TickPlan onTick(long tick, boolean mayStart) {
    String finishedId = null;
    if (current != null && tick >= currentEndTick) {
      finishedId = current.id();
      current = null;
    }
    Segment started = null;
    long startSample = -1;
    if (current == null && mayStart && !queue.isEmpty()) {
      current = queue.pollFirst();
      currentStartTick = tick;
      currentEndTick = tick + current.frameTicks();
      started = current;
      startSample = fps.sampleIndexAtFrame(tick, AudioChunks.SAMPLE_RATE);
    }
    if (current != null) {
      byte[] frame = current.frameAt(tick - currentStartTick, fps);
      if (frame != null) {
        lastFrame = frame;
      }
    }
    return new TickPlan(lastFrame, started, startSample, finishedId);
  }

  /** The picture on screen when no segment plays (the idle loop's): held if an audio-only segment follows. */
  void hold(byte[] frame) {
    lastFrame = frame;
  }

  /** Drops the queue and ends the playing segment at {@code nextTick} (the next tick to release). */
  Cut interrupt(long nextTick) {
    List<String> dropped = new ArrayList<>();
    for (Segment s : queue) {
      dropped.add(s.id());
    }
    queue.clear();
    String cutId = null;
    if (current != null && currentEndTick > nextTick) {
      cutId = current.id();
      currentEndTick = nextTick;
    }
    return new Cut(dropped, cutId, nextTick);
  }

  Segment current() {
    return current;
  }

  int queued() {
    return queue.size();
  }

  /** Audio samples still to play: the rest of the current segment and the whole queue. */
  long pendingTicks(long nextTick) {
    long ticks = current == null ? 0 : Math.max(0, currentEndTick - nextTick);
    for (Segment s : queue) {
      ticks += s.frameTicks();
    }
    return ticks;
  }

  /** Memory of the queued segments (not the playing one). */
  long queuedBytes() {
    long bytes = 0;
    for (Segment s : queue) {
      bytes += s.memoryBytes();
    }
    return bytes;
  }

  List<String> queuedIds() {
    return queue.stream().map(Segment::id).toList();
  }
}
