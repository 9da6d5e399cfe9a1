package io.avpush.pacing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PushStatsTest {

    private static final long MS = 1_000_000;

    private final AtomicLong wallMs = new AtomicLong(1_700_000_000_000L);
    private final PushStats stats = new PushStats(wallMs::get);

    @Test
    void pushesOnTimeAreNoStall() {
        for (int i = 0; i < 100; i++) {
            stats.framePushed(0);
            stats.chunkPushed(9 * MS);
            wallMs.addAndGet(10);
        }
        PushStats.Snapshot s = stats.snapshot();
        assertEquals(0, s.stalls());
        assertEquals(List.of(), s.recentStalls());
    }

    @Test
    void latePushesCloseTogetherAreOneStallDatedWhenTheFirstWasDue() {
        stats.framePushed(0);
        wallMs.addAndGet(60);
        // the pacer woke 60 ms late: the chunk due 60 ms ago and the frame and chunks due since
        stats.chunkPushed(60 * MS);
        stats.framePushed(35 * MS);
        stats.chunkPushed(50 * MS);
        wallMs.addAndGet(1);
        stats.chunkPushed(31 * MS);

        PushStats.Snapshot s = stats.snapshot();
        assertEquals(1, s.stalls());
        assertEquals(
                List.of(new PushStats.Stall(1_700_000_000_000L, 1_700_000_000_030L, 60.0, 1, 3)), s.recentStalls());
    }

    @Test
    void stallsApartAreCountedApartAndOnlyTheLatestAreKept() {
        for (int i = 0; i < PushStats.STALLS_KEPT + 8; i++) {
            wallMs.addAndGet(1000);
            stats.chunkPushed(12 * MS);
        }
        PushStats.Snapshot s = stats.snapshot();
        assertEquals(PushStats.STALLS_KEPT + 8, s.stalls());
        assertEquals(PushStats.STALLS_KEPT, s.recentStalls().size());
        assertEquals(
                wallMs.get() - 12,
                s.recentStalls().get(PushStats.STALLS_KEPT - 1).dueEpochMs());
        assertEquals(12.0, s.recentStalls().get(0).maxLateMs());
    }
}
