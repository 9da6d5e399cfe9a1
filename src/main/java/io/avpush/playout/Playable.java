package io.avpush.playout;

/** What the session's queue holds: a segment decoded whole, or one whose media still streams in. */
public sealed interface Playable permits Segment, LiveSegment {
    String id();

    /** Memory its media takes now. */
    long memoryBytes();

    /** Frame ticks it will still take (for a live segment: what has arrived and not played). */
    long frameTicks();
}
