package io.avpush.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Seeded generators of malformed and adversarial input for the fuzz tests. Every case draws from
 * its own Random seeded from {@code seed + caseIndex}, so a failure names the seed and the case, and
 * {@code -Davpush.fuzz.seed=S} replays the run. The seed is random unless given, so that every
 * run explores new cases; it is printed before the run and in every failure.
 */
public final class Fuzz {

    public final long seed;

    private Fuzz(long seed) {
        this.seed = seed;
    }

    /** The seed from -Davpush.fuzz.seed, else a fresh one; printed with {@code what}. */
    public static Fuzz seeded(String what) {
        String given = System.getProperty("avpush.fuzz.seed");
        long seed = given != null ? Long.parseLong(given) : new Random().nextLong();
        System.out.println("fuzz " + what + ": seed " + seed + " (replay with -Davpush.fuzz.seed=" + seed + ")");
        return new Fuzz(seed);
    }

    /**
     * The generator of one case. Its seed is mixed (SplittableRandom's mix64): Randoms seeded with
     * neighbouring numbers return nearly the same first nextInt(8), which made every case alike.
     */
    public Random random(int caseIndex) {
        return new Random(new SplittableRandom(seed + caseIndex).nextLong());
    }

    /** The prefix of every failure message: how to replay it. */
    public String where(int caseIndex) {
        return "seed " + seed + " case " + caseIndex + " (replay with -Davpush.fuzz.seed=" + seed + "): ";
    }

    /** One of {@code values}. */
    @SafeVarargs
    public static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    /** Integers a parser should survive: edges, signs, overflows, and ordinary values. */
    public static long nastyNumber(Random r) {
        return switch (r.nextInt(12)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 1;
            case 3 -> Integer.MAX_VALUE;
            case 4 -> Integer.MIN_VALUE;
            case 5 -> 0xFFFF_FFFFL;
            case 6 -> Long.MAX_VALUE;
            case 7 -> 65536;
            case 8 -> r.nextInt(100_000);
            case 9 -> -r.nextInt(100_000);
            case 10 -> 1L << (r.nextInt(62) + 1);
            default -> r.nextInt(2048);
        };
    }

