package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {

    private static float[] sine(double hz, double amplitude, int rate, int samples) {
        float[] s = new float[samples];
        for (int i = 0; i < samples; i++) {
            s[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return s;
    }

    private static short[] resample(float[] mono, int rate) {
        return Resampler.toMono48k(new DecodedAudio(new float[][] {mono}, rate));
    }

    /** Amplitude of the {@code hz} component over output samples [from, from + n), as a fraction of full scale. */
    private static double amplitudeAt(short[] out, double hz, int from, int n) {
        double re = 0;
        double im = 0;
        for (int i = from; i < from + n; i++) {
            double w = 2 * Math.PI * hz * i / 48000;
            re += out[i] * Math.cos(w);
            im += out[i] * Math.sin(w);
        }
        return 2 * Math.hypot(re, im) / n / 32768;
    }

    private static double rms(short[] out, int from, int n) {
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += (double) out[i] * out[i];
        }
        return Math.sqrt(sum / n) / 32768;
    }

    /** A 1 kHz sine keeps frequency, amplitude (within 0.5 dB) and timing: the output is the same sine sampled at 48 kHz. */
    @ParameterizedTest
    @CsvSource({"44100", "22050", "16000", "24000", "96000", "8000", "11025", "32000", "192000", "44101"})
    void sineKeepsFrequencyAmplitudeAndTiming(int rate) {
        short[] out = resample(sine(1000, 0.5, rate, rate), rate);
        assertEquals(48000, out.length);
        int from = 4800;
        int n = 38400; // 800 whole periods of 1 kHz at 48 kHz
        double db = 20 * Math.log10(amplitudeAt(out, 1000, from, n) / 0.5);
        assertTrue(Math.abs(db) < 0.5, "gain " + db + " dB");
        int crossings = 0;
        int maxError = 0;
        for (int i = from; i < from + n; i++) {
            if ((out[i - 1] < 0) != (out[i] < 0)) {
                crossings++;
            }
            int expected = (int) Math.round(0.5 * 32768 * Math.sin(2 * Math.PI * 1000 * i / 48000));
            maxError = Math.max(maxError, Math.abs(out[i] - expected));
        }
        assertEquals(1600, crossings, 1);
        assertTrue(maxError <= 8, "max error " + maxError + " LSB at " + rate + " Hz");
    }

    /** A 30 kHz tone at 96 kHz is above the new 24 kHz Nyquist; it must not fold down to 18 kHz. */
    @Test
    void toneAboveNewNyquistIsRemoved() {
        short[] out = resample(sine(30000, 0.5, 96000, 96000), 96000);
        double db = 20 * Math.log10(rms(out, 4800, 38400) / (0.5 / Math.sqrt(2)));
        assertTrue(db < -50, "30 kHz leaked at " + db + " dB");
    }

    @Test
    void tonesWellInsideThePassbandSurvive() {
        short[] out = resample(sine(18000, 0.5, 96000, 96000), 96000);
        double db = 20 * Math.log10(amplitudeAt(out, 18000, 4800, 38400) / 0.5);
        assertTrue(Math.abs(db) < 0.5, "18 kHz gain " + db + " dB");
    }

    /** Upsampling 16 kHz must not leave spectral images (a 7 kHz tone would image at 9 kHz and 23 kHz). */
    @Test
    void upsamplingLeavesNoImages() {
        short[] out = resample(sine(7000, 0.5, 16000, 16000), 16000);
        double residual = 0;
        for (int i = 4800; i < 43200; i++) {
            double e = out[i] - 0.5 * 32768 * Math.sin(2 * Math.PI * 7000 * i / 48000);
            residual += e * e;
        }
        double db = 20 * Math.log10(Math.sqrt(residual / 38400) / 32768 / (0.5 / Math.sqrt(2)));
        assertTrue(db < -60, "images at " + db + " dB");
    }

    @ParameterizedTest
    @CsvSource({
        "1,     44100, 2",
        "441,   44100, 480",
        "442,   44100, 482",
        "3,     96000, 2",
        "16000, 16000, 48000",
        "1,     8000,  6",
        "7,     22050, 16",
        "5,     48000, 5",
    })
    void outputLength(int inFrames, int rate, int expected) {
        assertEquals(expected, Resampler.outputLength(inFrames, rate));
        assertEquals(expected, resample(new float[inFrames], rate).length);
    }

    @Test
    void identityAt48kRoundTripsS16Exactly() {
        short[] pcm = {0, 1, -1, 12345, -12345, 32767, -32768};
        float[] decoded = new float[pcm.length];
        for (int i = 0; i < pcm.length; i++) {
            decoded[i] = pcm[i] / 32768f;
        }
        assertArrayEquals(pcm, resample(decoded, 48000));
    }

    @Test
    void clipsAtFullScale() {
        assertArrayEquals(new short[] {32767, -32768}, resample(new float[] {1f, -1f}, 48000));
    }

    @ParameterizedTest
    @CsvSource({"48000", "24000", "44100"})
    void stereoIsAveraged(int rate) {
        float[] left = new float[rate];
        float[] right = new float[rate];
        Arrays.fill(left, 0.5f);
        Arrays.fill(right, -0.25f);
        short[] out = Resampler.toMono48k(new DecodedAudio(new float[][] {left, right}, rate));
        for (int i = 1000; i < 47000; i++) {
            assertEquals(4096, out[i], "sample " + i);
        }
    }
}
