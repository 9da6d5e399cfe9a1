package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TestSignalTest {

    @ParameterizedTest
    @CsvSource({
        "30,    1,    10, 1,   300, 480000, 9",
        "30000, 1001, 10, 1,   300, 480480, 9",
        "25,    1,    10, 2.5, 250, 480000, 3",
        "24000, 1001, 6,  1,   144, 288288, 5",
    })
    void layout(long num, long den, double seconds, double every, int frames, int samples, int markers) {
        FrameRate fps = new FrameRate(num, den);
        MarkerClip clip = TestSignal.markers(64, 48, fps, seconds, every);
        assertEquals(frames, clip.i420Frames().length);
        assertEquals(samples, clip.pcm48k().length);
        assertEquals(fps.sampleIndexAtFrame(frames, 48000), samples);
        assertEquals(markers, clip.markerSampleIndices().length);
        for (int k = 1; k <= markers; k++) {
            long frame = Math.round(k * every * fps.fps());
            assertEquals(frame, clip.markerFrameIndices()[k - 1]);
            assertEquals(fps.sampleIndexAtFrame(frame, 48000), clip.markerSampleIndices()[k - 1]);
        }
    }

    @Test
    void markerOneAt2997IsFrame30AtSample48048() {
        MarkerClip clip = TestSignal.markers(32, 32, FrameRate.parse("29.97"), 3, 1);
        assertArrayEquals(new long[] {30, 60}, clip.markerFrameIndices());
        assertArrayEquals(new long[] {48048, 96096}, clip.markerSampleIndices());
    }

    @Test
    void flashIsOneWhiteFrameAndThePictureAlwaysMoves() {
        MarkerClip clip = TestSignal.markers(64, 48, new FrameRate(30, 1), 4, 1);
        byte[] white = I420.solid(64, 48, 255, 255, 255);
        for (int f = 0; f < clip.i420Frames().length; f++) {
            boolean marker = f % 30 == 0 && f > 0;
            assertEquals(marker, Arrays.equals(white, clip.i420Frames()[f]), "frame " + f);
            if (f > 0) {
                assertFalse(Arrays.equals(clip.i420Frames()[f - 1], clip.i420Frames()[f]), "frame " + f + " repeats");
            }
        }
    }

    @Test
    void aLongerFlashStartsAllWhiteAndGoesOnWithADarkLeftEdgeWhileThePictureMoves() {
        MarkerClip clip = TestSignal.markers(64, 48, new FrameRate(30, 1), 4, 1, 3);
        byte[] white = I420.solid(64, 48, 255, 255, 255);
        for (int f = 0; f < clip.i420Frames().length; f++) {
            byte[] frame = clip.i420Frames()[f];
            int intoFlash = f >= 30 ? f % 30 : 30; // frames since the last marker; 30: before the first
            assertEquals(intoFlash == 0, Arrays.equals(white, frame), "frame " + f + " all white");
            assertEquals(intoFlash < 3, MarkerDetector.isFlash(frame, 64, 48), "frame " + f + " a flash");
            if (intoFlash == 1 || intoFlash == 2) {
                assertEquals(I420.y(48, 48, 48), frame[20 * 64 + 7] & 0xFF, "left edge of frame " + f);
                assertEquals(235, frame[20 * 64 + 8] & 0xFF, "right of the edge, frame " + f);
            }
            if (f > 0) {
                assertFalse(Arrays.equals(clip.i420Frames()[f - 1], frame), "frame " + f + " repeats");
            }
        }
        assertArrayEquals(new long[] {30, 60, 90}, clip.markerFrameIndices());
    }

    @Test
    void demoFlashLastsAsLongAsTheBeep() {
        assertEquals(3, TestSignal.flashFramesFor(new FrameRate(30, 1)));
        assertEquals(3, TestSignal.flashFramesFor(new FrameRate(30000, 1001)));
        assertEquals(6, TestSignal.flashFramesFor(new FrameRate(60, 1)));
        assertEquals(1, TestSignal.flashFramesFor(new FrameRate(5, 1)));
    }

    @Test
    void theMurmurSwellsLikeSyllablesAndStaysFarBelowABeep() {
        assertEquals(0.0, TestSignal.murmur(0), 1e-12, "a syllable starts silent");
        assertEquals(0.0, TestSignal.murmur(12_000), 1e-12, "and the next one 250 ms later");
        double peak = 0;
        for (int n = 0; n < 48_000; n++) {
            peak = Math.max(peak, Math.abs(TestSignal.murmur(n)));
        }
        assertTrue(
                peak > 0.06 && peak < 0.09,
                "peak " + peak + ": heard, and below the 0.1 beep detectors take for quiet");
    }

    @Test
    void beepStartsExactlyAtTheMarkerSample() {
        MarkerClip clip = TestSignal.markers(32, 32, new FrameRate(30000, 1001), 3, 1);
        short[] pcm = clip.pcm48k();
        for (long marker : clip.markerSampleIndices()) {
            int m = (int) marker;
            for (int n = m - 200; n <= m; n++) {
                assertEquals(Math.round(TestSignal.murmur(n) * 32767), pcm[n], "only the murmur at sample " + n);
            }
            double beep = TestSignal.murmur(m + 108) + 0.7 * Math.sin(2 * Math.PI * 1000 * 108 / 48000.0);
            assertEquals(Math.round(beep * 32767), pcm[m + 108], "full beep after the 2 ms fade");
            double beepEnd = TestSignal.murmur(m + 4800);
            assertEquals(Math.round(beepEnd * 32767), pcm[m + 4800], "beep is 100 ms long");
        }
    }
}
