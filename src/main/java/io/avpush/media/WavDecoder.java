package io.avpush.media;

import java.nio.charset.StandardCharsets;

/**
 * Decodes an uploaded WAV into {@link DecodedAudio}. Uploads come from TTS engines and tools
 * that write WAVs in many small variations (extensible headers, LIST chunks, streamed files
 * whose data size was never filled in), so the decoder accepts all of those and rejects the rest
 * with a message the uploader can act on. Duration limits are the caller's business.
 */
public final class WavDecoder {

    private static final long STREAMED_SIZE = 0xFFFF_FFFFL;

    private WavDecoder() {}

    /**
     * Decodes 16-bit PCM or 32-bit float, mono or stereo, 8000..192000 Hz, plain or
     * WAVE_FORMAT_EXTENSIBLE. A data size of 0, 0xFFFFFFFF or past the end of the file means
     * "the rest of the file", cut to whole sample frames. s16 samples map to v / 32768; float
     * samples outside [-1, 1] are clipped.
     *
     * @throws MediaFormatException with a message for the uploader
     */
    public static DecodedAudio decode(byte[] wav) throws MediaFormatException {
        if (wav == null
                || wav.length < 12
                || !tag(wav, 0).equals("RIFF")
                || !tag(wav, 8).equals("WAVE")) {
            throw new MediaFormatException("audio: not a WAV file (it must start with a RIFF header of type WAVE; got "
                    + (wav == null ? 0 : wav.length) + " bytes" + describeStart(wav) + ")");
        }
        WavFormat format = null;
        int dataOffset = -1;
        long dataLength = 0;
        int pos = 12;
        while (pos + 8 <= wav.length) {
            String id = tag(wav, pos);
            long size = WavFormat.u32(wav, pos + 4);
            int body = pos + 8;
            long available = wav.length - body;
            if (id.equals("data")) {
                dataOffset = body;
                boolean streamed = size == 0 || size == STREAMED_SIZE || size > available;
                dataLength = streamed ? available : size;
                if (streamed) {
                    break;
                }
            } else if (id.equals("fmt ")) {
                if (size > available) {
                    throw new MediaFormatException("audio: WAV 'fmt ' chunk is cut off (it says " + size
                            + " bytes, the file has " + available + " left)");
                }
                format = WavFormat.parse(wav, body, size);
            }
            pos = (int) Math.min(wav.length, body + size + (size & 1));
        }
        if (format == null) {
            throw new MediaFormatException("audio: WAV has no 'fmt ' chunk, so its sample format is unknown");
        }
        if (dataOffset < 0) {
            throw new MediaFormatException("audio: WAV has no 'data' chunk");
        }
        int frames = (int) (dataLength / format.frameBytes());
        if (frames == 0) {
            throw new MediaFormatException("audio: WAV contains no audio (the 'data' chunk holds " + dataLength
                    + " bytes, less than one sample)");
        }
        return new DecodedAudio(
                format.isFloat()
                        ? readFloat(wav, dataOffset, frames, format.channels())
                        : readS16(wav, dataOffset, frames, format.channels()),
                format.sampleRate());
    }

    private static float[][] readS16(byte[] wav, int offset, int frames, int channelCount) {
        float[][] channels = new float[channelCount][frames];
        int p = offset;
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channelCount; c++) {
                channels[c][i] = (short) WavFormat.u16(wav, p) / 32768f;
                p += 2;
            }
        }
        return channels;
    }

    private static float[][] readFloat(byte[] wav, int offset, int frames, int channelCount)
            throws MediaFormatException {
        float[][] channels = new float[channelCount][frames];
        int p = offset;
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channelCount; c++) {
                float v = Float.intBitsToFloat((int) WavFormat.u32(wav, p));
                if (!Float.isFinite(v)) {
                    throw new MediaFormatException("audio: WAV float sample " + i
                            + (channelCount > 1 ? " (channel " + c + ")" : "") + " is " + v
                            + "; every sample must be a finite number");
                }
                channels[c][i] = Math.max(-1f, Math.min(1f, v));
                p += 4;
            }
        }
        return channels;
    }

    private static String tag(byte[] b, int offset) {
        return new String(b, offset, 4, StandardCharsets.ISO_8859_1);
    }

    private static String describeStart(byte[] wav) {
        if (wav == null || wav.length < 4) {
            return "";
        }
        String start = tag(wav, 0);
        return start.chars().allMatch(ch -> ch >= 32 && ch < 127) ? ", starting with '" + start + "'" : "";
    }
}
