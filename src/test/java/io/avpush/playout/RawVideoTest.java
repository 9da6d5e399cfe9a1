package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Raw frames kept as the chunks they arrived in read as one array would, at any offset. */
class RawVideoTest {

    /** Bytes 0..9 in chunks of 3, 0, 5 and 2 bytes; the middle ones are views into larger arrays. */
    private static RawVideo chunked() {
        ByteBuffer second =
                ByteBuffer.wrap(new byte[] {99, 3, 4, 5, 6, 7, 99}, 1, 5).asReadOnlyBuffer();
        return RawVideo.of(List.of(
                ByteBuffer.wrap(new byte[] {0, 1, 2}), ByteBuffer.allocate(0), second, ByteBuffer.wrap(new byte[] {8, 9
                })));
    }

    @ParameterizedTest(name = "{1} bytes at {0}")
    @CsvSource({"0, 10", "2, 4", "3, 5", "7, 3", "9, 1", "10, 0", "4, 0"})
    void copiesFromAnyOffsetAcrossChunks(long offset, int n) {
        ByteBuffer dst = ByteBuffer.allocateDirect(n);
        chunked().copyTo(offset, dst);
        assertEquals(n, dst.position());
        byte[] got = new byte[n];
        dst.flip().get(got);
        byte[] expected = new byte[n];
        Arrays.setAll(new int[n], i -> expected[i] = (byte) (offset + i));
        assertArrayEquals(expected, got);
    }

    @ParameterizedTest(name = "{1} bytes at {0}")
    @CsvSource({"8, 3", "-1, 1", "11, 0"})
    void refusesToReadPastItsEnd(long offset, int n) {
        assertThrows(IndexOutOfBoundsException.class, () -> chunked().copyTo(offset, ByteBuffer.allocate(n)));
    }

    @org.junit.jupiter.api.Test
    void itsLengthHeadAndArrayAreThoseOfTheBytesInOrder() {
        RawVideo v = chunked();
        assertEquals(10, v.length());
        assertArrayEquals(new byte[] {0, 1, 2, 3}, v.head(4));
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, v.head(64));
        assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, v.toArray());
        assertEquals(0, RawVideo.of(List.of()).length());
    }
}
