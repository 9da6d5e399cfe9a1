package io.avpush.media;

/**
 * Turns decoded upload audio into what the audio path sends: mono, 48 kHz, s16. Uploads arrive
 * at 16, 22.05, 24, 44.1 kHz and more; a naive linear interpolator would alias and dull the
 * speech, so this is a band-limited windowed-sinc resampler with exact rational stepping.
 *
 * <p>Filter: sinc with cutoff {@value #CUTOFF} × min(inRate, 48000) / 2, Kaiser window
 * (beta {@value #KAISER_BETA}) spanning {@value #ZERO_CROSSINGS} zero crossings each side, taken
 * from a polyphase table. Each table row is normalised to sum 1, so DC passes exactly. The filter
 * is symmetric around the output position, so the output has no delay: output sample k sits at
 * input position k * inRate / 48000, computed with integers (integer part and phase), never
 * accumulated in floating point. Input outside the clip is taken as silence.
 */
public final class Resampler {

    public static final int OUT_RATE = AudioChunks.SAMPLE_RATE;

    static final double KAISER_BETA = 8.6;
    static final int ZERO_CROSSINGS = 32;
    static final double CUTOFF = 0.95;
    /** Rates whose ratio to 48000 needs more phases than this are quantised to 1/4096 input sample. */
    static final int MAX_PHASES = 4096;

    private Resampler() {}

    /**
     * Mixes channels to mono by averaging them and resamples to 48000 Hz, rounding to s16 with
     * clipping (v * 32768, so decoded s16 input at 48 kHz comes back bit-exact).
     * Example: 441 input samples at 44100 Hz → {@link #outputLength} = 480 output samples.
     */
    public static short[] toMono48k(DecodedAudio audio) {
        float[] mono = mixToMono(audio);
        if (audio.sampleRate() == OUT_RATE) {
            short[] out = new short[mono.length];
            for (int i = 0; i < mono.length; i++) {
                out[i] = toS16(mono[i]);
            }
            return out;
        }
        return resample(mono, audio.sampleRate());
    }

    /**
     * Number of 48 kHz samples for {@code inFrames} input samples: ceil(inFrames * 48000 / inRate),
     * i.e. every output sample whose time k / 48000 lies before the end of the input.
     * Example: 442 samples at 44100 Hz → ceil(481.09) = 482.
     */
    public static long outputLength(long inFrames, int inRate) {
        return -Math.floorDiv(-Math.multiplyExact(inFrames, (long) OUT_RATE), inRate);
    }

    private static float[] mixToMono(DecodedAudio audio) {
        float[][] channels = audio.channels();
        if (channels.length == 1) {
            return channels[0];
        }
        float[] mono = new float[audio.frameCount()];
        float scale = 1f / channels.length;
        for (int i = 0; i < mono.length; i++) {
            float sum = 0;
            for (float[] channel : channels) {
                sum += channel[i];
            }
            mono[i] = sum * scale;
        }
        return mono;
    }

    private static short[] resample(float[] in, int inRate) {
        Kernel kernel = new Kernel(inRate);
        short[] out = new short[Math.toIntExact(outputLength(in.length, inRate))];
        for (int k = 0; k < out.length; k++) {
            out[k] = kernel.sample(k, in, 0, in.length);
        }
        return out;
    }

    /**
     * The polyphase filter for one input rate: output sample k of input {@code in}. Shared by the
     * whole-clip path and {@link StreamResampler}, so both give the same samples.
     */
    static final class Kernel {
        final long up;
        final long down;
        final int phases;
        final int half;
        final int taps;
        final float[] table;

        Kernel(int inRate) {
            int gcd = gcd(inRate, OUT_RATE);
            up = OUT_RATE / gcd;
            down = inRate / gcd;
            phases = (int) Math.min(up, MAX_PHASES);
            double cutoff = CUTOFF * 0.5 * Math.min(1.0, (double) OUT_RATE / inRate); // cycles per input sample
            double halfWidth = ZERO_CROSSINGS / (2 * cutoff);
            half = (int) Math.ceil(halfWidth);
            taps = 2 * half;
            table = table(phases, taps, cutoff, halfWidth);
        }

        /** The input index under tap 0 of output sample k (its window is [first, first + taps)). */
        long firstInput(long k) {
            long position = k * down; // input position k * down / up, as integer part and phase
            long inIndex = position / up;
            long phase = position % up;
            int row = phases == up ? (int) phase : (int) ((phase * phases * 2 + up) / (2 * up));
            if (row == phases) {
                inIndex++;
            }
            return inIndex - half + 1;
        }

        /**
         * Output sample k; {@code in[i]} holds input sample {@code inBase + i}, input outside
         * {@code [0, inEnd)} (absolute) is silence.
         */
        short sample(long k, float[] in, long inBase, long inEnd) {
            long position = k * down;
            long inIndex = position / up;
            long phase = position % up;
            int row = phases == up ? (int) phase : (int) ((phase * phases * 2 + up) / (2 * up));
            if (row == phases) {
                inIndex++;
                row = 0;
            }
            long first = inIndex - half + 1;
            int rowStart = row * taps;
            double acc = 0;
            int from = (int) Math.max(0, Math.max(-first, inBase - first));
            int to = (int) Math.min(taps, inEnd - first);
            for (int m = from; m < to; m++) {
                acc += table[rowStart + m] * in[(int) (first + m - inBase)];
            }
            return toS16(acc);
        }
    }

    /** Row p holds h(p / phases + half - 1 - m) for taps m = 0..taps-1, normalised to sum 1. */
    private static float[] table(int phases, int taps, double cutoff, double halfWidth) {
        int half = taps / 2;
        float[] table = new float[phases * taps];
        double i0Beta = besselI0(KAISER_BETA);
        for (int p = 0; p < phases; p++) {
            double frac = (double) p / phases;
            double[] row = new double[taps];
            double sum = 0;
            for (int m = 0; m < taps; m++) {
                double t =
                        frac + half - 1 - m; // distance from the output position to the input sample, in input samples
                double r = t / halfWidth;
                if (Math.abs(r) < 1) {
                    double x = 2 * cutoff * t;
                    double sinc = x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
                    row[m] = 2 * cutoff * sinc * besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta;
                    sum += row[m];
                }
            }
            for (int m = 0; m < taps; m++) {
                table[p * taps + m] = (float) (row[m] / sum);
            }
        }
        return table;
    }

    /** Zeroth-order modified Bessel function of the first kind, by its power series. */
    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double quarterX2 = x * x / 4;
        for (int k = 1; k < 50 && term > 1e-12 * sum; k++) {
            term *= quarterX2 / ((double) k * k);
            sum += term;
        }
        return sum;
    }

    static short toS16(double v) {
        long s = Math.round(v * 32768);
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, s));
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
