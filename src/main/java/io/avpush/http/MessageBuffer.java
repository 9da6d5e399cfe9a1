package io.avpush.http;

import io.avpush.api.ApiError;
import java.nio.ByteBuffer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.util.ByteString;

/**
 * The binary message a {@link StreamSocket} is receiving, copied here from its chunks as they
 * arrive: the one copy of a streamed frame, which libyuv converts from this direct buffer. One per
 * connection, as its messages are handled one at a time; allocated with the first binary message,
 * so a producer that sends none costs nothing.
 */
final class MessageBuffer {

    private final long maxBytes;
    private ByteBuffer buffer;

    /** @param maxBytes the longest message taken; a longer one is refused */
    MessageBuffer(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** What the producer is told when a message was refused for its length. */
    ApiError tooLarge() {
        return ApiError.tooLarge(
                "a message exceeds " + maxBytes + " bytes; send one frame or one audio chunk per message");
    }

    /** Makes room for the next message. */
    void start() {
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect((int) maxBytes);
        }
        buffer.clear();
    }

    /** Copies the message's next chunk; refuses a message over the limit. */
    void append(ByteString chunk) {
        if (chunk.size() > buffer.remaining()) {
            throw new StreamLimitReachedException(maxBytes);
        }
        for (ByteBuffer b : chunk.getByteBuffers()) {
            buffer.put(b);
        }
    }

    /** The message received, from its first byte to its last: once, after its last chunk. */
    ByteBuffer message() {
        return buffer.flip();
    }
}
