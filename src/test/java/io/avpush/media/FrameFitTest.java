package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameFitTest {

    private static final FrameRate NTSC = new FrameRate(30000, 1001);

    @ParameterizedTest
    @CsvSource({
        "30,    1,    0,      0, 0",
        "30,    1,    1,      1, 1600",
        "30,    1,    1600,   1, 1600",
        "30,    1,    1601,   2, 3200",
        "30,    1,    48000,  30, 48000",
        "30000, 1001, 1601,   1, 1601",
        "30000, 1001, 1602,   2, 3203",
        "30000, 1001, 12345,  8, 12812",
        "25,    1,    240000, 125, 240000",
        "25,    1,    240001, 126, 241920",
    })
    void ticksAndPaddingFromTickZero(long num, long den, long samples, long ticks, long padded) {
        FrameRate fps = new FrameRate(num, den);
        assertEquals(ticks, FrameFit.frameTicks(samples, fps));
        assertEquals(ticks, FrameFit.frameTicks(samples, fps, 0));
        assertEquals(padded, FrameFit.paddedSamples(samples, fps));
        assertEquals(padded, FrameFit.paddedSamples(samples, fps, 0));
        assertTrue(padded - samples < 48000.0 * den / num, "padding is less than one frame");
    }

    @ParameterizedTest
    @CsvSource({
        "1602,  0, 2, 3203",
        "1602,  1, 1, 1602",
        "1602,  2, 2, 3203",
        "12345, 8, 8, 12813",
        "1,     5, 1, 1601",
        "1,     6, 1, 1602",
    })
    void ticksAndPaddingDependOnTheStartTick(long samples, long startTick, long ticks, long padded) {
        assertEquals(ticks, FrameFit.frameTicks(samples, NTSC, startTick));
        assertEquals(padded, FrameFit.paddedSamples(samples, NTSC, startTick));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 3, 5, 0",
        "1, 3, 5, 1",
        "2, 3, 5, 2",
        "3, 3, 5, 2",
        "4, 3, 5, 2",
        "0, 10, 4, 0",
        "3, 10, 4, 3",
        "0, 1, 1, 0",
        "2, 0, 3, -1",
    })
    void frameForTickHoldsLastAndDropsSurplus(int tick, int frameCount, long frameTicks, int frame) {
        assertEquals(frame, FrameFit.frameForTick(tick, frameCount, frameTicks));
    }

    @Test
    void frameForTickRejectsTicksOutsideTheSegment() {
        assertThrows(IllegalArgumentException.class, () -> FrameFit.frameForTick(4, 10, 4));
        assertThrows(IllegalArgumentException.class, () -> FrameFit.frameForTick(-1, 10, 4));
    }

    /** 1000 back-to-back segments of odd lengths start exactly on their frame ticks: no leftover accumulates. */
    @Test
    void thousandSegmentsStayOnFrameBoundaries() {
        long tick = 0;
        long sample = 0;
        long relativeSum = 0;
        for (int i = 0; i < 1000; i++) {
            long samples = i % 3 == 0 ? 12345 : 12345 + 97L * i;
            assertEquals(NTSC.sampleIndexAtFrame(tick, 48000), sample, "segment " + i + " starts on its tick");
            long ticks = FrameFit.frameTicks(samples, NTSC, tick);
            long padded = FrameFit.paddedSamples(samples, NTSC, tick);
            assertTrue(padded >= samples && padded - samples < 1602, "segment " + i + " padding " + (padded - samples));
            assertTrue(
                    NTSC.sampleIndexAtFrame(tick + ticks - 1, 48000) < sample + samples,
                    "last tick starts inside the audio");
            tick += ticks;
            sample += padded;
            relativeSum += FrameFit.paddedSamples(samples, NTSC);
        }
        assertEquals(NTSC.sampleIndexAtFrame(tick, 48000), sample);
        // Why the startTick overloads exist: tick-0 padding summed over segments drifts off the frame clock.
        assertNotEquals(sample, relativeSum);
    }

    @Test
    void rejectsNegativeLengths() {
        assertThrows(IllegalArgumentException.class, () -> FrameFit.frameTicks(-1, NTSC));
    }
}
