package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.avpush.media.FrameFit;
import io.avpush.media.FrameRate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What an upload's reply says when its frames and its audio differ in length (audio is the master). */
class SegmentLengthFitTest {

    @ParameterizedTest
    @CsvSource({
        // session fps, upload fps, 48 kHz samples, frames, held ticks, dropped frames
        "30,         30,         48000, 30, 0,  0",
        "30,         30,         48000, 20, 10, 0",
        "30,         30,         48000, 40, 0,  10",
        "30,         15,         48000, 15, 0,  0",
        "30,         15,         48000, 10, 10, 0",
        "30,         15,         48000, 20, 0,  5",
        "30000/1001, 30000/1001, 48048, 30, 0,  0",
        "30000/1001, 30000/1001, 48049, 30, 1,  0",
        "25,         30,         48000, 30, 0,  0",
        "25,         30,         48000, 31, 0,  1",
    })
    void heldTicksAndDroppedFrames(
            String sessionFps, String uploadFps, int samples, int frames, long held, int dropped) {
        FrameRate session = FrameRate.parse(sessionFps);
        Segment s = new Segment(
                "s",
                new short[samples],
                new byte[frames][0],
                16,
                16,
                FrameRate.parse(uploadFps),
                FrameFit.frameTicks(samples, session));
        Segment.LengthFit fit = s.lengthFit(session);
        assertEquals(held, fit.heldTicks(), "held ticks");
        assertEquals(dropped, fit.droppedFrames(), "dropped frames");
        assertEquals(held == 0 && dropped == 0, fit.note() == null, String.valueOf(fit.note()));
    }

    @ParameterizedTest
    @CsvSource({"0, 30", "48000, 0"})
    void noAudioOrNoFramesHasNothingToSay(int samples, int frames) {
        FrameRate fps = FrameRate.parse("30");
        Segment s = new Segment("s", new short[samples], new byte[frames][0], 16, 16, fps, 30);
        assertNull(s.lengthFit(fps).note());
    }
}
