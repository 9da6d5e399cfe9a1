package io.avpush.media;

import java.math.BigInteger;

/**
 * Exact integer products and quotients for the media clock. Frame and sample positions are
 * rationals; computing them in {@code double} drifts by a sample or a nanosecond after hours,
 * and plain {@code long} products overflow. Here a product is taken in 128 bits and only falls
 * back to {@link BigInteger} when it really does not fit in a {@code long}.
 */
final class ExactMath {

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private ExactMath() {}

    /**
     * floor(a * b / c) without overflow in the product; c must be positive.
     * Example: mulDivFloor(1, 1_001_000_000_000L, 30_000) = 33_366_666 (33_366_666.67 floored).
     */
    static long mulDivFloor(long a, long b, long c) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
            return Math.floorDiv(low, c);
        }
        BigInteger product = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b));
        return toLong(floorDiv(product, BigInteger.valueOf(c)), a, b, 1);
    }

    /** floor(a * b * c / d) exactly; d must be positive. */
    static long mulMulDivFloor(long a, long b, long c, long d) {
        long high = Math.multiplyHigh(b, c);
        long low = b * c;
        if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
            return mulDivFloor(a, low, d);
        }
        BigInteger product =
                BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).multiply(BigInteger.valueOf(c));
        return toLong(floorDiv(product, BigInteger.valueOf(d)), a, b, c);
    }

    /** ceil(a * b * c / d) exactly; d must be positive. Example: ceil(12345 * 30000 * 1 / 48_048_000) = 8. */
    static long mulMulDivCeil(long a, long b, long c, long d) {
        return -mulMulDivFloor(Math.negateExact(a), b, c, d);
    }

    private static BigInteger floorDiv(BigInteger x, BigInteger d) {
        BigInteger[] qr = x.divideAndRemainder(d);
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    private static long toLong(BigInteger q, long a, long b, long c) {
        if (q.compareTo(LONG_MIN) < 0 || q.compareTo(LONG_MAX) > 0) {
            throw new ArithmeticException(
                    "media position out of range: " + a + " * " + b + " * " + c + " / divisor does not fit in a long");
        }
        return q.longValue();
    }
}
