package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MarkerDetectorTest {

    private static long[] detect(short[] pcm, int chunk) {
        MarkerDetector.BeepDetector detector = new MarkerDetector.BeepDetector();
        for (int from = 0; from < pcm.length; from += chunk) {
            detector.accept(pcm, from, Math.min(chunk, pcm.length - from), 1000 + from);
        }
        return detector.onsets();
    }

    @ParameterizedTest
    @CsvSource({"30, 1, 1", "30000, 1001, 1", "25, 1, 0.7", "24000, 1001, 1.5", "60000, 1001, 0.5"})
    void findsEveryMarkerOfTheTestSignal(long num, long den, double every) {
        MarkerClip clip = TestSignal.markers(80, 60, new FrameRate(num, den), 8, every);
        long[] onsets = detect(clip.pcm48k(), AudioChunks.CHUNK_SAMPLES);
        long[] markers = clip.markerSampleIndices();
        assertEquals(markers.length, onsets.length, Arrays.toString(onsets));
        for (int i = 0; i < markers.length; i++) {
            long late = onsets[i] - 1000 - markers[i];
            assertTrue(late >= 0 && late < 96, "marker " + i + " found " + late + " samples late");
        }
        long[] flashFrames = java.util.stream.IntStream.range(0, clip.i420Frames().length)
                .filter(f -> MarkerDetector.isFlash(clip.i420Frames()[f], 80, 60))
                .asLongStream()
                .toArray();
        assertArrayEquals(clip.markerFrameIndices(), flashFrames);
    }

    @Test
    void chunkSizeDoesNotChangeTheResult() {
        short[] pcm = TestSignal.markers(16, 16, new FrameRate(30, 1), 4, 1).pcm48k();
        long[] whole = detect(pcm, pcm.length);
        assertEquals(3, whole.length);
        assertArrayEquals(whole, detect(pcm, 1));
        assertArrayEquals(whole, detect(pcm, 97));
    }

    @Test
    void needsFiftyMillisecondsOfQuietBeforeABeep() {
        short[] pcm = new short[48000];
        beep(pcm, 1000, 4800); // within the first 50 ms: not armed yet
        beep(pcm, 10000, 1000);
        beep(pcm, 12000, 1000); // only 20 ms after the previous beep ended
        beep(pcm, 20000, 1000); // 70 ms after: found
        long[] onsets = detect(pcm, 480);
        assertEquals(2, onsets.length, Arrays.toString(onsets));
        assertEquals(1000 + 10000, onsets[0], 5);
        assertEquals(1000 + 20000, onsets[1], 5);
    }

    @Test
    void quietToneAloneIsNotABeep() {
        short[] pcm = new short[48000];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) Math.round(0.09 * 32767 * Math.sin(2 * Math.PI * 440 * i / 48000));
        }
        assertEquals(0, detect(pcm, 480).length);
    }

    /** Full-amplitude square-ish beep: abrupt start, so the onset must be exact to a few samples. */
    private static void beep(short[] pcm, int from, int length) {
        for (int i = 0; i < length; i++) {
            pcm[from + i] = (short) ((i / 24) % 2 == 0 ? 16000 : -16000);
        }
    }

    @ParameterizedTest
    @CsvSource({"255, true", "200, true", "128, false", "0, false"})
    void flashIsMeanLumaAbove180(int grey, boolean flash) {
        byte[] frame = I420.solid(33, 17, grey, grey, grey);
        assertEquals(flash, MarkerDetector.isFlash(frame, 33, 17));
        assertEquals(flash, MarkerDetector.isFlash(Arrays.copyOf(frame, 33 * 17), 33, 17));
    }

    @Test
    void smallWhiteBarIsNotAFlash() {
        byte[] frame = I420.solid(64, 48, 0, 0, 0);
        for (int row = 0; row < 48; row++) {
            Arrays.fill(frame, row * 64, row * 64 + 16, (byte) 235);
        }
        assertFalse(MarkerDetector.isFlash(frame, 64, 48));
        assertTrue(MarkerDetector.isFlash(I420.solid(64, 48, 255, 255, 255), 64, 48));
    }
}
