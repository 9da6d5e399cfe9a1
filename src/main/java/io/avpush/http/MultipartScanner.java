package io.avpush.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.util.ByteString;

/**
 * Splits a multipart body into its parts as it streams in, handing each part's bytes on as views
 * of the chunks received (no copy, no allocation per byte): raw frames make an upload of tens of
 * MB, and Pekko's own multipart parser spent about a third of the upload's server CPU searching for
 * the boundary through its ByteString ropes (docs/benchmarks.md, "Ingestion"). The delimiter
 * ({@code CRLF--boundary}) is found with Boyer-Moore-Horspool over each chunk ({@link
 * DelimiterSearch}), which skips up to the delimiter's length per comparison; a delimiter split
 * across two chunks is found in a small joint of the chunk's tail and the next chunk's head.
 *
 * <p>A part's header lines are not parsed here: {@link PartOpener} gets them (lines without the
 * blank line) and decides where the part's bytes go, so that one parser (Pekko's) judges every
 * header and says what is wrong with it. What comes before the first delimiter (the preamble) and
 * after the closing one (the epilogue) is ignored, as RFC 2046 says; a body that ends before the
 * closing delimiter fails with Pekko's "Unexpected end of multipart entity".
 *
 * <p>Not thread-safe: one instance per body, fed one chunk at a time (the next after the previous
 * one's stage completed).
 */
final class MultipartScanner {

    /** Where a part's bytes go, in order. */
    interface PartSink {
        /**
         * The next bytes of the part, from {@code bytes.position()} to its limit: a read-only view of
         * the chunk received, or of a small array of its own, which the sink may keep.
         */
        void data(ByteBuffer bytes);

        /** The part is complete. */
        void end();
    }

    /** Reads a part's header lines and tells where its bytes go; fails when the headers are not acceptable. */
    interface PartOpener {
        CompletionStage<PartSink> open(ByteString headerLines);
    }

    /** The largest header block of one part: 64 headers of Pekko's longest name and value fit. */
    static final int MAX_HEADER_BYTES = 1024 * 1024;

    private static final PartSink DISCARD = new PartSink() {
        @Override
        public void data(ByteBuffer bytes) {}

        @Override
        public void end() {}
    };

    private enum State {
        BODY,
        AFTER_DELIMITER,
        AFTER_DASH,
        AFTER_CR,
        HEADERS,
        EPILOGUE
    }

    private final DelimiterSearch delimiter;
    private final PartOpener opener;
    /** Body bytes at the end of the last chunk that may begin a delimiter, at most the delimiter's length - 1. */
    private final byte[] carry;

    private int carryLength;
    private final byte[] joint;
    private byte[] headers = new byte[256];
    private int headersLength;
    private State state = State.BODY;
    /** The preamble is a body whose bytes are dropped; the first delimiter may open the body without CRLF. */
    private PartSink sink = DISCARD;

    private Iterator<ByteBuffer> pending;
    private ByteBuffer current;

