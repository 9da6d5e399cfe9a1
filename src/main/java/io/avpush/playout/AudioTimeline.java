package io.avpush.playout;

import io.avpush.media.AudioChunks;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The session's audio as placed on its sample timeline: segments at their start samples,
 * silence everywhere else, cut into 10 ms chunks. A chunk that lies inside one segment is
 * handed out as a view on the segment's array (no copy); silence is one shared array. Audio placed
 * right where the last placement ends, continuing the same array (the idle loop places one tick's
 * span of its clip at a time), extends that placement, so chunks across those ticks are views too.
 */
public final class AudioTimeline {

    static final short[] SILENCE = new short[AudioChunks.CHUNK_SAMPLES];

    /** A 480-sample window: {@code pcm[offset .. offset+480)}. */
    public record Chunk(short[] pcm, int offset, boolean silent) {}

    /** Samples {@code startSample ..< endSample} of the timeline are {@code pcm[offset ..]}. */
    private static final class Placement {
        final long startSample;
        final short[] pcm;
        final int offset;
        long endSample;

        Placement(long startSample, short[] pcm, int offset, int length) {
            this.startSample = startSample;
            this.pcm = pcm;
            this.offset = offset;
            this.endSample = startSample + length;
        }

        /** Whether {@code pcm[from ..]} at {@code sample} continues this placement exactly. */
        boolean continuedBy(long sample, short[] more, int from) {
            return more == pcm && sample == endSample && from == offset + (endSample - startSample);
        }
    }

    private final ArrayDeque<Placement> placements = new ArrayDeque<>();

    /** Places audio at {@code startSample}; it must not start before audio already placed ends. */
    public void place(long startSample, short[] pcm) {
        place(startSample, pcm, 0, pcm.length);
    }

    /** Places {@code pcm[from ..< to]} at {@code startSample}; the same rule as {@link #place(long, short[])}. */
    public void place(long startSample, short[] pcm, int from, int to) {
        if (to <= from) {
            return;
        }
        Placement last = placements.peekLast();
        if (last != null && last.continuedBy(startSample, pcm, from)) {
            last.endSample += to - from;
            return;
        }
        placements.addLast(new Placement(startSample, pcm, from, to - from));
    }

    /** Silences everything from {@code sample} on. */
    public void cutAt(long sample) {
        Iterator<Placement> it = placements.iterator();
        while (it.hasNext()) {
            Placement p = it.next();
            if (p.startSample >= sample) {
                it.remove();
            } else if (p.endSample > sample) {
                p.endSample = sample;
            }
        }
    }

    /** The samples of chunk {@code chunkIndex} (samples {@code 480*chunkIndex ..}). */
    public Chunk chunk(long chunkIndex) {
        long first = chunkIndex * AudioChunks.CHUNK_SAMPLES;
        long end = first + AudioChunks.CHUNK_SAMPLES;
        while (!placements.isEmpty() && placements.peekFirst().endSample <= first) {
            placements.pollFirst();
        }
        Placement head = placements.peekFirst();
        if (head == null || head.startSample >= end) {
            return new Chunk(SILENCE, 0, true);
        }
        if (head.startSample <= first && head.endSample >= end) {
            return new Chunk(head.pcm, head.offset + (int) (first - head.startSample), false);
        }
        short[] mixed = new short[AudioChunks.CHUNK_SAMPLES];
        for (Placement p : placements) {
            if (p.startSample >= end) {
                break;
            }
            long from = Math.max(first, p.startSample);
            long to = Math.min(end, p.endSample);
            for (long s = from; s < to; s++) {
                mixed[(int) (s - first)] = p.pcm[p.offset + (int) (s - p.startSample)];
            }
        }
        return new Chunk(mixed, 0, false);
    }
}
