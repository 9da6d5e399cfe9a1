package io.avpush.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.avpush.media.FrameRate;
import io.avpush.playout.Segment;
import io.avpush.playout.Sequencer;
import io.avpush.session.SessionReplies.IdleAccepted;
import io.avpush.session.SessionReplies.Interrupted;
import io.avpush.session.SessionReplies.SegmentAccepted;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the replies about a session's media say, at 30 fps, in ms. */
class SessionRepliesTest {

    private static final FrameRate FPS = new FrameRate(30, 1);

    /** 2 s of audio with {@code frames} frames: 60 ticks. */
    private static Segment twoSeconds(String id, int frames) {
        return new Segment(id, new short[96_000], new byte[frames][0], 16, 16, FPS, 60);
    }

    @Test
    void anAcceptedSegmentSaysItsLengthPlaceAndHowItsFramesFit() {
        SegmentAccepted fits = SegmentAccepted.of(twoSeconds("a", 60), FPS, 3);
        assertEquals(new SegmentAccepted("a", 2000.0, 60, 60, 3, 0, 0, null), fits);
        SegmentAccepted held = SegmentAccepted.of(twoSeconds("b", 45), FPS, 1);
        assertEquals(15, held.framesHeldTicks(), "ticks 45..59 hold frame 44");
        assertEquals(0, held.framesDropped());
        SegmentAccepted dropped = SegmentAccepted.of(twoSeconds("c", 75), FPS, 1);
        assertEquals(15, dropped.framesDropped(), "frames 60..74 start after the audio's end");
    }

    @Test
    void anInterruptSaysWhenItCutAndHowMuchOfTheCutSegmentHadPlayed() {
        Interrupted cut = Interrupted.of(new Sequencer.Cut(List.of("b"), "a", 15, 12), FPS);
        assertEquals(new Interrupted(List.of("b"), "a", 500.0, 400.0), cut);
        Interrupted nothingPlayed = Interrupted.of(new Sequencer.Cut(List.of("b"), null, 15, 0), FPS);
        assertEquals(new Interrupted(List.of("b"), null, 500.0, null), nothingPlayed);
    }

    @Test
    void anAcceptedIdleLoopSaysWhetherItHasAudio() {
        assertEquals(new IdleAccepted("i", 2000.0, 60, 60, true, null), IdleAccepted.of(twoSeconds("i", 60), FPS));
        Segment silent = new Segment("j", new short[0], new byte[15][0], 16, 16, FPS, 15);
        assertEquals(new IdleAccepted("j", 500.0, 15, 15, false, null), IdleAccepted.of(silent, FPS));
    }
}