    MultipartScanner(String boundary, PartOpener opener) {
        this.delimiter = new DelimiterSearch(("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1));
        this.opener = opener;
        this.carry = new byte[delimiter.length()];
        this.joint = new byte[2 * delimiter.length()];
        // As if the body began with CRLF: "--boundary" at its very start is its first delimiter.
        carry[0] = '\r';
        carry[1] = '\n';
        carryLength = 2;
    }

    /**
     * Takes the next chunk of the body; the stage completes when all of it is consumed (at once,
     * unless a part's headers had to be read), or fails with the reason the body is refused.
     */
    CompletionStage<Void> feed(ByteString chunk) {
        pending = chunk.getByteBuffers().iterator();
        current = null;
        return resume();
    }

    /** The body ended: fails unless the closing delimiter was seen. */
    void finish() {
        if (state != State.EPILOGUE) {
            throw new EntityStreamException(new ErrorInfo("Unexpected end of multipart entity", ""));
        }
    }

    private CompletionStage<Void> resume() {
        try {
            while (true) {
                if (current == null || !current.hasRemaining()) {
                    if (!pending.hasNext()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    current = pending.next();
                    continue;
                }
                if (state != State.HEADERS) {
                    step(current);
                } else if (headerBlockComplete(current)) {
                    ByteString lines = ByteString.fromArray(headers, 0, headersLength);
                    headersLength = 0;
                    return opener.open(lines)
                            .thenComposeAsync(
                                    next -> {
                                        sink = next;
                                        state = State.BODY;
                                        return resume();
                                    },
                                    SameThread.EXECUTOR);
                }
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Consumes some of {@code in} in the current state, which is not HEADERS ({@link #headerBlockComplete}). */
    private void step(ByteBuffer in) {
        switch (state) {
            case BODY -> body(in);
            case EPILOGUE -> in.position(in.limit());
            case AFTER_DELIMITER -> {
                byte b = in.get();
                if (b == '-') {
                    state = State.AFTER_DASH;
                } else if (b == '\r') {
                    state = State.AFTER_CR;
                } else if (b != ' ' && b != '\t') {
                    throw malformed(
                            "a multipart boundary line continues with other characters than spaces before its line end");
                }
            }
            case AFTER_DASH -> {
                if (in.get() != '-') {
                    throw malformed("a multipart boundary is followed by a single '-'");
                }
                sink.end();
                sink = DISCARD;
                state = State.EPILOGUE;
            }
            case AFTER_CR -> {
                if (in.get() != '\n') {
                    throw malformed("a multipart boundary line ends in CR without LF");
                }
                sink.end();
                sink = DISCARD;
                state = State.HEADERS;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    /**
     * Copies header bytes from {@code in} up to and including the blank line that ends the part's
     * headers; true when it was reached ({@link #headers} then holds the lines without it).
     */
    private boolean headerBlockComplete(ByteBuffer in) {
        while (in.hasRemaining()) {
            if (headersLength == headers.length) {
                if (headers.length >= MAX_HEADER_BYTES) {
                    throw new EntityStreamException(
                            new ErrorInfo("a part's header lines exceed " + MAX_HEADER_BYTES + " bytes", ""));
                }
                headers = Arrays.copyOf(headers, Math.min(MAX_HEADER_BYTES, headers.length * 2));
            }
            headers[headersLength++] = in.get();
            int n = headersLength;
            if (n >= 2 && headers[n - 2] == '\r' && headers[n - 1] == '\n') {
                if (n == 2) {
                    headersLength = 0; // no header lines at all
                    return true;
                }
                if (n >= 4 && headers[n - 4] == '\r' && headers[n - 3] == '\n') {
                    headersLength = n - 4;
                    return true;
                }
            }
        }
        return false;
    }

    /** Hands {@code in}'s bytes to the part up to the next delimiter, keeping back what may start one. */
    private void body(ByteBuffer in) {
        int n = delimiter.length();
        if (carryLength > 0) {
            // A delimiter that starts in the carried bytes ends in this chunk's first n - 1 bytes.
            int head = Math.min(n - 1, in.remaining());
            System.arraycopy(carry, 0, joint, 0, carryLength);
            in.get(in.position(), joint, carryLength, head);
            int jointLength = carryLength + head;
            int found = -1;
            int decided = 0;
            for (int p = 0; p < carryLength && p + n <= jointLength; p++, decided++) {
                if (delimiter.matchesAt(joint, p)) {
                    found = p;
                    break;
                }
            }
            if (found >= 0) {
                sink.data(carried(found));
                in.position(in.position() + found + n - carryLength);
                carryLength = 0;
                state = State.AFTER_DELIMITER;
                return;
            }
            if (decided < carryLength) {
                // The chunk is too short to tell: what may still start a delimiter stays carried, with the chunk.
                sink.data(carried(decided));
                carryLength = jointLength - decided;
                System.arraycopy(joint, decided, carry, 0, carryLength);
                in.position(in.position() + head);
                return;
            }
            sink.data(carried(carryLength));
            carryLength = 0;
        }
        int start = in.position();
        int limit = in.limit();
        int at = delimiter.indexOf(in, start, limit);
        if (at >= 0) {
            sink.data(in.duplicate().limit(at));
            in.position(at + n);
            state = State.AFTER_DELIMITER;
            return;
        }
        int keep = Math.min(n - 1, limit - start);
        sink.data(in.duplicate().limit(limit - keep));
        in.get(limit - keep, carry, 0, keep);
        carryLength = keep;
        in.position(limit);
    }

    /** The first {@code n} carried bytes, in an array of their own (the carry is reused). */
    private ByteBuffer carried(int n) {
        return ByteBuffer.wrap(Arrays.copyOf(carry, n)).asReadOnlyBuffer();
    }

    private static EntityStreamException malformed(String what) {
        return new EntityStreamException(new ErrorInfo(what, ""));
    }
}