    /** A float sample: ordinary, out of range, NaN, infinite, subnormal or -0. */
    public static float nastyFloat(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> Float.NaN;
            case 1 -> Float.POSITIVE_INFINITY;
            case 2 -> Float.NEGATIVE_INFINITY;
            case 3 -> Float.MAX_VALUE;
            case 4 -> Float.MIN_VALUE;
            case 5 -> -0f;
            case 6 -> Float.intBitsToFloat(r.nextInt());
            default -> (r.nextFloat() * 2 - 1) * (r.nextBoolean() ? 1 : 4);
        };
    }

    /** Random bytes, sometimes text-like. */
    public static byte[] bytes(Random r, int maxLength) {
        byte[] b = new byte[r.nextInt(maxLength + 1)];
        if (r.nextBoolean()) {
            r.nextBytes(b);
        } else {
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (32 + r.nextInt(95));
            }
        }
        return b;
    }

    /**
     * A WAV that is well-formed, or one that is broken in one or more ways: truncated anywhere,
     * chunk sizes that lie (0, odd, 0xFFFFFFFF, past the end), fmt fields out of range (0 or huge
     * channels, rates, bits, block align), chunks missing, duplicated or reordered, NaN/Inf floats,
     * data not a whole number of samples, or bytes flipped at random.
     */
    public static byte[] wav(Random r) {
        boolean isFloat = r.nextBoolean();
        int channels = r.nextInt(8) == 0 ? (int) (nastyNumber(r) & 0xFFFF) : 1 + r.nextInt(2);
        long rate = r.nextInt(8) == 0
                ? nastyNumber(r) & 0xFFFF_FFFFL
                : pick(r, 8000L, 16000L, 22050L, 44100L, 48000L, 96000L, 192000L);
        int bits = r.nextInt(8) == 0 ? (int) (nastyNumber(r) & 0xFFFF) : isFloat ? 32 : 16;
        int tag = r.nextInt(10) == 0 ? pick(r, 0, 2, 6, 7, 0x55, 0xFFFE, 0xFFFF) : isFloat ? 3 : 1;
        int frames = r.nextInt(10) == 0 ? 0 : r.nextInt(4000);
        int bytesPerSample = isFloat ? 4 : 2;
        int dataBytes = frames * Math.max(1, Math.min(channels, 2)) * bytesPerSample
                + (r.nextInt(6) == 0 ? 1 + r.nextInt(3) : 0);

        ByteBuffer data = ByteBuffer.allocate(dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        while (data.remaining() >= bytesPerSample) {
            if (isFloat) {
                data.putFloat(r.nextInt(200) == 0 ? nastyFloat(r) : r.nextFloat() * 2 - 1);
            } else {
                data.putShort((short) r.nextInt());
            }
        }
        int fmtSize = tag == 0xFFFE ? 40 : 16 + (r.nextInt(6) == 0 ? 2 : 0);
        ByteBuffer fmt = ByteBuffer.allocate(fmtSize).order(ByteOrder.LITTLE_ENDIAN);
        fmt.putShort((short) tag)
                .putShort((short) channels)
                .putInt((int) rate)
                .putInt((int) (rate * channels * bytesPerSample))
                .putShort((short) (r.nextInt(6) == 0 ? 0 : channels * bytesPerSample))
                .putShort((short) bits);
        if (tag == 0xFFFE) {
            fmt.putShort((short) 22).putShort((short) bits).putInt(3).putShort((short) (isFloat ? 3 : 1));
            fmt.put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
            if (r.nextInt(4) == 0) {
                fmt.put(fmt.position() - 1 - r.nextInt(14), (byte) r.nextInt());
            }
        }

        ByteBuffer out =
                ByteBuffer.allocate(12 + 3 * 8 + fmtSize + 64 + dataBytes + 64).order(ByteOrder.LITTLE_ENDIAN);
        out.put(tag(r.nextInt(30) == 0 ? "RIFX" : "RIFF"))
                .putInt(r.nextInt(10) == 0 ? (int) nastyNumber(r) : 0)
                .put(tag(r.nextInt(30) == 0 ? "AVI " : "WAVE"));
        boolean dataFirst = r.nextInt(10) == 0;
        if (r.nextInt(5) == 0) {
            byte[] list = bytes(r, 40);
            out.put(tag(pick(r, "LIST", "JUNK", "fact", "bext")))
                    .putInt(r.nextInt(8) == 0 ? (int) nastyNumber(r) : list.length)
                    .put(list);
            if ((list.length & 1) == 1) {
                out.put((byte) 0);
            }
        }
        if (dataFirst) {
            putData(r, out, data.array());
        }
        if (r.nextInt(15) != 0) {
            out.put(tag("fmt "))
                    .putInt(r.nextInt(10) == 0 ? (int) nastyNumber(r) : fmtSize)
                    .put(fmt.array());
        }
        if (!dataFirst && r.nextInt(15) != 0) {
            putData(r, out, data.array());
        }
        byte[] wav = new byte[out.position()];
        out.flip();
        out.get(wav);
        int flips = r.nextInt(4) == 0 ? 1 + r.nextInt(8) : 0;
        for (int i = 0; i < flips && wav.length > 0; i++) {
            wav[r.nextInt(wav.length)] = (byte) r.nextInt();
        }
        if (r.nextInt(5) == 0) {
            wav = java.util.Arrays.copyOf(wav, r.nextInt(wav.length + 1));
        }
        return wav;
    }

    private static void putData(Random r, ByteBuffer out, byte[] data) {
        long size = switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 0xFFFF_FFFFL;
            case 2 -> data.length + 1 + r.nextInt(1_000_000);
            case 3 -> Math.max(0, data.length - 1 - r.nextInt(10));
            default -> data.length;
        };
        out.put(tag("data")).putInt((int) size).put(data);
    }

    private static byte[] tag(String fourCc) {
        return fourCc.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Frame-rate text: valid, edge, absurd or not a number at all. */
    public static String fps(Random r) {
        return switch (r.nextInt(14)) {
            case 0 -> "";
            case 1 ->
                pick(r, "NaN", "Infinity", "-Infinity", "1e309", "-0", "0", "0.0", "1e-9", "0x1E", "３０", "30 fps");
            case 2 -> nastyNumber(r) + "/" + nastyNumber(r);
            case 3 -> "/" + nastyNumber(r);
            case 4 -> nastyNumber(r) + "/";
            case 5 -> Long.MAX_VALUE + "/" + (Long.MAX_VALUE - r.nextInt(3));
            case 6 -> "1" + "0".repeat(r.nextInt(400));
            case 7 -> "0." + "0".repeat(r.nextInt(50)) + "1";
            case 8 -> new String(bytes(r, 30), StandardCharsets.ISO_8859_1);
            case 9 -> String.valueOf(r.nextDouble() * 200);
            case 10 -> (1 + r.nextInt(120)) * 1000 + "/1001";
            default -> String.valueOf(1 + r.nextInt(120));
        };
    }
}
