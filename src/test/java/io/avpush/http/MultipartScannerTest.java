package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scanner finds the same parts, byte for byte, however the body is cut into chunks: a
 * delimiter split across chunks, chunks shorter than the delimiter, part bytes that look like the
 * start of a delimiter, a body that opens with its first delimiter or with a preamble.
 */
class MultipartScannerTest {

    private static final String BOUNDARY = "b0und4ry";

    /** Part bytes full of CR, LF and '-' and of the boundary's prefix, so that near-matches abound. */
    private static byte[] tricky(int length, long seed) {
        byte[] alphabet = "\r\n--b0und4r-x".getBytes(StandardCharsets.ISO_8859_1);
        Random rnd = new Random(seed);
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = alphabet[rnd.nextInt(alphabet.length)];
        }
        return b;
    }

    private static byte[] body(String preamble, List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(preamble.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < parts.size(); i++) {
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"p" + i + "\"\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(parts.get(i));
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes(("--" + BOUNDARY + "--\r\nepilogue").getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** Feeds {@code body} in chunks of {@code chunk} bytes; the parts' header lines and bytes, in order. */
    private static List<String> scan(byte[] body, int chunk, List<byte[]> bytes, boolean finish) {
        List<String> headers = new ArrayList<>();
        MultipartScanner scanner = new MultipartScanner(BOUNDARY, lines -> {
            headers.add(lines.utf8String());
            ByteArrayOutputStream part = new ByteArrayOutputStream();
            return CompletableFuture.completedFuture(new MultipartScanner.PartSink() {
                @Override
                public void data(ByteBuffer b) {
                    byte[] copy = new byte[b.remaining()];
                    b.get(copy);
                    part.writeBytes(copy);
                }

                @Override
                public void end() {
                    bytes.add(part.toByteArray());
                }
            });
        });
        for (int at = 0; at < body.length; at += chunk) {
            scanner.feed(ByteString.fromArray(body, at, Math.min(chunk, body.length - at)))
                    .toCompletableFuture()
                    .join();
        }
        if (finish) {
            scanner.finish();
        }
        return headers;
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 5, 11, 12, 13, 24, 100, 4096, 1 << 20})
    void findsEveryPartWhateverTheChunking(int chunk) {
        List<byte[]> parts = List.of(tricky(5000, 1), new byte[0], tricky(3, 2), tricky(70_000, 3));
        for (String preamble : new String[] {"", "a preamble\r\n"}) {
            List<byte[]> got = new ArrayList<>();
            List<String> headers = scan(body(preamble, parts), chunk, got, true);
            assertEquals(
                    List.of(
                            "Content-Disposition: form-data; name=\"p0\"",
                            "Content-Disposition: form-data; name=\"p1\"",
                            "Content-Disposition: form-data; name=\"p2\"",
                            "Content-Disposition: form-data; name=\"p3\""),
                    headers);
            assertEquals(parts.size(), got.size());
            for (int i = 0; i < parts.size(); i++) {
                assertTrue(Arrays.equals(parts.get(i), got.get(i)), "part " + i + " with preamble '" + preamble + "'");
            }
        }
    }

    /** In one chunk, the first part's end falls in each quarter of the range searched (the search's four lanes). */
    @ParameterizedTest(name = "first part of {0} bytes")
    @ValueSource(ints = {10_000, 40_000, 70_000, 100_000, 119_990})
    void findsTheFirstDelimiterInAnyQuarterOfALongChunk(int first) {
        List<byte[]> parts = List.of(tricky(first, 5), tricky(120_000 - first, 6));
        List<byte[]> got = new ArrayList<>();
        scan(body("", parts), 1 << 20, got, true);
        assertEquals(2, got.size());
        assertTrue(Arrays.equals(parts.get(0), got.get(0)) && Arrays.equals(parts.get(1), got.get(1)));
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {1, 7, 4096})
    void aBodyCutBeforeItsClosingDelimiterIsUnexpectedEnd(int chunk) {
        byte[] whole = body("", List.of(tricky(1000, 4)));
        byte[] cut = Arrays.copyOf(whole, whole.length - 20);
        EntityStreamException e =
                assertThrows(EntityStreamException.class, () -> scan(cut, chunk, new ArrayList<>(), true));
        assertEquals("Unexpected end of multipart entity", e.info().summary());
    }
}
