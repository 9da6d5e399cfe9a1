package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed WAVs and frame rates (see {@link Fuzz}): each decodes to sane audio or is
 * refused with a {@link MediaFormatException} (an {@link IllegalArgumentException} for a frame
 * rate) whose message a person can read; no other exception, no hang.
 */
class WavDecoderFuzzTest {

    private static final int CASES = 5_000;

    @Test
    void everyWavDecodesToSaneAudioOrIsRefusedReadably() {
        Fuzz fuzz = Fuzz.seeded("WavDecoder");
        int decoded = 0;
        for (int i = 0; i < CASES; i++) {
            Random r = fuzz.random(i);
            byte[] wav = i % 10 == 0 ? Fuzz.bytes(r, 200) : Fuzz.wav(r);
            try {
                DecodedAudio audio = WavDecoder.decode(wav);
                decoded++;
                assertTrue(
                        audio.sampleRate() >= 8000 && audio.sampleRate() <= 192_000,
                        fuzz.where(i) + "rate " + audio.sampleRate());
                assertTrue(audio.frameCount() > 0, fuzz.where(i) + "no frames");
                for (float[] channel : audio.channels()) {
                    for (float v : channel) {
                        if (!(v >= -1f && v <= 1f)) {
                            fail(fuzz.where(i) + "sample " + v + " is not within [-1, 1]");
                        }
                    }
                }
            } catch (MediaFormatException e) {
                assertTrue(
                        e.getMessage() != null && e.getMessage().startsWith("audio: "), fuzz.where(i) + e.getMessage());
            } catch (RuntimeException | Error e) {
                throw new AssertionError(fuzz.where(i) + "decoding " + wav.length + " bytes threw " + e, e);
            }
        }
        System.out.printf("fuzz WavDecoder: %d WAVs, %d decoded, %d refused%n", CASES, decoded, CASES - decoded);
        assertTrue(decoded > CASES / 20 && decoded < CASES, "the generator makes both good and bad WAVs: " + decoded);
    }

    @Test
    void everyFrameRateParsesToAUsableRateOrIsRefusedReadably() {
        Fuzz fuzz = Fuzz.seeded("FrameRate");
        for (int i = 0; i < CASES; i++) {
            String text = Fuzz.fps(fuzz.random(i));
            try {
                FrameRate fps = FrameRate.parse(text);
                assertTrue(fps.fps() >= 1 && fps.fps() <= 120, fuzz.where(i) + "'" + text + "' -> " + fps);
                long oneHourNs = 3_600_000_000_000L;
                long frames = fps.frameIndexAtNs(oneHourNs);
                assertTrue(
                        frames >= 3_599 && frames <= 432_000,
                        fuzz.where(i) + "'" + text + "': an hour is " + frames + " frames");
                assertTrue(fps.frameStartNs(frames) <= oneHourNs, fuzz.where(i) + "'" + text + "'");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage() != null && e.getMessage().startsWith("fps "), fuzz.where(i) + e.getMessage());
            } catch (RuntimeException | Error e) {
                throw new AssertionError(fuzz.where(i) + "parsing '" + text + "' threw " + e, e);
            }
        }
    }
}
