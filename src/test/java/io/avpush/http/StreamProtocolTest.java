package io.avpush.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.avpush.media.I420;
import io.avpush.testing.SyntheticMedia;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** The binary messages of a streamed segment: headers checked, payloads decoded. */
class StreamProtocolTest {

    @Test
    void audioAt48kPassesThroughAndAFrameBecomesI420AtItsSamplePosition() throws Exception {
        StreamProtocol p = new StreamProtocol(16, 16, true, true, 48_000, io.avpush.media.FrameConverter.JAVA);
        byte[] samples = StreamClient.s16(480, (short) 1234);
        // as Pekko hands it over: a slice of a larger buffer
        ByteString framed = ByteString.fromArray(new byte[7])
                .concat(ByteString.fromByteBuffer(StreamClient.message(1, 1, 0, samples)))
                .drop(7);
        StreamProtocol.Media audio = p.decode(framed.asByteBuffer());
        assertEquals(480, audio.pcm48k().length);
        assertEquals(1234, audio.pcm48k()[479]);
        byte[] bgr = SyntheticMedia.greyFrames(16, 16, 1, 90);
        StreamProtocol.Media frame = p.decode(StreamClient.message(2, 1, 100_000, bgr));
        assertArrayEquals(I420.fromBgr24(bgr, 0, 16, 16), frame.frameI420());
        assertEquals(4800, frame.frameTsSamples(), "100 ms is sample 4800");
    }

    @Test
    void f32AudioAndAHoleInTheAudioIsSilence() throws Exception {
        StreamProtocol p = new StreamProtocol(16, 16, true, false, 48_000, io.avpush.media.FrameConverter.JAVA);
        ByteBuffer f32 = ByteBuffer.allocate(4 * 10).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 10; i++) {
            f32.putFloat(0.5f);
        }
        assertEquals(16384, p.decode(StreamClient.message(1, 2, 0, f32.array())).pcm48k()[9]);
        short[] afterHole = p.decode(StreamClient.message(1, 1, 10_000, StreamClient.s16(10, (short) 7)))
                .pcm48k();
        assertEquals(
                480 - 10 + 10, afterHole.length, "the 10 ms hole minus the 10 samples already sent, then 10 samples");
        assertEquals(0, afterHole[0]);
        assertEquals(7, afterHole[afterHole.length - 1]);
        StreamProtocol.ProtocolException overlap = assertThrows(
                StreamProtocol.ProtocolException.class,
                () -> p.decode(StreamClient.message(1, 1, 0, StreamClient.s16(10, (short) 7))));
        assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
    }

    @Test
    void frameTimestampsMustIncrease() throws Exception {
        StreamProtocol p = new StreamProtocol(16, 16, false, true, 0, io.avpush.media.FrameConverter.JAVA);
        byte[] bgr = SyntheticMedia.greyFrames(16, 16, 1, 90);
        p.decode(StreamClient.message(2, 1, 1000, bgr));
        StreamProtocol.ProtocolException e = assertThrows(
                StreamProtocol.ProtocolException.class, () -> p.decode(StreamClient.message(2, 1, 1000, bgr)));
        assertTrue(e.getMessage().contains("must increase"), e.getMessage());
        StreamProtocol.ProtocolException noAudio = assertThrows(
                StreamProtocol.ProtocolException.class,
                () -> p.decode(StreamClient.message(1, 1, 0, StreamClient.s16(10, (short) 7))));
        assertTrue(noAudio.getMessage().contains("without audio"), noAudio.getMessage());
    }
}
