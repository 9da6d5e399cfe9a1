package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameRateTest {

    @ParameterizedTest
    @CsvSource({
        "30,         30,     1",
        "' 25 ',     25,     1",
        "29.97,      30000,  1001",
        "23.976,     24000,  1001",
        "23.98,      24000,  1001",
        "59.94,      60000,  1001",
        "29.970,     30000,  1001",
        "30000/1001, 30000,  1001",
        "60/2,       30,     1",
        "25.5,       51,     2",
        "24.0,       24,     1",
        "12.5,       25,     2",
        "1,          1,      1",
        "120,        120,    1",
    })
    void parse(String text, long num, long den) {
        assertEquals(new FrameRate(num, den), FrameRate.parse(text));
    }

    @ParameterizedTest
    @CsvSource({
        "abc,      'not a frame rate'",
        "'',       missing",
        "0,        out of range",
        "121,      out of range",
        "0.5,      out of range",
        "-30,      out of range",
        "1/0,      must be positive",
        "241/2,    out of range",
        "30/,      'not a frame rate'",
        "29.9700001, too precise",
    })
    void parseRejectsWithReadableMessage(String text, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameRate.parse(text));
        assertTrue(e.getMessage().startsWith("fps "), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "thirty  | field 'fps' = 'thirty' is not a frame rate; write it as 30, 29.97 or 30000/1001",
                "0.5     | field 'fps' = '0.5' is out of range or too precise; use 1 to 120 with at most 6 decimals",
                "1/0     | field 'fps' = '1/0' is not a frame rate; numerator and denominator must be positive",
                "241/2   | field 'fps' = '241/2' (120.5 frames per second) is out of range; use 1 to 120",
            })
    void parseNamesTheValueOnceInItsMessage(String text, String message) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FrameRate.parse(text, "field 'fps'"));
        assertEquals(message, e.getMessage());
    }

    @Test
    void reducesAndPrints() {
        assertEquals("30000/1001", new FrameRate(60000, 2002).toString());
        assertEquals(new FrameRate(30, 1), new FrameRate(90, 3));
        assertEquals(29.97002997002997, FrameRate.parse("29.97").fps());
    }

    @ParameterizedTest
    @CsvSource({
        "30,    1,    0,          0",
        "30,    1,    1,          33333333",
        "30,    1,    3,          100000000",
        "30000, 1001, 1,          33366666",
        "30000, 1001, 2,          66733333",
        "30000, 1001, 3,          100100000",
        "30000, 1001, 107892,     3599996400000",
        "30000, 1001, 1000000000, 33366666666666666",
        "24000, 1001, 1,          41708333",
        "25,    1,    -1,         -40000000",
    })
    void frameStartNs(long num, long den, long frameIndex, long expectedNs) {
        FrameRate fps = new FrameRate(num, den);
        assertEquals(expectedNs, fps.frameStartNs(frameIndex));
        assertEquals(frameIndex, fps.frameIndexAtNs(expectedNs));
    }

    @ParameterizedTest
    @CsvSource({
        "30,    1,    33333332, 0",
        "30,    1,    33333333, 1",
        "30,    1,    66666665, 1",
        "30000, 1001, 33366665, 0",
        "30000, 1001, 33366666, 1",
        "30000, 1001, 100099999, 2",
        "30000, 1001, 100100000, 3",
        "25,    1,    -1,       -1",
    })
    void frameIndexAtNsIsLastFrameStartedByThen(long num, long den, long ptsNs, long frameIndex) {
        assertEquals(frameIndex, new FrameRate(num, den).frameIndexAtNs(ptsNs));
    }

    @ParameterizedTest
    @CsvSource({
        "30,    1,    1,      48000, 1600",
        "30,    1,    1,      24000, 800",
        "30,    1,    3,      44100, 4410",
        "30000, 1001, 1,      48000, 1601",
        "30000, 1001, 2,      48000, 3203",
        "30000, 1001, 107892, 48000, 172799827",
        "30000, 1001, 107892, 24000, 86399913",
        "30000, 1001, 1000000000, 48000, 1601600000000",
        "24000, 1001, 1,      48000, 2002",
        "60000, 1001, 3,      44100, 2207",
    })
    void sampleIndexAtFrame(long num, long den, long frameIndex, int sampleRate, long sampleIndex) {
        FrameRate fps = new FrameRate(num, den);
        assertEquals(sampleIndex, fps.sampleIndexAtFrame(frameIndex, sampleRate));
        assertEquals(frameIndex, fps.frameIndexAtSample(sampleIndex, sampleRate));
        assertEquals(frameIndex - 1, fps.frameIndexAtSample(sampleIndex - 1, sampleRate));
    }

    @Test
    void oneHourAt2997HasNoCumulativeError() {
        FrameRate fps = FrameRate.parse("29.97");
        long sum = 0;
        for (long frame = 0; frame < 107892; frame++) {
            sum += fps.sampleIndexAtFrame(frame + 1, 48000) - fps.sampleIndexAtFrame(frame, 48000);
        }
        assertEquals(107892L * 48000 * 1001 / 30000, sum);
        assertEquals(172799827L, sum);
    }

    @Test
    void hugeIndicesDoNotOverflowSilently() {
        FrameRate fps = new FrameRate(30000, 1001);
        assertEquals(
                Long.MAX_VALUE / 1000 / 48000 * 30 - 1,
                fps.frameIndexAtSample(fps.sampleIndexAtFrame(Long.MAX_VALUE / 1000 / 48000 * 30 - 1, 48000), 48000));
        assertThrows(ArithmeticException.class, () -> fps.frameStartNs(Long.MAX_VALUE / 2));
    }
}
