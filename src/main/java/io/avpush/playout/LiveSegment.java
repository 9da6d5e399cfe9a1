package io.avpush.playout;

import io.avpush.media.AudioChunks;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A segment whose media grows while it plays (streamed over WebSocket). Its own clock is the
 * stream position in 48 kHz samples: each frame tick plays the next tick's worth of samples and
 * shows the frame whose timestamp is nearest the tick's start. When a tick's media has not
 * arrived yet (the producer is behind real time) the tick is a gap: the picture holds, the audio
 * is silence and the stream position stays, so the rest plays later with audio and video still
 * together and nothing is dropped; gaps are counted. Audio is the master: with audio, the
 * segment ends where its audio ends; without, one tick after its last frame. Pure, owned by the
 * {@code SyncSupervisor}'s actor.
 */
public final class LiveSegment implements Playable {

    /** What one tick plays: a frame (null: hold the picture), the audio of the tick, gap or end. */
    public record TickMedia(byte[] frame, short[] pcm48k, boolean gap, boolean ended) {}

    private record Frame(long tsSamples, byte[] i420) {}

    private static final short[] NO_AUDIO = new short[0];

    private final String id;
    private final boolean hasAudio;
    private final boolean hasVideo;
    private final long leadSamples;
    private final long tickSamples;
    private short[] audio = new short[AudioChunks.SAMPLE_RATE];
    private long audioBase;
    private int audioLength;
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private long framesBytes;
    private long lastFrameSamples = -1;
    private boolean closed;
    private boolean cut;
    private boolean ended;
    private long positionSamples;
    private long gapTicks;

    /**
     * @param leadSamples media of each kind that must have arrived before it starts
     * @param tickSamples the length of one frame tick in samples (1600 at 30 fps)
     */
    public LiveSegment(String id, boolean hasAudio, boolean hasVideo, long leadSamples, long tickSamples) {
        if (!hasAudio && !hasVideo) {
            throw new IllegalArgumentException("a streamed segment needs audio or video");
        }
        this.id = id;
        this.hasAudio = hasAudio;
        this.hasVideo = hasVideo;
        this.leadSamples = leadSamples;
        this.tickSamples = tickSamples;
    }

    @Override
    public String id() {
        return id;
    }

    public boolean hasAudio() {
        return hasAudio;
    }

    public boolean hasVideo() {
        return hasVideo;
    }

    public synchronized void appendAudio(short[] pcm48k) {
        if (audioLength + pcm48k.length > audio.length) {
            audio = Arrays.copyOf(audio, Math.max(audio.length * 2, audioLength + pcm48k.length));
        }
        System.arraycopy(pcm48k, 0, audio, audioLength, pcm48k.length);
        audioLength += pcm48k.length;
    }

    /** A frame at {@code tsSamples} of the stream; timestamps must increase (the caller checks). */
    public synchronized void appendFrame(long tsSamples, byte[] i420) {
        frames.addLast(new Frame(tsSamples, i420));
        framesBytes += i420.length;
        lastFrameSamples = tsSamples;
    }

    /** No more media will come; what has arrived plays to its end. */
    public synchronized void close() {
        closed = true;
    }

    /** Interrupted: it ends on its next tick and takes no more media. */
    public synchronized void cut() {
        closed = true;
        cut = true;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** It has played its last tick (or was cut and ticked once more). */
    public synchronized boolean isEnded() {
        return ended;
    }

    public synchronized boolean isCut() {
        return cut;
    }

    public synchronized long audioSamples() {
        return audioBase + audioLength;
    }

    /** The timestamp of the last frame that arrived, in samples; -1 before the first. */
    public synchronized long lastFrameSamples() {
        return lastFrameSamples;
    }

    public synchronized long positionSamples() {
        return positionSamples;
    }

    public synchronized long gapTicks() {
        return gapTicks;
    }

    /** It may start: the lead of every kind it carries has arrived, or it is closed. */
    public synchronized boolean startable() {
        return closed
                || ((!hasAudio || audioSamples() >= leadSamples)
                        && (!hasVideo || (lastFrameSamples >= 0 && lastFrameSamples + tickSamples >= leadSamples)));
    }

    /**
     * Media that arrived and can play, in samples: of a segment with audio and video, the shorter
     * of the two (a producer that sends all its audio first is not held back before its frames).
     */
    public synchronized long unplayedSamples() {
        long audioAhead = audioSamples() - positionSamples;
        long videoAhead = lastFrameSamples < 0 ? -positionSamples : lastFrameSamples + tickSamples - positionSamples;
        long ahead = hasAudio && hasVideo ? Math.min(audioAhead, videoAhead) : hasAudio ? audioAhead : videoAhead;
        return Math.max(0, ahead);
    }

    /** Media received of the longer kind, in samples. */
    public synchronized long receivedSamples() {
        return Math.max(
                hasAudio ? audioSamples() : 0, hasVideo && lastFrameSamples >= 0 ? lastFrameSamples + tickSamples : 0);
    }

    @Override
    public synchronized long memoryBytes() {
        return 2L * audio.length + framesBytes;
    }

    @Override
    public synchronized long frameTicks() {
        return (unplayedSamples() + tickSamples - 1) / tickSamples;
    }

    /**
     * Plays one tick of {@code lengthSamples}: its audio is the next {@code lengthSamples} of the
     * stream, its frame the one nearest its start (the last frame at or before the tick's middle).
     * A tick is ready when the audio to its end and a frame past the middle of the previous tick
     * have arrived (or the stream is closed); otherwise it is a gap.
     * Example, 30 fps (1600 samples a tick), position 3200: ready with 4800 samples of audio and
     * a frame at 2401 or later; shows the last frame at or before 4000.
     */
    public synchronized TickMedia tick(long lengthSamples) {
        if (cut || (closed && positionSamples >= endSamples())) {
            ended = true;
            return new TickMedia(null, NO_AUDIO, false, true);
        }
        boolean audioReady = !hasAudio || closed || audioSamples() >= positionSamples + lengthSamples;
        boolean videoReady = !hasVideo
                || closed
                || (lastFrameSamples >= 0 && 2 * lastFrameSamples > 2 * positionSamples - lengthSamples);
        if (!audioReady || !videoReady) {
            gapTicks++;
            return new TickMedia(null, NO_AUDIO, true, false);
        }
        long middle2 = 2 * positionSamples + lengthSamples;
        while (frames.size() > 1 && 2 * secondFrame().tsSamples() <= middle2) {
            framesBytes -= frames.pollFirst().i420().length;
        }
        Frame head = frames.peekFirst();
        byte[] frame = head != null && 2 * head.tsSamples() <= middle2 ? head.i420() : null;
        short[] pcm = NO_AUDIO;
        if (hasAudio) {
            int n = (int) Math.max(0, Math.min(lengthSamples, audioSamples() - positionSamples));
            int from = (int) (positionSamples - audioBase);
            pcm = Arrays.copyOfRange(audio, from, from + n);
            dropAudioBefore(positionSamples + n);
        }
        positionSamples += lengthSamples;
        return new TickMedia(frame, pcm, false, false);
    }

    private long endSamples() {
        return hasAudio ? audioSamples() : lastFrameSamples + tickSamples;
    }

    private Frame secondFrame() {
        var it = frames.iterator();
        it.next();
        return it.next();
    }

    private void dropAudioBefore(long sample) {
        int drop = (int) (sample - audioBase);
        if (drop >= AudioChunks.SAMPLE_RATE) {
            System.arraycopy(audio, drop, audio, 0, audioLength - drop);
            audioLength -= drop;
            audioBase = sample;
        }
    }
}
