package io.avpush.http;

import io.avpush.media.AudioChunks;
import io.avpush.media.FrameConverter;
import io.avpush.media.StreamResampler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The binary side of a streamed segment (WebSocket {@code /api/sessions/{id}/stream}), pure: checks
 * each message's header against the open segment and decodes its payload to what the session
 * plays (48 kHz mono s16, I420). One instance per open segment.
 *
 * <p>A binary message is a 12-byte header, then the payload:
 * <pre>
 * byte 0      kind: 1 = audio, 2 = video frame
 * byte 1      format: audio 1 = s16le, 2 = f32le (mono, at the segment's sampleRate);
 *             video 1 = bgr24 (width x height x 3 bytes, the session's size)
 * bytes 2-3   0 (reserved)
 * bytes 4-11  media timestamp: microseconds from the segment's start, int64 little-endian
 * </pre>
 * Audio chunks follow each other: a chunk may start up to 1 ms off the end of the audio so far;
 * a later start is a hole the producer left, filled with silence; an earlier one is refused.
 * Frame timestamps must increase. Example: the 3rd 20 ms chunk of 16 kHz s16le audio is
 * {@code 01 01 00 00 | 40 9C 00 00 00 00 00 00} (40000 µs) and 640 bytes of samples.
 */
final class StreamProtocol {

    static final int HEADER_BYTES = 12;
    static final byte KIND_AUDIO = 1;
    static final byte KIND_VIDEO = 2;
    static final byte FORMAT_S16LE = 1;
    static final byte FORMAT_F32LE = 2;
    static final byte FORMAT_BGR24 = 1;
    private static final long TOLERANCE_US = 1000;

    /** A message the client sent wrong: the socket gets this message and is closed. */
    static final class ProtocolException extends Exception {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** Decoded media of one message: 48 kHz audio (possibly empty) or a frame at a sample position. */
    record Media(short[] pcm48k, byte[] frameI420, long frameTsSamples) {}

    private final int width;
    private final int height;
    private final boolean audio;
    private final boolean video;
    private final StreamResampler resampler;
    private final FrameConverter converter;
    private long lastFrameTsUs = -1;

    /**
     * @param sampleRate the declared audio rate (ignored without audio)
     * @param converter converts each frame to I420 (libyuv on the WebRTC transport)
     */
    StreamProtocol(int width, int height, boolean audio, boolean video, int sampleRate, FrameConverter converter) {
        this.converter = converter;
        this.width = width;
        this.height = height;
        this.audio = audio;
        this.video = video;
        this.resampler = audio ? new StreamResampler(sampleRate) : null;
    }

    /** Decodes one message, from {@code message}'s position to its limit (not kept after the call). */
    Media decode(ByteBuffer message) throws ProtocolException {
        if (message.remaining() < HEADER_BYTES) {
            throw new ProtocolException(
                    "a binary message is a 12-byte header (kind, format, 2 reserved bytes, int64 LE "
                            + "timestamp in µs) and a payload; this one has only " + message.remaining() + " bytes");
        }
        ByteBuffer m = message.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte kind = m.get();
        byte format = m.get();
        short reserved = m.getShort();
        long tsUs = m.getLong();
        if (reserved != 0) {
            throw new ProtocolException("header bytes 2-3 are reserved and must be 0; got " + reserved);
        }
        if (tsUs < 0) {
            throw new ProtocolException(
                    "timestamp " + tsUs + " µs is negative; timestamps count µs from the segment's start");
        }
        ByteBuffer payload = m.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (kind == KIND_AUDIO) {
            return new Media(audio(format, tsUs, payload), null, -1);
        }
        if (kind == KIND_VIDEO) {
            return frame(format, tsUs, payload);
        }
        throw new ProtocolException("header byte 0 (kind) is " + kind + "; use 1 for audio or 2 for a video frame");
    }

    /** The rest of the audio, once the segment is closed. */
    short[] finish() {
        return resampler == null ? new short[0] : resampler.finish();
    }

    private short[] audio(byte format, long tsUs, ByteBuffer payload) throws ProtocolException {
        if (!audio) {
            throw new ProtocolException(
                    "this segment was opened without audio (\"audio\": false); open it with audio to send audio");
        }
        int bytesPerSample = switch (format) {
            case FORMAT_S16LE -> 2;
            case FORMAT_F32LE -> 4;
            default ->
                throw new ProtocolException(
                        "audio format (header byte 1) is " + format + "; use 1 for s16le or 2 for f32le mono samples");
        };
        if (payload.remaining() % bytesPerSample != 0) {
            throw new ProtocolException("the audio payload has " + payload.remaining()
                    + " bytes, not a whole number of " + (format == FORMAT_S16LE ? "s16le" : "f32le") + " samples ("
                    + bytesPerSample + " bytes each)");
        }
        int rate = resampler.inRate();
        long expectedUs = resampler.inputSamples() * 1_000_000L / rate;
        if (tsUs < expectedUs - TOLERANCE_US) {
            throw new ProtocolException(String.format(
                    "audio chunk at %d µs overlaps the audio already sent, which ends at "
                            + "%d µs (%d samples at %d Hz); send audio in order, each chunk where the last ended",
                    tsUs, expectedUs, resampler.inputSamples(), rate));
        }
        int count = payload.remaining() / bytesPerSample;
        int hole = tsUs > expectedUs + TOLERANCE_US
                ? (int) Math.min(Integer.MAX_VALUE / 2, (tsUs * rate / 1_000_000L) - resampler.inputSamples())
                : 0;
        float[] samples = new float[hole + count];
        for (int i = 0; i < count; i++) {
            samples[hole + i] = format == FORMAT_S16LE ? payload.getShort() / 32768f : payload.getFloat();
        }
        return resampler.push(samples, 0, samples.length);
    }

    private Media frame(byte format, long tsUs, ByteBuffer payload) throws ProtocolException {
        if (!video) {
            throw new ProtocolException(
                    "this segment was opened without video (\"video\": false); open it with video to send frames");
        }
        if (format != FORMAT_BGR24) {
            throw new ProtocolException("video format (header byte 1) is " + format + "; use 1 for bgr24");
        }
        long frameBytes = (long) width * height * 3;
        if (payload.remaining() != frameBytes) {
            throw new ProtocolException(String.format(
                    "a frame has %d bytes but this session streams %dx%d bgr24 frames " + "(%d bytes each)",
                    payload.remaining(), width, height, frameBytes));
        }
        if (tsUs <= lastFrameTsUs) {
            throw new ProtocolException("frame timestamp " + tsUs + " µs does not follow the previous frame's ("
                    + lastFrameTsUs + " µs); frame timestamps must increase");
        }
        lastFrameTsUs = tsUs;
        return new Media(null, converter.toI420(payload, width, height), tsUs * AudioChunks.SAMPLE_RATE / 1_000_000L);
    }
}
