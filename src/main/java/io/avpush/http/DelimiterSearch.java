package io.avpush.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Finds a multipart delimiter ({@code CRLF--boundary}) in a chunk of the body: the hot loop of
 * {@link MultipartScanner}, which the upload's server CPU depends on (docs/benchmarks.md,
 * "Ingestion"). Boyer-Moore-Horspool looks at the chunk's byte under the delimiter's last one and,
 * unless the delimiter ends there, moves on as far as that byte allows: the delimiter's whole length
 * when the byte is not in it, so a longer boundary is found in fewer steps.
 *
 * <p>Example: delimiter {@code "\r\n--ab"} (6 bytes) in {@code "xxxx\r\n--abyy"}: at 0 the byte under
 * the delimiter's last is LF, 4 places before the delimiter's end: move 4; at 4 it is {@code 'b'},
 * and the 5 bytes before it match: the delimiter starts at 4.
 *
 * <p>Immutable; one per body (the delimiter is the body's own).
 */
final class DelimiterSearch {

    private final byte[] needle;
    /**
     * By the byte under the delimiter's last one, how far the start moves on: from that byte's last
     * place in the delimiter (its final byte aside) to the end, or the whole length when it is not in it.
     */
    private final int[] skip = new int[256];

    DelimiterSearch(byte[] delimiter) {
        this.needle = delimiter.clone();
        int n = needle.length;
        Arrays.fill(skip, n);
        for (int i = 0; i < n - 1; i++) {
            skip[needle[i] & 0xFF] = n - 1 - i;
        }
    }

    /** The delimiter's length in bytes. */
    int length() {
        return needle.length;
    }

    /**
     * The first delimiter wholly in {@code in} between {@code from} and {@code limit}, or -1:
     * Horspool, in four lanes over the four quarters of a long range (a match may reach into the
     * next quarter), advanced in turn. One lane's steps depend on each other (the next position
     * waits for the byte read at this one); four lanes keep four reads in flight, and search a
     * chunk in about a third of the time one lane takes.
     */
    int indexOf(ByteBuffer in, int from, int limit) {
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

    /** Whether the whole delimiter is in {@code bytes} at {@code at}. */
    boolean matchesAt(byte[] bytes, int at) {
        for (int j = 0; j < needle.length; j++) {
            if (bytes[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
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
}
