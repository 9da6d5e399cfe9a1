package io.avpush.media;

import java.util.Arrays;

/**
 * {@link Resampler} for audio that arrives in pieces (a streamed segment): mono input at any rate
 * in, 48 kHz s16 out, as soon as the input decides each output sample (its filter window is
 * complete). Fed a clip in any split, it gives exactly the samples {@link Resampler#toMono48k}
 * gives for the whole clip. Keeps only the input the next window needs.
 * Example: 16 kHz input, 320 samples (20 ms) in: 960 output samples are due, of which all but
 * the last ~100 (whose window reaches past the input) come out now, the rest with later input
 * or {@link #finish()}.
 */
public final class StreamResampler {

    private final int inRate;
    private final Resampler.Kernel kernel;
    private float[] buf = new float[8192];
    private long base;
    private int length;
    private long nextOut;
    private boolean finished;

    public StreamResampler(int inRate) {
        if (inRate < 8000 || inRate > 192_000) {
            throw new IllegalArgumentException("sample rate " + inRate + " Hz is outside 8000..192000");
        }
        this.inRate = inRate;
        this.kernel = inRate == Resampler.OUT_RATE ? null : new Resampler.Kernel(inRate);
    }

    /** Input samples taken so far. */
    public long inputSamples() {
        return base + length;
    }

    /** 48 kHz samples handed out so far. */
    public long outputSamples() {
        return nextOut;
    }

    public int inRate() {
        return inRate;
    }

    /** Appends {@code count} mono samples (full scale ±1.0) and returns the 48 kHz samples now decided. */
    public short[] push(float[] in, int offset, int count) {
        if (finished) {
            throw new IllegalStateException("the stream is finished");
        }
        if (kernel == null) {
            short[] out = new short[count];
            for (int i = 0; i < count; i++) {
                out[i] = Resampler.toS16(in[offset + i]);
            }
            base += count;
            nextOut += count;
            return out;
        }
        append(in, offset, count);
        long inEnd = base + length;
        long last = nextOut;
        while (kernel.firstInput(last) + kernel.taps <= inEnd) {
            last++;
        }
        return emit(last, inEnd);
    }

    /** Ends the input (silence after it) and returns the remaining output samples. */
    public short[] finish() {
        finished = true;
        if (kernel == null) {
            return new short[0];
        }
        long inEnd = base + length;
        return emit(Resampler.outputLength(inEnd, inRate), inEnd);
    }

    private short[] emit(long untilExclusive, long inEnd) {
        short[] out = new short[(int) Math.max(0, untilExclusive - nextOut)];
        for (int i = 0; i < out.length; i++) {
            out[i] = kernel.sample(nextOut + i, buf, base, inEnd);
        }
        nextOut += out.length;
        long keepFrom = Math.max(base, Math.min(inEnd, kernel.firstInput(nextOut)));
        int drop = (int) (keepFrom - base);
        if (drop > 0) {
            System.arraycopy(buf, drop, buf, 0, length - drop);
            length -= drop;
            base = keepFrom;
        }
        return out;
    }

    private void append(float[] in, int offset, int count) {
        if (length + count > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + count));
        }
        System.arraycopy(in, offset, buf, length, count);
        length += count;
    }
}
