package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The search finds the first whole delimiter between {@code from} and {@code limit}, in a short
 * range (one lane) and in a long one (four lanes, whichever quarter the delimiter is in), among
 * bytes that begin it or end it.
 */
class DelimiterSearchTest {

    private static final byte[] DELIMITER = "\r\n--ab".getBytes(StandardCharsets.ISO_8859_1);
    private final DelimiterSearch search = new DelimiterSearch(DELIMITER);

    /** A chunk as Pekko hands it on: a read-only view of a heap array. */
    private static ByteBuffer chunk(byte[] bytes) {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** In {@code text}, '|' stands for CRLF; limit -1 is the text's end. */
    @ParameterizedTest(name = "\"{0}\" from {1} to {2}: {3}")
    @CsvSource({
        "xxxx|--abyy,     0, -1,  4", // the class comment's example
        "|--ab,           0, -1,  0", // the whole range is the delimiter
        "xx|--ab,         0, -1,  2", // it ends at the limit
        "xx|--ab,         0,  6, -1", // the limit cuts it
        "|--ab,           0,  5, -1",
        "xx|--a,          0, -1, -1", // only its beginning
        "'',              0, -1, -1",
        "xx,              0, -1, -1", // shorter than the delimiter
        "|--ab|--ab,      0, -1,  0", // the first of two
        "|--ab|--ab,      1, -1,  6", // the one after from
        "x|--ab,          2, -1, -1",
        "|---ab|--ab,     0, -1,  7", // one dash too many
        "|--a|--ab,       0, -1,  5", // cut short, then whole
        "ab--ab|-ab|--ab, 0, -1, 11", // its end without its beginning
        "--ab|--ab,       0, -1,  4", // "--boundary" alone is no delimiter
        "||--ab,          0, -1,  2",
        "bbbbbb|--ab,     0, -1,  6", // 'b' only ends it: every step moves on by its length
    })
    void findsTheFirstDelimiterInAShortRange(String text, int from, int limit, int expected) {
        byte[] bytes = text.replace("|", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(expected, search.indexOf(chunk(bytes), from, limit < 0 ? bytes.length : limit));
    }

    /**
     * 20,000 bytes from 0 (from 100 where said): lanes start at 0, 4998, 9996 and 14994, the last
     * possible start is 19994. The delimiter is put at each of {@code at}.
     */
    @ParameterizedTest(name = "delimiters at [{0}] from {1}: {2}")
    @CsvSource({
        "'',                 0, -1",
        "0,                  0,  0",
        "19994,              0, 19994", // ends at the limit
        "4995,               0, 4995", // reaches into the second quarter
        "4998,               0, 4998", // the second quarter's first start
        "14990,              0, 14990", // reaches into the fourth quarter
        "3000 19000,         0, 3000", // the first quarter's is first
        "12000 6000,         0, 6000", // the second quarter's before the third's
        "16000 17000 11000,  0, 11000",
        "9000 9500,          0, 9000", // two in one quarter
        "17000 18000,        0, 17000",
        "50 7000,          100, 7000", // one before from does not count
    })
    void findsTheFirstDelimiterInAnyQuarterOfALongRange(String at, int from, int expected) {
        byte[] bytes = nearMisses(20_000, 7);
        for (String start : at.split(" ")) {
            if (!start.isEmpty()) {
                System.arraycopy(DELIMITER, 0, bytes, Integer.parseInt(start), DELIMITER.length);
            }
        }
        assertEquals(expected, search.indexOf(chunk(bytes), from, bytes.length));
    }

    /** Wherever the range starts and ends, the search agrees with a search position by position. */
    @Test
    void agreesWithANaiveSearch() {
        Random rnd = new Random(11);
        for (int round = 0; round < 300; round++) {
            byte[] bytes = nearMisses(rnd.nextInt(12_000), round);
            int delimiters = bytes.length < DELIMITER.length ? 0 : rnd.nextInt(4);
            for (int k = 0; k < delimiters; k++) {
                System.arraycopy(
                        DELIMITER, 0, bytes, rnd.nextInt(bytes.length - DELIMITER.length + 1), DELIMITER.length);
            }
            int from = bytes.length == 0 ? 0 : rnd.nextInt(bytes.length);
            int limit = from + rnd.nextInt(bytes.length - from + 1);
            assertEquals(
                    naive(bytes, from, limit),
                    search.indexOf(chunk(bytes), from, limit),
                    "round " + round + ": " + bytes.length + " bytes from " + from + " to " + limit);
        }
    }

    @Test
    void matchesTheWholeDelimiterInAnArray() {
        byte[] bytes = "x\r\n--abx\r\n--ax".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(search.matchesAt(bytes, 1));
        assertFalse(search.matchesAt(bytes, 0));
        assertFalse(search.matchesAt(bytes, 8), "one byte differs");
    }

    /** Bytes of the delimiter's alphabet, so that near-matches abound, with no whole delimiter. */
    private static byte[] nearMisses(int length, long seed) {
        byte[] alphabet = "\r\n--abx".getBytes(StandardCharsets.ISO_8859_1);
        Random rnd = new Random(seed);
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = alphabet[rnd.nextInt(alphabet.length)];
        }
        for (int i = naive(b, 0, length); i >= 0; i = naive(b, i, length)) {
            b[i + DELIMITER.length - 1] = 'x';
        }
        return b;
    }

    private static int naive(byte[] bytes, int from, int limit) {
        for (int i = from; i + DELIMITER.length <= limit; i++) {
            if (Arrays.equals(bytes, i, i + DELIMITER.length, DELIMITER, 0, DELIMITER.length)) {
                return i;
            }
        }
        return -1;
    }
}
