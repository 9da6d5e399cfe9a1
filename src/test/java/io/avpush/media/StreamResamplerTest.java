package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamResamplerTest {

    /** Any split of a clip into pieces gives exactly the whole clip's samples. */
    @ParameterizedTest
    @CsvSource({"16000, 1", "16000, 320", "22050, 441", "24000, 7", "44100, 1000", "48000, 480", "8000, 3333"})
    void streamedInPiecesEqualsTheWholeClip(int rate, int maxPiece) {
        Random random = new Random(rate + maxPiece);
        float[] clip = new float[rate / 2 + 17];
        for (int i = 0; i < clip.length; i++) {
            clip[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / rate) + 0.1 * (random.nextFloat() - 0.5));
        }
        short[] whole = Resampler.toMono48k(new DecodedAudio(new float[][] {clip}, rate));

        StreamResampler stream = new StreamResampler(rate);
        short[] streamed = new short[0];
        for (int at = 0; at < clip.length; ) {
            int n = Math.min(clip.length - at, 1 + random.nextInt(maxPiece));
            streamed = concat(streamed, stream.push(clip, at, n));
            at += n;
        }
        streamed = concat(streamed, stream.finish());
        assertArrayEquals(whole, streamed);
    }

    private static short[] concat(short[] a, short[] b) {
        short[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
