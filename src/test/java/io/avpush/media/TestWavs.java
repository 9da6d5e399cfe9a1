package io.avpush.media;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds WAV files byte by byte for decoder tests, including broken ones. */
final class TestWavs {

    private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();

    static TestWavs riff() {
        return new TestWavs();
    }

    /** A 16-byte 'fmt ' chunk. */
    TestWavs fmt(int tag, int channels, int rate, int bits) {
        return chunk("fmt ", fmtBody(tag, channels, rate, bits, 16));
    }

    /** A 40-byte WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk whose sub-format GUID carries {@code subTag}. */
    TestWavs fmtExtensible(int subTag, int channels, int rate, int bits, boolean standardGuid) {
        ByteBuffer b = le(40).put(fmtBody(0xFFFE, channels, rate, bits, 40));
        b.position(16);
        b.putShort((short) 22)
                .putShort((short) bits)
                .putInt(channels == 1 ? 4 : 3)
                .putShort((short) subTag);
        b.put(new byte[] {
            0,
            0,
            0,
            0,
            0x10,
            0,
            (byte) 0x80,
            0,
            0,
            (byte) 0xAA,
            0,
            0x38,
            (byte) 0x9B,
            (byte) (standardGuid ? 0x71 : 0x72)
        });
        return chunk("fmt ", b.array());
    }

    TestWavs s16(short... samples) {
        ByteBuffer b = le(samples.length * 2);
        for (short s : samples) {
            b.putShort(s);
        }
        return chunk("data", b.array());
    }

    TestWavs f32(float... samples) {
        ByteBuffer b = le(samples.length * 4);
        for (float s : samples) {
            b.putFloat(s);
        }
        return chunk("data", b.array());
    }

    /** A chunk with an explicit size field, which may disagree with the bytes that follow. */
    TestWavs chunk(String id, long sizeField, byte[] body) {
        chunks.writeBytes(id.getBytes(StandardCharsets.ISO_8859_1));
        chunks.writeBytes(le(4).putInt((int) sizeField).array());
        chunks.writeBytes(body);
        return this;
    }

    /** A well-formed chunk, with the pad byte when its size is odd. */
    TestWavs chunk(String id, byte[] body) {
        chunk(id, body.length, body);
        if ((body.length & 1) == 1) {
            chunks.write(0);
        }
        return this;
    }

    TestWavs raw(byte... bytes) {
        chunks.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        byte[] body = chunks.toByteArray();
        return le(12 + body.length)
                .put("RIFF".getBytes(StandardCharsets.ISO_8859_1))
                .putInt(4 + body.length)
                .put("WAVE".getBytes(StandardCharsets.ISO_8859_1))
                .put(body)
                .array();
    }

    private static byte[] fmtBody(int tag, int channels, int rate, int bits, int size) {
        int blockAlign = channels * bits / 8;
        return le(size).putShort((short) tag)
                .putShort((short) channels)
                .putInt(rate)
                .putInt(rate * blockAlign)
                .putShort((short) blockAlign)
                .putShort((short) bits)
                .array();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
