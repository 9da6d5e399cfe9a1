package io.avpush.media;

/**
 * The part of a WAV 'fmt ' chunk that decides how samples are read, validated once so the
 * decoder loop never meets a format it cannot handle. Plain PCM/float tags and
 * WAVE_FORMAT_EXTENSIBLE (whose real format sits in a sub-format GUID) end up the same here.
 */
record WavFormat(int channels, int sampleRate, boolean isFloat) {

    static final int MIN_RATE = 8000;
    static final int MAX_RATE = 192000;

    private static final int PCM = 1;
    private static final int IEEE_FLOAT = 3;
    private static final int EXTENSIBLE = 0xFFFE;
    /** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..1 hold the format tag. */
    private static final byte[] GUID_TAIL = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71
    };

    /** Bytes per sample frame (one sample of every channel). */
    int frameBytes() {
        return channels * (isFloat ? 4 : 2);
    }

    /** Parses the 'fmt ' chunk body at {@code offset}, {@code size} bytes long. */
    static WavFormat parse(byte[] wav, int offset, long size) throws MediaFormatException {
        if (size < 16) {
            throw new MediaFormatException(
                    "audio: WAV 'fmt ' chunk is too short (" + size + " bytes; it needs at least 16)");
        }
        int tag = u16(wav, offset);
        int channels = u16(wav, offset + 2);
        long sampleRate = u32(wav, offset + 4);
        int bits = u16(wav, offset + 14);
        if (tag == EXTENSIBLE) {
            if (size < 40) {
                throw new MediaFormatException("audio: WAV 'fmt ' chunk is too short for WAVE_FORMAT_EXTENSIBLE ("
                        + size + " bytes; it needs 40)");
            }
            tag = subFormatTag(wav, offset + 24);
        }
        if (channels < 1 || channels > 2) {
            throw new MediaFormatException(
                    "audio: WAV 'fmt ' chunk says " + channels + " channels; only mono or stereo is supported");
        }
        if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
            throw new MediaFormatException("audio: WAV sample rate " + sampleRate + " Hz is out of range;"
                    + " supported rates are " + MIN_RATE + " to " + MAX_RATE + " Hz");
        }
        if (tag == PCM && bits == 16) {
            return new WavFormat(channels, (int) sampleRate, false);
        }
        if (tag == IEEE_FLOAT && bits == 32) {
            return new WavFormat(channels, (int) sampleRate, true);
        }
        String what = tag == PCM
                ? bits + "-bit PCM"
                : tag == IEEE_FLOAT ? bits + "-bit float" : formatName(tag) + " (format tag " + tag + ")";
        throw new MediaFormatException(
                "audio: WAV is " + what + "; only 16-bit PCM and 32-bit float WAV are supported");
    }

    /** The format tag inside the sub-format GUID at {@code offset}, after checking the GUID is a standard one. */
    private static int subFormatTag(byte[] wav, int offset) throws MediaFormatException {
        for (int i = 0; i < GUID_TAIL.length; i++) {
            if (wav[offset + 2 + i] != GUID_TAIL[i]) {
                throw new MediaFormatException("audio: WAV (WAVE_FORMAT_EXTENSIBLE) has an unknown sub-format GUID;"
                        + " only PCM and IEEE float sub-formats are supported");
            }
        }
        return u16(wav, offset);
    }

    private static String formatName(int tag) {
        return switch (tag) {
            case 2 -> "MS ADPCM";
            case 6 -> "A-law";
            case 7 -> "mu-law";
            case 0x11 -> "IMA ADPCM";
            case 0x55 -> "MP3";
            default -> "an unsupported format";
        };
    }

    static int u16(byte[] b, int offset) {
        return (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8;
    }

    static long u32(byte[] b, int offset) {
        return (u16(b, offset) | (long) u16(b, offset + 2) << 16);
    }
}
