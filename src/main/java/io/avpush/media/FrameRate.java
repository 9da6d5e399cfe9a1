package io.avpush.media;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * An exact frame rate as a reduced fraction {@code num/den} frames per second (30/1,
 * 30000/1001, 25/1). Every frame, nanosecond and sample position is derived from it with
 * integer math, so an hour of 29.97 fps is exactly 107892 frames and no rounding piles up;
 * {@code 1000 / 30} style periods are what made the old sender drift.
 *
 * <p>The fraction is reduced in the constructor, so {@code new FrameRate(60, 2)} equals
 * {@code new FrameRate(30, 1)}.
 */
public record FrameRate(long num, long den) {

    private static final long NS_PER_SECOND = 1_000_000_000L;
    private static final int MAX_FPS = 120;
    private static final int MAX_DECIMALS = 6;
    /** As precise as {@link #MAX_DECIMALS} decimals allow. */
    private static final long MAX_DEN = 1_000_000;

    public FrameRate {
        String problem = problem(num, den);
        if (problem != null) {
            throw new IllegalArgumentException("fps = " + num + "/" + den + " " + problem);
        }
        long gcd = BigInteger.valueOf(num).gcd(BigInteger.valueOf(den)).longValueExact();
        num /= gcd;
        den /= gcd;
    }

    /**
     * Why {@code num/den} is no frame rate avpush can use, as the end of a sentence that names the
     * value, or null when it is one.
     */
    private static String problem(long num, long den) {
        if (num <= 0 || den <= 0) {
            return "is not a frame rate; numerator and denominator must be positive";
        }
        if (num < den || (num - 1) / MAX_FPS + 1 > den) {
            return "(" + (double) num / den + " frames per second) is out of range; use 1 to " + MAX_FPS;
        }
        long gcd = BigInteger.valueOf(num).gcd(BigInteger.valueOf(den)).longValueExact();
        if (den / gcd > MAX_DEN) {
            // 1e9 * den must stay a long in the frame math (found by WavDecoderFuzzTest: 2^63-1 / 2^63-2).
            return "is too precise; the denominator (reduced) may be at most " + MAX_DEN + ", e.g. 30000/1001";
        }
        return null;
    }

    /**
     * Parses "30", "25.5" (51/2), "30000/1001", and the NTSC decimals written with two or more
     * decimals that round from n*1000/1001: "29.97", "23.976", "59.94", "23.98" all mean
     * n*1000/1001 for n = 30, 24, 60, 24. An integer such as "24.0" stays 24/1.
     *
     * @throws IllegalArgumentException with a message for the person who wrote the value, which
     *     starts "fps "
     */
    public static FrameRate parse(String text) {
        return parse(text, "fps");
    }

