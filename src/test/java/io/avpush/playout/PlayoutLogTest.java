package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.avpush.media.FrameRate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The node's log lines about a session's playout at 30 fps, as an operator reads them. */
class PlayoutLogTest {

    private static final FrameRate FPS = new FrameRate(30, 1);

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // 48 kHz samples | frames | line
                "48000 | 30 | segment a queued (1000 ms, 30 frames)",
                "48000 | 20 | segment a queued (1000 ms, 20 frames; the frames last 667 ms (20 at 30 fps) and the audio 1000 ms: "
                        + "the last frame is held for 10 frame ticks (333 ms) to the end of the audio; send frames as long as the "
                        + "audio to avoid it)",
                "0     | 15 | segment a queued (500 ms, 15 frames)",
            })
    void aQueuedSegmentSaysItsLengthAndHowItsFramesFit(int samples, int frames, String line) {
        long ticks = samples > 0 ? samples / 1600 : frames;
        assertEquals(
                line,
                PlayoutLog.queued(new Segment("a", new short[samples], new byte[frames][0], 16, 16, FPS, ticks), FPS));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "48000 | 30 | idle loop i set (1000 ms, 30 frames, with audio)",
                "0     | 15 | idle loop i set (500 ms, 15 frames)",
            })
    void anIdleLoopSaysItsLengthAndWhetherItHasAudio(int samples, int frames, String line) {
        long ticks = samples > 0 ? samples / 1600 : frames;
        assertEquals(
                line,
                PlayoutLog.idleSet(new Segment("i", new short[samples], new byte[frames][0], 16, 16, FPS, ticks), FPS));
    }

    @Test
    void anInterruptSaysWhatItCutAndDropped() {
        assertEquals(
                "interrupted at frame 15: cut a, dropped [b, c]",
                PlayoutLog.interrupted(new Sequencer.Cut(List.of("b", "c"), "a", 15, 10)));
        assertEquals(
                "interrupted at frame 15: cut null, dropped []",
                PlayoutLog.interrupted(new Sequencer.Cut(List.of(), null, 15, 0)));
    }

    @Test
    void aStreamedSegmentSaysWhatItCarries() {
        assertEquals(
                "streamed segment w queued (audio true, video false)",
                PlayoutLog.streamQueued(new LiveSegment("w", true, false, 4800, 1600)));
        assertEquals("idle loop i cleared", PlayoutLog.idleCleared("i"));
    }
}
