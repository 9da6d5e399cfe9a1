package io.avpush.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WavDecoderTest {

    private static final short[] S16 = {0, 16384, -16384, 32767, -32768, 1};
    private static final float[] S16_DECODED = {0f, 0.5f, -0.5f, 32767 / 32768f, -1f, 1 / 32768f};

    @Test
    void monoS16() throws Exception {
        DecodedAudio audio =
                WavDecoder.decode(TestWavs.riff().fmt(1, 1, 16000, 16).s16(S16).bytes());
        assertEquals(16000, audio.sampleRate());
        assertEquals(1, audio.channelCount());
        assertArrayEquals(S16_DECODED, audio.channels()[0]);
    }

    @Test
    void stereoS16IsDeinterleaved() throws Exception {
        DecodedAudio audio =
                WavDecoder.decode(TestWavs.riff().fmt(1, 2, 44100, 16).s16(S16).bytes());
        assertEquals(2, audio.channelCount());
        assertEquals(3, audio.frameCount());
        assertArrayEquals(new float[] {0f, -0.5f, -1f}, audio.channels()[0]);
        assertArrayEquals(new float[] {0.5f, 32767 / 32768f, 1 / 32768f}, audio.channels()[1]);
    }

    @Test
    void float32IsClippedToUnitRange() throws Exception {
        DecodedAudio audio = WavDecoder.decode(TestWavs.riff()
                .fmt(3, 1, 48000, 32)
                .f32(0.25f, -0.75f, 1.5f, -2f, 1e-7f)
                .bytes());
        assertArrayEquals(new float[] {0.25f, -0.75f, 1f, -1f, 1e-7f}, audio.channels()[0]);
    }

    @ParameterizedTest
    @CsvSource({"1, 1, 16", "1, 2, 16", "3, 1, 32", "3, 2, 32"})
    void extensibleWithPcmAndFloatSubFormats(int subTag, int channels, int bits) throws Exception {
        TestWavs wav = TestWavs.riff().fmtExtensible(subTag, channels, 22050, bits, true);
        DecodedAudio audio = WavDecoder.decode(
                subTag == 1
                        ? wav.s16(S16).bytes()
                        : wav.f32(0f, 0.5f, -0.5f, 0.25f, -1f, 1f).bytes());
        assertEquals(channels, audio.channelCount());
        assertEquals(6 / channels, audio.frameCount());
        assertEquals(22050, audio.sampleRate());
        assertEquals(0.5f, channels == 1 ? audio.channels()[0][1] : audio.channels()[1][0]);
    }

    @Test
    void skipsUnknownChunksIncludingOddSizedOnesWithTheirPadByte() throws Exception {
        byte[] wav = TestWavs.riff()
                .chunk("LIST", new byte[] {'I', 'N', 'F', 'O', 'x'})
                .fmt(1, 1, 8000, 16)
                .chunk("fact", new byte[] {4, 0, 0, 0})
                .s16((short) 100, (short) -100)
                .chunk("id3 ", new byte[3])
                .bytes();
        assertArrayEquals(
                new float[] {100 / 32768f, -100 / 32768f},
                WavDecoder.decode(wav).channels()[0]);
    }

    @ParameterizedTest
    @CsvSource({"0", "4294967295", "1000"})
    void streamedDataSizeMeansRestOfFileInWholeFrames(long sizeField) throws Exception {
        // 5 stereo s16 samples = 2 whole frames and 2 stray bytes
        byte[] body = {1, 0, 2, 0, 3, 0, 4, 0, 5, 0};
        byte[] wav = TestWavs.riff()
                .fmt(1, 2, 48000, 16)
                .chunk("data", sizeField, body)
                .bytes();
        DecodedAudio audio = WavDecoder.decode(wav);
        assertArrayEquals(new float[] {1 / 32768f, 3 / 32768f}, audio.channels()[0]);
        assertArrayEquals(new float[] {2 / 32768f, 4 / 32768f}, audio.channels()[1]);
    }

    @Test
    void acceptsRateLimits() throws Exception {
        assertEquals(
                8000,
                WavDecoder.decode(TestWavs.riff().fmt(1, 1, 8000, 16).s16(S16).bytes())
                        .sampleRate());
        assertEquals(
                192000,
                WavDecoder.decode(TestWavs.riff().fmt(1, 1, 192000, 16).s16(S16).bytes())
                        .sampleRate());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "notriff  | not a WAV file (it must start with a RIFF header of type WAVE; got 48 bytes, starting with 'RIFX')",
                "tiny     | not a WAV file (it must start with a RIFF header of type WAVE; got 3 bytes)",
                "nofmt    | WAV has no 'fmt ' chunk, so its sample format is unknown",
                "nodata   | WAV has no 'data' chunk",
                "pcm24    | WAV is 24-bit PCM; only 16-bit PCM and 32-bit float WAV are supported",
                "float64  | WAV is 64-bit float; only 16-bit PCM and 32-bit float WAV are supported",
                "alaw     | WAV is A-law (format tag 6); only 16-bit PCM and 32-bit float WAV are supported",
                "mp3      | WAV is MP3 (format tag 85); only 16-bit PCM and 32-bit float WAV are supported",
                "ch0      | WAV 'fmt ' chunk says 0 channels; only mono or stereo is supported",
                "ch3      | WAV 'fmt ' chunk says 3 channels; only mono or stereo is supported",
                "rate7999 | WAV sample rate 7999 Hz is out of range; supported rates are 8000 to 192000 Hz",
                "rate192001 | WAV sample rate 192001 Hz is out of range; supported rates are 8000 to 192000 Hz",
                "shortfmt | WAV 'fmt ' chunk is too short (14 bytes; it needs at least 16)",
                "cutfmt   | WAV 'fmt ' chunk is cut off (it says 16 bytes, the file has 10 left)",
                "shortext | WAV 'fmt ' chunk is too short for WAVE_FORMAT_EXTENSIBLE (16 bytes; it needs 40)",
                "badguid  | WAV (WAVE_FORMAT_EXTENSIBLE) has an unknown sub-format GUID; only PCM and IEEE float sub-formats are supported",
                "extalaw  | WAV is A-law (format tag 6); only 16-bit PCM and 32-bit float WAV are supported",
                "empty    | WAV contains no audio (the 'data' chunk holds 0 bytes, less than one sample)",
                "onebyte  | WAV contains no audio (the 'data' chunk holds 1 bytes, less than one sample)",
                "nan      | WAV float sample 2 is NaN; every sample must be a finite number",
                "inf      | WAV float sample 1 (channel 1) is Infinity; every sample must be a finite number",
            })
    void rejectsWithMessageForTheUploader(String kind, String message) {
        MediaFormatException e = assertThrows(MediaFormatException.class, () -> WavDecoder.decode(broken(kind)));
        assertEquals("audio: " + message, e.getMessage());
    }

    private static byte[] broken(String kind) {
        return switch (kind) {
            case "notriff" -> {
                byte[] b = TestWavs.riff()
                        .fmt(1, 1, 8000, 16)
                        .s16((short) 1, (short) 2)
                        .bytes();
                b[3] = 'X';
                yield b;
            }
            case "tiny" -> new byte[] {'R', 'I', 'F'};
            case "nofmt" -> TestWavs.riff().s16(S16).bytes();
            case "nodata" ->
                TestWavs.riff().fmt(1, 1, 8000, 16).chunk("LIST", new byte[4]).bytes();
            case "pcm24" -> TestWavs.riff().fmt(1, 1, 8000, 24).s16(S16).bytes();
            case "float64" -> TestWavs.riff().fmt(3, 1, 8000, 64).s16(S16).bytes();
            case "alaw" -> TestWavs.riff().fmt(6, 1, 8000, 8).s16(S16).bytes();
            case "mp3" -> TestWavs.riff().fmt(0x55, 2, 44100, 0).s16(S16).bytes();
            case "ch0" -> TestWavs.riff().fmt(1, 0, 8000, 16).s16(S16).bytes();
            case "ch3" -> TestWavs.riff().fmt(1, 3, 8000, 16).s16(S16).bytes();
            case "rate7999" -> TestWavs.riff().fmt(1, 1, 7999, 16).s16(S16).bytes();
            case "rate192001" -> TestWavs.riff().fmt(1, 1, 192001, 16).s16(S16).bytes();
            case "shortfmt" ->
                TestWavs.riff().chunk("fmt ", new byte[14]).s16(S16).bytes();
            case "cutfmt" -> TestWavs.riff().chunk("fmt ", 16, new byte[10]).bytes();
            case "shortext" -> TestWavs.riff().fmt(0xFFFE, 1, 8000, 16).s16(S16).bytes();
            case "badguid" ->
                TestWavs.riff().fmtExtensible(1, 1, 8000, 16, false).s16(S16).bytes();
            case "extalaw" ->
                TestWavs.riff().fmtExtensible(6, 1, 8000, 8, true).s16(S16).bytes();
            case "empty" -> TestWavs.riff().fmt(1, 1, 8000, 16).s16().bytes();
            case "onebyte" ->
                TestWavs.riff().fmt(1, 1, 8000, 16).chunk("data", new byte[1]).bytes();
            case "nan" ->
                TestWavs.riff().fmt(3, 1, 8000, 32).f32(0f, 0.5f, Float.NaN).bytes();
            case "inf" ->
                TestWavs.riff()
                        .fmt(3, 2, 8000, 32)
                        .f32(0f, 0.5f, 0.1f, Float.POSITIVE_INFINITY)
                        .bytes();
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @Test
    void decodedLengthMatchesAFullSecond() throws Exception {
        short[] second = new short[44100 * 2];
        Arrays.fill(second, (short) -7);
        DecodedAudio audio = WavDecoder.decode(
                TestWavs.riff().fmt(1, 2, 44100, 16).s16(second).bytes());
        assertEquals(44100, audio.frameCount());
        assertEquals(-7 / 32768f, audio.channels()[1][44099]);
    }
}