    /**
     * {@link #parse(String)}, with {@code name} naming the value in the message, e.g. "field 'fps'":
     * "field 'fps' = 'thirty' is not a frame rate; write it as 30, 29.97 or 30000/1001". The
     * message says what is wrong and how to write a rate; the caller may add what else to do.
     */
    public static FrameRate parse(String text, String name) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(name + " is missing; write it as 30, 29.97 or 30000/1001");
        }
        String s = text.trim();
        String refused = name + " = '" + s + "' ";
        try {
            int slash = s.indexOf('/');
            if (slash >= 0) {
                long num = Long.parseLong(s.substring(0, slash).trim());
                long den = Long.parseLong(s.substring(slash + 1).trim());
                String problem = problem(num, den);
                if (problem != null) {
                    throw new IllegalArgumentException(refused + problem);
                }
                return new FrameRate(num, den);
            }
            BigDecimal value = new BigDecimal(s);
            if (value.scale() > MAX_DECIMALS
                    || value.compareTo(BigDecimal.ONE) < 0
                    || value.compareTo(BigDecimal.valueOf(MAX_FPS)) > 0) {
                throw new IllegalArgumentException(refused + "is out of range or too precise;" + " use 1 to " + MAX_FPS
                        + " with at most " + MAX_DECIMALS + " decimals");
            }
            FrameRate ntsc = ntscFor(value);
            if (ntsc != null) {
                return ntsc;
            }
            BigDecimal plain = value.stripTrailingZeros();
            int scale = Math.max(0, plain.scale());
            // 1 to 120 with at most 6 decimals: always a rate the constructor takes.
            return new FrameRate(
                    plain.movePointRight(scale).longValueExact(),
                    BigInteger.TEN.pow(scale).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(refused + "is not a frame rate; write it as 30, 29.97 or 30000/1001", e);
        }
    }

    /** n*1000/1001 if {@code value} is that fraction rounded to its written decimals, else null. */
    private static FrameRate ntscFor(BigDecimal value) {
        if (value.scale() < 2 || value.stripTrailingZeros().scale() <= 0) {
            return null;
        }
        long n = value.multiply(BigDecimal.valueOf(1001, 3))
                .setScale(0, RoundingMode.HALF_UP)
                .longValueExact();
        if (n < 1) {
            return null;
        }
        BigDecimal exact =
                BigDecimal.valueOf(n * 1000).divide(BigDecimal.valueOf(1001), value.scale(), RoundingMode.HALF_UP);
        return exact.compareTo(value) == 0 ? new FrameRate(n * 1000, 1001) : null;
    }

    /** Frames per second as a double, for display and logs only. */
    public double fps() {
        return (double) num / den;
    }

    /**
     * Start of frame {@code frameIndex} in ns: floor(frameIndex * 1e9 * den / num).
     * Example: 30000/1001, frame 1 → floor(33_366_666.67) = 33_366_666 ns.
     */
    public long frameStartNs(long frameIndex) {
        return ExactMath.mulMulDivFloor(frameIndex, NS_PER_SECOND, den, num);
    }

    /**
     * The last frame whose {@link #frameStartNs} is ≤ ptsNs: floor(((ptsNs + 1) * num - 1) / (1e9 * den)),
     * so that {@code frameIndexAtNs(frameStartNs(n)) == n} even when a frame start was floored.
     * Example: 30000/1001, ptsNs 33_366_666 → frame 1 (plain floor(ptsNs * num / (1e9 * den)) gives 0).
     */
    public long frameIndexAtNs(long ptsNs) {
        return lastFrameStartingAtOrBefore(ptsNs, NS_PER_SECOND);
    }

    /**
     * First sample of frame {@code frameIndex}: floor(frameIndex * sampleRate * den / num).
     * Example: 30000/1001 at 48000 Hz, frame 1 → floor(1601.6) = 1601; frame 107892 (about one
     * hour) → floor(172_799_827.2) = 172_799_827, with no error carried from earlier frames.
     */
    public long sampleIndexAtFrame(long frameIndex, int sampleRate) {
        return ExactMath.mulMulDivFloor(frameIndex, requirePositive(sampleRate), den, num);
    }

    /**
     * The frame on screen while sample {@code sampleIndex} plays: the last frame whose
     * {@link #sampleIndexAtFrame} is ≤ sampleIndex, floor(((sampleIndex + 1) * num - 1) / (sampleRate * den)).
     * Example: 30000/1001 at 48000 Hz, sample 1600 → frame 0, sample 1601 → frame 1.
     */
    public long frameIndexAtSample(long sampleIndex, int sampleRate) {
        return lastFrameStartingAtOrBefore(sampleIndex, requirePositive(sampleRate));
    }

    /** Max n with floor(n * unitsPerSecond * den / num) ≤ position. */
    private long lastFrameStartingAtOrBefore(long position, long unitsPerSecond) {
        // n * U * den / num < position + 1  ⇔  n * U * den ≤ (position + 1) * num - 1
        long unitsTimesDen = Math.multiplyExact(unitsPerSecond, den);
        long next = Math.addExact(position, 1);
        long high = Math.multiplyHigh(next, num);
        long low = next * num;
        if ((high == 0 && low >= 0) || (high == -1 && low < 0)) {
            return Math.floorDiv(Math.subtractExact(low, 1), unitsTimesDen);
        }
        BigInteger limit =
                BigInteger.valueOf(next).multiply(BigInteger.valueOf(num)).subtract(BigInteger.ONE);
        BigInteger[] qr = limit.divideAndRemainder(BigInteger.valueOf(unitsTimesDen));
        BigInteger floor = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
        return floor.longValueExact();
    }

    private static long requirePositive(int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
        }
        return sampleRate;
    }

    @Override
    public String toString() {
        return num + "/" + den;
    }
}
