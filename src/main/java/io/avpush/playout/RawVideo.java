package io.avpush.playout;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The bytes of an upload's part 'video' (raw frames back to back) as they were received: the
 * chunks in order, not copied into one array. Raw frames are tens of MB an upload; each frame is
 * copied once, from these chunks into the native memory where libyuv converts it (see
 * {@link SegmentDecoder}). Immutable: the chunks are views nobody writes to. Crosses nodes as one
 * byte array.
 */
public final class RawVideo {

    private final ByteBuffer[] chunks;
    /** Where each chunk starts in the whole. */
    private final long[] starts;

    private final long length;

    private RawVideo(ByteBuffer[] chunks) {
        this.chunks = chunks;
        this.starts = new long[chunks.length];
        long at = 0;
        for (int i = 0; i < chunks.length; i++) {
            starts[i] = at;
            at += chunks[i].remaining();
        }
        this.length = at;
    }

    /** The bytes of one array (not copied: the caller does not change them afterwards). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static RawVideo of(byte[] bytes) {
        return new RawVideo(new ByteBuffer[] {ByteBuffer.wrap(bytes)});
    }

    /** The bytes of {@code chunks}, each from its position to its limit, in order (the buffers are kept). */
    public static RawVideo of(List<ByteBuffer> chunks) {
        return new RawVideo(chunks.stream().map(ByteBuffer::slice).toArray(ByteBuffer[]::new));
    }

    public long length() {
        return length;
    }

    /** All the bytes in one new array (a copy: for the rare paths that need one, and across nodes). */
    @JsonValue
    public byte[] toArray() {
        byte[] all = new byte[Math.toIntExact(length)];
        copyTo(0, ByteBuffer.wrap(all));
        return all;
    }

    /** The first {@code n} bytes, or all of them when there are fewer. */
    public byte[] head(int n) {
        byte[] head = new byte[(int) Math.min(n, length)];
        copyTo(0, ByteBuffer.wrap(head));
        return head;
    }

    /**
     * Copies the bytes from {@code offset} on into {@code dst}, as many as it has room for (its
     * position advances by that many).
     * Example: chunks of 3 and 5 bytes, offset 2, 4 bytes of room: byte 2 of the first, bytes 0-2 of the second.
     */
    public void copyTo(long offset, ByteBuffer dst) {
        if (offset < 0 || offset + dst.remaining() > length) {
            throw new IndexOutOfBoundsException(dst.remaining() + " bytes at " + offset + " of " + length);
        }
        int i = chunkAt(offset);
        long at = offset;
        while (dst.hasRemaining()) {
            ByteBuffer chunk = chunks[i];
            int from = (int) (at - starts[i]);
            int n = Math.min(chunk.remaining() - from, dst.remaining());
            dst.put(dst.position(), chunk, chunk.position() + from, n);
            dst.position(dst.position() + n);
            at += n;
            i++;
        }
    }

    /** The chunk that holds byte {@code offset}: the last one starting at or before it. */
    private int chunkAt(long offset) {
        int lo = 0;
        int hi = chunks.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
