package io.avpush.session;

import io.avpush.media.AudioChunks;
import io.avpush.pacing.Pacer;
import io.avpush.pacing.PushStats;
import io.avpush.playout.SessionEvents;
import java.util.List;

/**
 * The {@link ViewerGroup}'s push path, the part of a session that runs on the node's pacer
 * thread: each released frame and chunk is handed to the pacer, which pushes it into the
 * transport at its deadline and counts how late in {@link PushStats}; the events due at a
 * frame's push are published at that instant. Called from the group's actor only; its tasks read
 * nothing of the actor's state but the volatile silence mark and what they captured at release.
 */
final class PushPath {

    private static final short[] SILENCE = new short[AudioChunks.CHUNK_SAMPLES];

    private final Transport output;
    private final Pacer pacer;
    private final PushStats stats;
    private final SessionEvents events;
    /** Chunks below this index are pushed as silence from now on (see {@link #silenceBelow}); read by the pacer. */
    private volatile long silenceBelowChunk = -1;

    private ViewerGroup.PublishAtPush atNextPush;

    PushPath(Transport output, Pacer pacer, PushStats stats, SessionEvents events) {
        this.output = output;
        this.pacer = pacer;
        this.stats = stats;
        this.events = events;
    }

    /** Holds {@code p}'s events for the push of its frame, which is released next. */
    void publishAtPush(ViewerGroup.PublishAtPush p) {
        atNextPush = p;
    }

    void frame(ViewerGroup.PushFrame f) {
        Transport out = output;
        PushStats st = stats;
        long deadlineNs = f.deadlineNs();
        List<SessionEvents.Event> toPublish =
                atNextPush != null && atNextPush.frameIndex() == f.frameIndex() ? atNextPush.events() : List.of();
        atNextPush = null;
        SessionEvents ev = events;
        pacer.at(deadlineNs, now -> {
            out.pushFrame(f.i420(), f.width(), f.height());
            st.framePushed(now - deadlineNs);
            toPublish.forEach(e -> ev.publishAt(e, now));
        });
    }

    void audio(ViewerGroup.PushAudio a) {
        Transport out = output;
        PushStats st = stats;
        pacer.parkedAt(a.deadlineNs(), now -> {
            if (a.chunkIndex() < silenceBelowChunk) {
                out.pushAudio(SILENCE, 0);
            } else {
                out.pushAudio(a.pcm(), a.offset());
            }
            st.chunkPushed(now - a.deadlineNs());
        });
    }

    /**
     * An interrupt: chunks before {@code chunkIndex} that the pacer has not pushed yet are pushed
     * as silence (see {@link ViewerGroup.SilenceUnpushed}).
     */
    void silenceBelow(long chunkIndex) {
        silenceBelowChunk = Math.max(silenceBelowChunk, chunkIndex);
    }
}
