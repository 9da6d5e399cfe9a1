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
 * ({@code CRLF--boundary}) is found with Boyer-Moore-Horspool over each chunk, which skips up to the
 * delimiter's length per comparison; a delimiter split across two chunks is found in a small joint
 * of the chunk's tail and the next chunk's head.
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

  private enum State { BODY, AFTER_DELIMITER, AFTER_DASH, AFTER_CR, HEADERS, EPILOGUE }

  private final byte[] needle;
  private final int[] skip = new int[256];
  private final PartOpener opener;
  /** Body bytes at the end of the last chunk that may begin a delimiter, at most needle.length - 1. */
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
    this.needle = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    this.opener = opener;
    this.carry = new byte[needle.length];
    this.joint = new byte[2 * needle.length];
    int n = needle.length;
    Arrays.fill(skip, n);
    for (int i = 0; i < n - 1; i++) {
      skip[needle[i] & 0xFF] = n - 1 - i;
    }
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
          return opener.open(lines).thenComposeAsync(next -> {
            sink = next;
            state = State.BODY;
            return resume();
          }, SameThread.EXECUTOR);
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
          throw malformed("a multipart boundary line continues with other characters than spaces before its line end");
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
          throw new EntityStreamException(new ErrorInfo("a part's header lines exceed " + MAX_HEADER_BYTES
              + " bytes", ""));
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
    int n = needle.length;
    if (carryLength > 0) {
      // A delimiter that starts in the carried bytes ends in this chunk's first n - 1 bytes.
      int head = Math.min(n - 1, in.remaining());
      System.arraycopy(carry, 0, joint, 0, carryLength);
      in.get(in.position(), joint, carryLength, head);
      int jointLength = carryLength + head;
      int found = -1;
      int decided = 0;
      for (int p = 0; p < carryLength && p + n <= jointLength; p++, decided++) {
        if (matchesAt(joint, p)) {
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
    int at = indexOf(in, start, limit);
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

  /**
   * The first delimiter wholly in {@code in} between {@code from} and {@code limit}, or -1:
   * Horspool, in four lanes over the four quarters of a long range (a match may reach into the
   * next quarter), advanced in turn. One lane's steps depend on each other (the next position
   * waits for the byte read at this one); four lanes keep four reads in flight, and search a
   * chunk in about a third of the time one lane takes.
   */
  private int indexOf(ByteBuffer in, int from, int limit) {
    int lastStart = limit - needle.length;
    int span = lastStart - from + 1;
    if (span < 4096) {
      return span <= 0 ? -1 : horspool(in, from, lastStart + 1);
    }
    int q = span / 4;
    int last = needle.length - 1;
    byte lastByte = needle[last];
    int i0 = from;
    int e0 = from + q;
    int i1 = e0;
    int e1 = e0 + q;
    int i2 = e1;
    int e2 = e1 + q;
    int i3 = e2;
    int e3 = lastStart + 1;
    int f0 = -1;
    int f1 = -1;
    int f2 = -1;
    int f3 = -1;
    while (i0 < e0 || i1 < e1 || i2 < e2 || i3 < e3) {
      if (i0 < e0) {
        byte b = in.get(i0 + last);
        if (b == lastByte && matchesAt(in, i0)) {
          f0 = i0;
          break; // the first quarter's match comes before any other
        }
        i0 += skip[b & 0xFF];
      }
      if (i1 < e1) {
        byte b = in.get(i1 + last);
        if (b == lastByte && matchesAt(in, i1)) {
          f1 = i1;
          e1 = i1;
        } else {
          i1 += skip[b & 0xFF];
        }
      }
      if (i2 < e2) {
        byte b = in.get(i2 + last);
        if (b == lastByte && matchesAt(in, i2)) {
          f2 = i2;
          e2 = i2;
        } else {
          i2 += skip[b & 0xFF];
        }
      }
      if (i3 < e3) {
        byte b = in.get(i3 + last);
        if (b == lastByte && matchesAt(in, i3)) {
          f3 = i3;
          e3 = i3;
        } else {
          i3 += skip[b & 0xFF];
        }
      }
    }
    return f0 >= 0 ? f0 : f1 >= 0 ? f1 : f2 >= 0 ? f2 : f3;
  }

  /** Horspool from {@code from} to (not including) {@code end} as a delimiter's start, or -1. */
  private int horspool(ByteBuffer in, int from, int end) {
    int last = needle.length - 1;
    byte lastByte = needle[last];
    for (int i = from; i < end; ) {
      byte b = in.get(i + last);
      if (b == lastByte && matchesAt(in, i)) {
        return i;
      }
      i += skip[b & 0xFF];
    }
    return -1;
  }

  /** Whether the delimiter's bytes before its last are at {@code at} (its last one was seen). */
  private boolean matchesAt(ByteBuffer in, int at) {
    for (int j = needle.length - 2; j >= 0; j--) {
      if (in.get(at + j) != needle[j]) {
        return false;
      }
    }
    return true;
  }

  private boolean matchesAt(byte[] bytes, int at) {
    for (int j = 0; j < needle.length; j++) {
      if (bytes[at + j] != needle[j]) {
        return false;
      }
    }
    return true;
  }

  private static EntityStreamException malformed(String what) {
    return new EntityStreamException(new ErrorInfo(what, ""));
  }
}
