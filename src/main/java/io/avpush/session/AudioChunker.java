package io.avpush.session;

import io.avpush.media.AudioChunks;
import io.avpush.playout.AudioTimeline;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Cuts the session's audio (the segments placed on its sample timeline, silence elsewhere) into
 * 10 ms chunks and hands each to the {@link ViewerGroup} with the instant it must be pushed:
 * the releasing frame's push instant plus the chunk's media offset from that frame.
 */
public final class AudioChunker extends AbstractBehavior<AudioChunker.Command> {

    public sealed interface Command {}

    /** Places a segment's audio, {@code pcm48k[from ..< to]}, at {@code startSample} of the session's 48 kHz timeline. */
    public record Place(String segmentId, long startSample, short[] pcm48k, int from, int to) implements Command {
        /** All of {@code pcm48k}. */
        public Place(String segmentId, long startSample, short[] pcm48k) {
            this(segmentId, startSample, pcm48k, 0, pcm48k.length);
        }
    }

    /** Silences everything from {@code sample} on (interrupt). */
    public record CutAt(long sample) implements Command {}

    /**
     * Releases every chunk before {@code upToChunkExclusive}; the frame whose media time is
     * {@code frameStartNs} is pushed at {@code frameDueNs}.
     */
    public record Release(long upToChunkExclusive, long frameStartNs, long frameDueNs) implements Command {}

    private final AudioTimeline timeline = new AudioTimeline();
    private final ActorRef<ViewerGroup.Command> peer;
    private long nextChunk;

    public static Behavior<Command> create(ActorRef<ViewerGroup.Command> peer) {
        return Behaviors.setup(ctx -> new AudioChunker(ctx, peer));
    }

    private AudioChunker(ActorContext<Command> context, ActorRef<ViewerGroup.Command> peer) {
        super(context);
        this.peer = peer;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Place.class, this::onPlace)
                .onMessage(CutAt.class, this::onCutAt)
                .onMessage(Release.class, this::onRelease)
                .build();
    }

    private Behavior<Command> onPlace(Place place) {
        timeline.place(place.startSample(), place.pcm48k(), place.from(), place.to());
        return this;
    }

    private Behavior<Command> onCutAt(CutAt cut) {
        timeline.cutAt(cut.sample());
        return this;
    }

    private Behavior<Command> onRelease(Release release) {
        for (; nextChunk < release.upToChunkExclusive(); nextChunk++) {
            AudioTimeline.Chunk chunk = timeline.chunk(nextChunk);
            long deadlineNs = release.frameDueNs() + AudioChunks.chunkStartNs(nextChunk) - release.frameStartNs();
            peer.tell(new ViewerGroup.PushAudio(nextChunk, chunk.pcm(), chunk.offset(), deadlineNs));
        }
        return this;
    }
}
