package io.avpush.playout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.avpush.api.ApiError;
import io.avpush.media.FrameRate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a session takes, at 30 fps with room for 60 s (1800 ticks) and 8 MB. */
class QueueAdmissionTest {

    private static final FrameRate FPS = new FrameRate(30, 1);
    private static final QueueAdmission ADMISSION = new QueueAdmission("s", FPS, 1800, 8L << 20);

    /** A segment of {@code ticks} with {@code bytes} of audio (no frames). */
    private static Segment segment(long ticks, int bytes) {
        return new Segment("x", new short[bytes / 2], new byte[0][], 16, 16, FPS, ticks);
    }

    @ParameterizedTest(name = "{0} ticks pending + {1}, {2} B queued + {3}: {4}")
    @CsvSource({
        "0, 1800, 0, 0, taken",
        "1650, 150, 0, 0, taken",
        "1650, 151, 0, 0, '429 session s already holds 55.0 s of media; with this segment (5.0 s) it would exceed the limit of 60.0 s'",
        "1650, 300, 0, 0, '429 session s already holds 55.0 s of media; with this segment (10.0 s) it would exceed the limit of 60.0 s'",
        "0, 30, 8388608, 0, taken",
        "0, 30, 4194304, 4194304, taken",
        "0, 30, 4194304, 6291456, '429 session s already holds 4 MB of queued media; with this segment (6 MB) it would exceed the limit of 8 MB'",
    })
    void segmentsAreTakenWithinBothLimits(long pending, long ticks, long queuedBytes, int bytes, String expected) {
        ApiError refused = ADMISSION.refuseSegment(segment(ticks, bytes), pending, queuedBytes);
        if (expected.equals("taken")) {
            assertNull(refused);
        } else {
            assertEquals(expected, refused.status() + " " + refused.message().substring(0, expected.length() - 4));
            assertEquals("too_many", refused.error());
        }
    }

    @Test
    void anIdleLoopOverTheMemoryLimitIsTooLarge() {
        assertNull(ADMISSION.refuseIdleLoop(segment(300, 8 << 20)));
        ApiError refused = ADMISSION.refuseIdleLoop(segment(300, (8 << 20) + 2));
        assertEquals(413, refused.status());
        assertEquals(
                "the idle loop takes 8 MB decoded; the limit is 8 MB (avpush.limits.max-queued-bytes). Send a shorter loop.",
                refused.message());
    }

    @Test
    void aStreamedSegmentCarriesSomething() {
        assertNull(QueueAdmission.refuseStream(true, false));
        assertNull(QueueAdmission.refuseStream(false, true));
        assertEquals(400, QueueAdmission.refuseStream(false, false).status());
    }
}
